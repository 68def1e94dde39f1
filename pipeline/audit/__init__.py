"""Stage 4, audit: rules that flag contradictions and defects in an article and its records.

`registry.py` holds the registry and `audit_article`; each module under `rules/` is one family
of rules; `lint.py` runs the audit over inputs for the command line (locations in the original
file, configuration, baseline, inline suppressions); `formats.py` writes text, JSON, SARIF and
GitHub annotations; `report.py` the HTML report.
"""
from .registry import RULES, Context, Hit, Rule, all_flags, audit_article, rule

__all__ = ["RULES", "Context", "Hit", "Rule", "all_flags", "audit_article", "rule", "load_rules"]


def load_rules() -> dict[str, Rule]:
    """Every registered rule, in registration order (importing the families registers them)."""
    from . import rules  # noqa: F401
    return RULES

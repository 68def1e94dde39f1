"""Stage 4, audit: rules that flag contradictions and defects in an article and its records.

`registry.py` holds the registry and `audit_article`; each module under `rules/` is one family
of rules; `lint.py` runs the audit over inputs for the command line (locations in the original
file, configuration, baseline, inline suppressions); `formats.py` writes text, JSON, SARIF and
GitHub annotations; `report.py` the HTML report.
"""
from .registry import RULES, Context, Hit, Rule, all_flags, audit_article, rule

__all__ = ["RULES", "Context", "Hit", "Rule", "all_flags", "audit_article", "rule", "load_rules", "rule_doc"]


def load_rules() -> dict[str, Rule]:
    """Every registered rule, in registration order (importing the families registers them)."""
    from . import rules  # noqa: F401
    return RULES


def rule_doc(rule_id: str) -> str | None:
    """The rule's documentation page (docs/rules/<id>.md in the source tree), if present."""
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "docs" / "rules" / f"{rule_id}.md"
    return path.read_text(encoding="utf-8") if path.is_file() else None

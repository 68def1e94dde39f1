"""The rule table of docs/audit-rules.md and docs/rules/ agree with the registry (every rule documented, nothing
documented that does not exist, severities the same)."""
import re

from conftest import REPO

from pipeline.audit import load_rules

RULES = load_rules()
DOCS = REPO / "docs" / "rules"


def test_rule_table_matches_the_registry():
    section = (REPO / "docs" / "audit-rules.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| (error|warning|info) \|", section, re.M))
    assert rows == {r.id: r.severity for r in RULES.values()}


def test_every_rule_has_a_doc_with_a_bad_and_a_good_example():
    documented = {p.stem for p in DOCS.glob("*.md")}
    assert documented == set(RULES)
    for r in RULES.values():
        doc = (DOCS / f"{r.id}.md").read_text(encoding="utf-8")
        assert doc.startswith(f"# {r.id}\n") and f"Default severity: `{r.severity}`" in doc
        assert "## Bad" in doc and "## Good" in doc

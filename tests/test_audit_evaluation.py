"""The audit's accuracy gate: per-rule recall and precision on the labelled audit set
(tests/audit_eval/labels.json) stay at or above the floors pinned in tests/audit_eval/floors.json."""
import json
from pathlib import Path

import pytest

from pipeline.audit import load_rules
from pipeline.audit.evaluate import evaluate

FOLDER = Path(__file__).parent / "audit_eval"
FLOORS = json.loads((FOLDER / "floors.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def score():
    return evaluate(FOLDER)


def test_recall_and_precision_at_or_above_the_floors(score):
    for rule, floor in FLOORS["recall"].items():
        got = score.recall(None if rule == "all" else rule)
        assert got is not None and got >= floor, (rule, "recall", got, floor, score.details)
    for rule, floor in FLOORS["precision"].items():
        got = score.precision(None if rule == "all" else rule)
        assert got is not None and got >= floor, (rule, "precision", got, floor, score.details)


def test_no_error_on_pages_without_planted_faults(score):
    assert not [d for d in score.details if d.startswith("false alarm") and d.split()[2] in
                {r.id for r in load_rules().values() if r.severity == "error"}], score.details


def test_the_set_labels_a_true_finding_for_most_rules(score):
    labelled = set(score.caught) | set(score.missed)
    assert len(labelled) >= 15 and {"position-conflict", "direction-conflict", "kb-conflict"} <= labelled

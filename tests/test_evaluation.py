"""The evaluation gate: per-field accuracy on the labelled development set must stay above the floors."""
import json

import pytest
from conftest import REPO

from pipeline.evaluate import evaluate

EVAL = REPO / "tests" / "eval"


@pytest.fixture(scope="module")
def result():
    return evaluate(EVAL)


def test_scores_stay_above_pinned_floors(result):
    floors = {k: v for k, v in json.loads((EVAL / "floors.json").read_text()).items() if not k.startswith("_")}
    below = {m: (result["scores"].get(m), f) for m, f in floors.items() if result["scores"].get(m, 0) < f}
    assert not below, f"below floor: {below}; misses: {result['misses']}"


def test_development_set_is_labelled_real_text():
    items = [json.loads(line) for line in (EVAL / "descriptions.jsonl").read_text().splitlines()]
    assert len(items) >= 30
    assert all(item["source"] and item["text"] and item["labels"] for item in items)

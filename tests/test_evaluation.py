"""The evaluation gate: per-field accuracy on the labelled development set must stay above the floors."""
import importlib.util
import json
import re

import pytest
from conftest import REPO

from pipeline import evaluate_corpus as ec
from pipeline.evaluate import below_corpus_floors, evaluate, evaluate_corpus

EVAL = REPO / "tests" / "eval"
DEVCORPUS = REPO / "tests" / "devcorpus"
FLOORS = json.loads((EVAL / "floors.json").read_text())


def _below(scores: dict, floors: dict) -> dict:
    pinned = {k: v for k, v in floors.items() if not k.startswith("_") and isinstance(v, (int, float))}
    return {m: (scores.get(m), f) for m, f in pinned.items() if scores.get(m, 0) < f}


@pytest.fixture(scope="module")
def result():
    return evaluate(EVAL)


SHARED = ec.shared_folder()
needs_shared = pytest.mark.skipif(SHARED is None, reason="../shared/dev-corpus is not beside the clone")


@pytest.fixture(scope="module")
def corpus():
    return evaluate_corpus(SHARED)


def test_scores_stay_above_pinned_floors(result):
    below = _below(result["scores"], {k: v for k, v in FLOORS.items() if k != "devcorpus"})
    assert not below, f"below floor: {below}; misses: {result['misses']}"


@needs_shared
def test_cross_validated_development_corpus_stays_above_pinned_floors(corpus):
    below = below_corpus_floors(corpus["cv"], FLOORS["devcorpus_cv"])
    assert not below, f"below floor: {below}; misses: {corpus['cv'].misses}"


@needs_shared
def test_corpus_lines_have_the_issue_shape_and_count_every_site(corpus):
    number = r"\d\.\d{3}"
    fields = " ".join(f"{f} {number}" for f in ("position", "hold", "per_side", "reps", "targets", "steps"))
    for prefix, line in zip(("grouped-cv", "in-sample"), corpus["lines"]):
        assert re.fullmatch(rf"devcorpus {prefix}: sites 57 pages 64 records P {number} R {number} F1 {number} "
                            rf"{fields} negatives-with-records \d+/256", line), line


@needs_shared
def test_pairing_is_score_golds_own():
    """The names are paired exactly as ../shared/tools/score_gold.py pairs them, on every page's
    labelled names against near-miss spellings of them."""
    spec = importlib.util.spec_from_file_location("score_gold", SHARED / "tools" / "score_gold.py")
    score_gold = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score_gold)
    for page in ec.load_corpus(SHARED):
        want = [ec.norm(s["name"]) for s in page.stretches]
        got = [w.replace("stretch", "").strip() or w for w in want[::2]] + [w + " hold" for w in want[1::3]]
        assert ec.pair_names(want, got) == score_gold.match_names(want, got), page.path.name
        assert [ec.norm(s["name"]) for s in page.stretches] == [score_gold.norm(s["name"]) for s in page.stretches]


def test_development_set_is_labelled_real_text():
    items = [json.loads(line) for line in (EVAL / "descriptions.jsonl").read_text().splitlines()]
    assert len(items) >= 30
    assert all(item["source"] and item["text"] and item["labels"] for item in items)


def test_development_corpus_pages_carry_source_and_labels():
    specs = sorted(DEVCORPUS.glob("*.json"))
    assert len(specs) >= 25
    for spec_path in specs:
        spec = json.loads(spec_path.read_text())
        assert spec["source"]["repo"] and len(spec["source"]["commit"]) == 40 and spec["source"]["licence"]
        assert [p for p in DEVCORPUS.glob(spec_path.stem + ".*") if p.suffix != ".json"], spec_path
        for stretch in spec["stretches"]:
            assert stretch["name"] and set(stretch) <= {"name", "position", "hold", "repetitions", "per_side",
                                                          "targets", "steps"}, stretch


def test_names_match_as_a_reader_would():
    wanted = [ec.norm(n) for n in ("calf (Leg stretches)", "Cat Pose (Marjaryasana)", "Neck stretch", "Pigeon")]
    got = [ec.norm(n) for n in ("Calf", "Cat Pose", "Neck Stretch", "Hip Circles")]
    assert ec.pair_names(wanted, got) == {"calf leg stretches": "calf", "cat pose marjaryasana": "cat pose",
                                        "neck stretch": "neck stretch"}

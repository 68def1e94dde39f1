"""The learned record decision: stored as data, applied without a training library, reproduced by
`make train`, and deciding the general shapes of real pages (written here in our own words)."""
import json
import subprocess
import sys

import pytest
from conftest import REPO

from pipeline import evaluate_corpus as ec
from pipeline.clean import clean_page
from pipeline.extract import extract_article
from pipeline.extract.features import FEATURES
from pipeline.extract.model import MODEL_PATH, load_model, probability
from pipeline.records import Page

SHARED = ec.shared_folder()


def _stretches(text: str, fmt: str = "markdown"):
    return extract_article(clean_page(Page(source="case.md", format=fmt, text=text))).stretches


def test_model_is_small_data_over_the_features_computed_today():
    assert MODEL_PATH.stat().st_size < 5 * 1024 * 1024
    model = load_model()
    assert tuple(model["features"]) == FEATURES and 0 < model["threshold"] < 1


def test_applying_the_model_needs_no_training_library():
    code = ("import sys; sys.modules['sklearn'] = None\n"
            "from pipeline.clean import clean_page\nfrom pipeline.extract import extract_article\n"
            "from pipeline.records import Page\n"
            "t = '# Two stretches\\n\\n## Calf stretch\\n\\nStand facing a wall and step one foot back. Hold for 30 seconds.\\n'\n"
            "print(len(extract_article(clean_page(Page(source='a.md', format='markdown', text=t))).stretches))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"


def test_each_record_carries_the_decisions_confidence():
    records = _stretches("# Evening stretches\n\n## Calf stretch\n\nStand facing a wall and step one foot back. "
                         "Press the back heel down and hold for 30 seconds on each side.\n\n"
                         "## Seated hamstring stretch\n\nSit with one leg straight and reach for your toes. "
                         "Hold for 20 seconds.\n")
    assert [r.name for r in records] == ["Calf stretch", "Seated hamstring stretch"]
    assert all(0.5 <= r.confidence <= 1 for r in records)
    assert "confidence" in records[0].to_dict()


def test_summary_list_then_detailed_sections_give_one_record_each_the_detailed():
    page = ("# A short routine for tight hips\n\nIn this routine:\n\n- Butterfly stretch\n- Figure four stretch\n"
            "- Kneeling hip flexor stretch\n\n"
            "## Butterfly stretch\n\nSit tall and press the soles of your feet together. Let your knees drop "
            "toward the floor and hold for 30 seconds.\n\n"
            "## Figure four stretch\n\nLie on your back and cross one ankle over the opposite knee. Pull the "
            "lower leg toward you and hold for 30 seconds, then switch sides.\n\n"
            "## Kneeling hip flexor stretch\n\nKneel on one knee with the other foot in front. Shift your hips "
            "forward and hold for 30 seconds on each side.\n")
    records = _stretches(page)
    assert sorted(r.name for r in records) == ["Butterfly stretch", "Figure four stretch",
                                               "Kneeling hip flexor stretch"]
    assert all(r.steps and r.hold is not None for r in records)  # the detailed section, not the list entry


def test_a_recipes_numbered_timed_steps_are_no_stretch():
    page = ("# Weeknight lentil soup\n\n## Ingredients\n\n- 2 cups red lentils\n- 1 onion, diced\n"
            "- 1 teaspoon cumin\n\n## Method\n\n1. Warm the oil and soften the onion for 5 minutes.\n"
            "2. Stir in the lentils and cover with water.\n3. Simmer for 20 minutes, stirring now and then.\n"
            "4. Let it rest for 10 minutes before serving.\n")
    assert _stretches(page) == []


def test_group_headings_over_stretches_are_not_records():
    page = ("# Desk break\n\n## Upper body (2 minutes)\n\n### Neck side stretch\n\nTilt your ear toward your "
            "shoulder and hold for 20 seconds on each side.\n\n### Chest opener\n\nClasp your hands behind your "
            "back and lift them gently. Hold for 20 seconds.\n\n## Lower body\n\n### Standing quad stretch\n\n"
            "Stand on one leg, hold the other ankle behind you and hold for 30 seconds, then switch.\n")
    assert sorted(r.name for r in _stretches(page)) == ["Chest opener", "Neck side stretch", "Standing quad stretch"]


@pytest.mark.skipif(SHARED is None, reason="../shared/dev-corpus is not beside the clone")
def test_make_train_reproduces_the_committed_decision():
    pytest.importorskip("sklearn")
    sys.path.insert(0, str(REPO / "scripts"))
    import train_model
    retrained = train_model.train()
    committed = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert retrained["features"] == committed["features"] and retrained["kind"] == committed["kind"]
    pages = ec.load_corpus(SHARED) + ec.written_pages()
    prepared = ec.prepare(pages, ec.prepare_page)
    rows = [f for p in pages for f in prepared[p.path].features]
    new = [probability(retrained, f) for f in rows]
    old = [probability(committed, f) for f in rows]
    assert max(abs(a - b) for a, b in zip(new, old)) < 1e-3
    threshold = committed["threshold"]
    assert [p >= threshold for p in new] == [p >= threshold for p in old]


def test_a_routine_table_numbered_in_its_own_column_is_named_by_the_name_column():
    page = ("# Ten-minute cool-down\n\nAfter your run, go through the table in order.\n\n"
            "| No. | Move | Hold |\n|---|---|---|\n| 1 | Standing calf stretch | 30 s each leg |\n"
            "| 2 | Kneeling hip flexor stretch | 45 s each side |\n| 3 | Seated butterfly stretch | 40 s |\n"
            "| 4 | Lying spinal twist | 30 s each side |\n")
    records = _stretches(page)
    assert [r.name for r in records] == ["Standing calf stretch", "Kneeling hip flexor stretch",
                                         "Seated butterfly stretch", "Lying spinal twist"]
    assert records[0].hold is not None and records[0].hold.min_seconds == 30


def test_an_advice_columns_capitalised_salutations_are_no_stretches():
    page = ("# Ask Marta: my neighbour keeps borrowing my ladder\n\n"
            "DEAR MARTA: Every weekend my neighbour knocks and asks for the ladder. He brings it back "
            "scratched. How do I say no without a fight?\n\n"
            "DEAR TIRED OF LENDING: Tell him plainly that you need it yourself. Offer the name of a shop "
            "that rents them by the day.\n\n"
            "DEAR MARTA: My sister calls during dinner every night and is hurt when I do not pick up.\n\n"
            "DEAR HUNGRY: Agree on a better hour with her, and keep to it.\n")
    assert _stretches(page) == []


def test_a_health_pages_treatment_list_is_no_stretch():
    page = ("# Heel pain in runners\n\nPain under the heel is common in people who run on hard ground.\n\n"
            "## Causes\n\n- Worn shoes\n- A sudden jump in weekly distance\n\n"
            "## Treatment\n\n- Rest from the runs that hurt\n- Ice the heel after walking\n"
            "- Stretching the calf and the sole of the foot\n- Shoe inserts from a foot specialist\n")
    assert _stretches(page) == []


def test_a_stretch_given_twice_is_learned_once_from_its_fullest_copy():
    page = ec.CorpusPage(REPO / "case.md", "written", [{"name": "Thread the needle"}])
    records = [{"name": "Thread the needle"}, {"name": "Tips"}, {"name": "Thread the Needle"}]
    prep = ec.PreparedPage([{}, {}, {}], ["thread the needle", "tips", "thread the needle"], [0, 120, 480],
                           [True, False, True], records, [(0, 10), (20, 140), (150, 630)])
    assert ec.candidate_labels(page, prep) == [None, 0, 1]


def test_a_part_label_a_level_above_the_name_stays_in_the_stretchs_body():
    # a site's markup puts each stretch's name at h5 and its "Movement:" / "How to do it" labels at h4:
    # the label is part of the stretch above it, so its steps and dose are that stretch's, not lost
    from pipeline.extract.candidates import find_candidates
    from pipeline.knowledge import load_knowledge
    page = ("# Desk relief\n\nThree moves for a stiff neck after long days at the keyboard.\n\n"
            "##### Neck side tilt\n\n#### Movement:\n\nSit tall and drop your right ear toward your "
            "shoulder.\n\nHold for 20 seconds, then switch sides.\n\n"
            "##### Chin tuck\n\n#### How to do it\n\nSit upright and draw your chin straight back.\n\n"
            "Repeat 8 times.\n\n"
            "##### Upper trapezius stretch\n\n#### Movement:\n\nSit and reach one hand over your head "
            "to the far ear; pull gently.\n\nHold for 30 seconds each side.\n")
    doc = clean_page(Page(source="desk.md", format="markdown", text=page))
    headed = {c.section.name: " ".join(b.text for b in c.section.body)
              for c in find_candidates(doc.blocks, load_knowledge(), doc.title) if c.origin == "heading"}
    assert "Hold for 20 seconds" in headed["Neck side tilt"]
    assert "Repeat 8 times" in headed["Chin tuck"] and "Hold for 20" not in headed["Chin tuck"]
    assert "30 seconds each side" in headed["Upper trapezius stretch"]

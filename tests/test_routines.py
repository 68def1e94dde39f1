"""Routine items: names split from their dosage, several stretches in one item, shared rules."""
from helpers import article_from, by_name

from pipeline.extract.routines import ItemName, split_item, split_several
from pipeline.knowledge import load_knowledge

KB = load_knowledge()


def test_item_name_and_dosage_come_apart():
    assert split_item("Pigeon stretch - 1 minute each side", KB) == ItemName("Pigeon stretch", "1 minute each side")
    assert split_item("Seated Twist (back + glute)", KB) == ItemName("Seated Twist", "back + glute")
    assert split_item("Dragon squat x 5", KB) == ItemName("Dragon squat", "x 5")
    # a parenthesis that is the name's other form stays in the name
    assert split_item("Child's Pose (Balasana)", KB).name == "Child's Pose (Balasana)"


def test_one_item_naming_several_stretches_gives_one_name_each():
    assert split_several("Quad, hamstring and calf stretches", KB) == [
        "Quad stretches", "Hamstring stretches", "Calf stretches"]
    assert split_several("Shoulder & Back Stretch", KB) == ["Shoulder & Back Stretch"]
    assert split_several("Wrist and Finger Stretches", KB) == ["Wrist and Finger Stretches"]


def test_a_rule_for_every_stretch_applies_to_items_without_their_own():
    article = article_from(
        "Evening wind-down\n\nHold every stretch for 40 seconds on both sides unless noted.\n\n"
        "- Supine twist\n- Butterfly stretch\n- Puppy pose - 1 minute\n")
    records = by_name(article)
    assert set(records) == {"Supine twist", "Butterfly stretch", "Puppy pose"}
    assert (records["Supine twist"].hold.min_seconds, records["Supine twist"].per_side) == (40, True)
    assert records["Puppy pose"].hold.min_seconds == 60


def test_advice_lists_are_not_routines():
    article = article_from(
        "Stretching tips\n\nKey points\n\n- Never stretch cold muscles\n- Hold stretches without bouncing\n"
        "- Breathe deeply throughout\n")
    assert article.records == []


def test_a_grid_of_numbered_dosage_cells_is_a_routine_of_unnamed_stretches():
    page = ("<html><body><h1>Before your run</h1><table><tr><td>1. Hold for 20 seconds, each leg "
            "<img src='a.gif'></td><td>2. Hold for 15 seconds</td></tr><tr><td>3. Swing the leg 10 times "
            "<img src='c.gif'></td><td>4. Hold for 30 seconds and repeat twice</td></tr></table></body></html>")
    article = article_from(page, fmt="html")
    got = {r.name: r for r in article.stretches}
    assert list(got) == ["Stretch 1", "Stretch 2", "Stretch 4"]
    assert all(r.name_source == "derived" for r in got.values())
    assert (got["Stretch 1"].hold.min_seconds, got["Stretch 1"].per_side) == (20, True)
    assert got["Stretch 4"].repetitions.min == 2


def test_a_goal_heading_takes_the_name_of_the_stretch_its_text_names():
    article = article_from("Desk fixes\n\n1. RELAX THE UPPER BACK\n\nSit tall. The thread the needle stretch "
                           "is easier on all fours: slide one arm under your chest. Hold for 20 seconds.\n\n"
                           "2. Neck Stretch\n\nTilt your ear toward your shoulder. Hold for 15 seconds.\n")
    first = article.records[0]
    assert (first.name_source, first.number) == ("derived", 1) and first.canonical_name == first.name
    assert article.records[1].name_source == "heading"


def test_several_stretches_in_one_item_share_its_dosage():
    article = article_from("Cool-down\n\n- Quad, hamstring and calf stretches, 30 s each\n- Child's pose - 1 minute\n"
                           "- Figure four stretch - 45 seconds per side\n")
    records = by_name(article)
    assert list(records) == ["Quad stretches", "Hamstring stretches", "Calf stretches", "Child's pose",
                             "Figure four stretch"]
    assert all(records[n].hold.min_seconds == 30 and records[n].per_side
               for n in ("Quad stretches", "Hamstring stretches", "Calf stretches"))

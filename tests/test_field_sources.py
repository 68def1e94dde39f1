"""Field values are what the page states about a stretch, and each says where the page states it
(issue 15): its own text, its group's shared rule, its table row, or its heading."""
import pytest

from helpers import article_from, by_name

from pipeline.quantities import find_breaths, find_repetitions, find_sets, find_times


def record(markdown: str, name: str):
    return by_name(article_from(markdown, "markdown"))[name]


# --- hold shapes -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Breathe in for 4, out for 6, and let the shoulders drop.",
    "Inhale for 5 seconds and exhale for 7 seconds.",
    "Inhale for four seconds, hold for four seconds, exhale for four seconds.",
])
def test_a_breathing_tempo_is_not_a_hold(text):
    assert find_times(text) == []


def test_a_hold_beside_a_breathing_tempo_is_kept():
    times = find_times("Breathe in for 4 seconds and out for 6 while you stay here for 45 seconds.")
    assert [(t.min_seconds, t.max_seconds) for t in times] == [(45, 45)]


def test_a_range_written_from_to_keeps_both_ends():
    rec = record("## Thread the Needle\n\nFrom all fours, slide your right arm under your left. Stay here from "
                 "20 seconds to three minutes.\n\n## Cat Cow\n\nOn all fours, arch and round your back 8 times.\n",
                 "Thread the Needle")
    assert (rec.hold.min_seconds, rec.hold.max_seconds) == (20, 180)


def test_word_numbers_count_breaths():
    assert (find_breaths("Stay for six slow breaths.").min, find_breaths("Stay for six slow breaths.").max) == (6, 6)
    rec = record("## Sphinx\n\nLie on your front on your forearms. Hold for eight breaths.\n\n## Cat Cow\n\n"
                 "On all fours, arch and round your back 8 times.\n", "Sphinx")
    assert rec.breaths.min == 8 and rec.value_sources.hold is None


# --- sets ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, sets, reps", [
    ("Do 3 sets of 8.", 3, 8), ("12 reps x 2 sets", 2, 12), ("4 x 6 reps", 4, 6),
])
def test_sets_are_kept_apart_from_repetitions(text, sets, reps):
    assert find_sets(text).min == sets and find_repetitions(text).min == reps


def test_sets_of_a_timed_hold_are_not_repetitions():
    text = "Do 2 sets of 40-second holds."
    assert find_sets(text).min == 2 and find_repetitions(text) is None and find_times(text)[0].min_seconds == 40


def test_sets_reach_the_record():
    rec = record("## Hip Flexor Stretch\n\nKneel on one knee and shift your hips forward, then back. Do 3 sets of 6 on each side.\n\n"
                 "## Cat Cow\n\nOn all fours, arch and round your back 8 times.\n", "Hip Flexor Stretch")
    assert (rec.sets.min, rec.repetitions.min, rec.per_side) == (3, 6, True)
    assert rec.value_sources.sets == rec.value_sources.repetitions == "own text"


# --- a dose in the name -------------------------------------------------------------------------

def test_a_dose_ending_a_list_item_name_leaves_the_name():
    md = ("## Evening list\n\n- [Butterfly Stretch](https://example.org/v/1) 90 Seconds\n"
          "- [Lizard Lunge](https://example.org/v/2) 1 Min Each Leg\n- [Frog Pose](https://example.org/v/3) 2 Min\n")
    recs = by_name(article_from(md, "markdown"))
    lizard = recs["Lizard Lunge"]
    assert (lizard.hold.min_seconds, lizard.per_side) == (60, True)
    assert (lizard.value_sources.hold, lizard.value_sources.per_side) == ("heading", "heading")
    assert recs["Butterfly Stretch"].hold.min_seconds == 90


# --- per side ------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "Lie on your back and pull one knee in. Hold 20 seconds, then do both sides.",
    "Stand and hold a wall. Pull your heel to your seat, 30 seconds each leg.",
    "Kneel and shift your hips forward. 30s/side.",
    "Sit tall and twist to the right. Hold, then switch and repeat.",
    "Stand and lean to one side.\n\n- Left side: 20 seconds\n- Right side: 20 seconds",
])
def test_per_side_shapes(body):
    rec = record(f"## Test Stretch\n\n{body}\n\n## Cat Cow\n\nOn all fours, arch and round your back 8 times.\n",
                 "Test Stretch")
    assert rec.per_side is True and rec.value_sources.per_side == "own text"


def test_per_side_is_null_when_the_page_does_not_say():
    rec = record("## Test Stretch\n\nLie on your back and hug both knees. Hold 30 seconds.\n\n## Cat Cow\n\n"
                 "On all fours, arch and round your back 8 times.\n", "Test Stretch")
    assert rec.per_side is None and rec.value_sources.per_side is None


# --- position --------------------------------------------------------------------------------------

def test_the_position_held_not_the_way_into_it():
    rec = record("## Legs on the Bed\n\nSit on the edge of the bed, then lie back and lift both legs onto it. "
                 "Stay for two minutes.\n\n## Cat Cow\n\nOn all fours, arch and round your back 8 times.\n",
                 "Legs on the Bed")
    assert rec.position == "supine" and rec.value_sources.position == "own text"


def test_face_down_is_prone():
    rec = record("## Sphinx\n\nLying face-down, prop yourself on your forearms. Hold 30 seconds.\n\n## Cat Cow\n\n"
                 "On all fours, arch and round your back 8 times.\n", "Sphinx")
    assert rec.position == "prone"


def test_the_name_states_a_position_the_knowledge_base_does_not():
    md = ("# Checklist\n\n### Back\n- [ ] Seated spinal twist\n- [ ] Thread the needle\n- [ ] Cat-cow stretch\n")
    recs = by_name(article_from(md, "markdown"))
    assert (recs["Seated spinal twist"].position, recs["Seated spinal twist"].value_sources.position) == \
        ("seated", "heading")
    # the knowledge base knows this one is done on all fours; the page never says so
    assert recs["Thread the needle"].position is None and recs["Thread the needle"].value_sources.position is None


# --- group rules and table columns ---------------------------------------------------------------

def test_a_group_rule_above_the_list_fills_what_the_items_do_not_state():
    md = ("## Cool-down\n\nEach of the stretches below should be held for about 20-40 seconds unless stated.\n\n"
          "**Calf** – Step one foot back and press the heel down. Do this for both sides.\n\n"
          "**Hamstring** – Lie on your back and raise one straight leg. Hold for 60 seconds.\n")
    recs = by_name(article_from(md, "markdown"))
    calf, ham = recs["Calf"], recs["Hamstring"]
    assert (calf.hold.min_seconds, calf.hold.max_seconds, calf.value_sources.hold) == (20, 40, "group rule")
    assert (ham.hold.min_seconds, ham.value_sources.hold) == (60, "own text")  # its own word outranks the rule


def test_a_group_heading_of_body_areas_gives_the_targets():
    md = "# Checklist\n\n### Neck & Shoulders\n- [ ] Chin tuck stretch\n- [ ] Ear to shoulder stretch\n"
    rec = by_name(article_from(md, "markdown"))["Chin tuck stretch"]
    assert set(rec.targets) >= {"neck"} and rec.value_sources.targets == "group rule"


def test_a_dose_line_of_a_card_is_the_hold():
    html = ("<html><body><main><h1>Stretch library</h1>"
            "<article><h3>Doorway Chest Stretch</h3><p>Forearm on the frame, step gently through.</p>"
            "<div class='dose'><h4>Hold 30-45 sec</h4></div></article>"
            "<article><h3>Wall Calf</h3><p>Hands on the wall, step one leg back.</p>"
            "<div class='dose'><h4>20 sec each side</h4></div></article></main></body></html>")
    recs = by_name(article_from(html, "html"))
    door, calf = recs["Doorway Chest Stretch"], recs["Wall Calf"]
    assert (door.hold.min_seconds, door.hold.max_seconds, door.value_sources.hold) == (30, 45, "own text")
    assert (calf.hold.min_seconds, calf.per_side) == (20, True)


def test_names_and_titles_lose_page_chrome():
    md = ("---\ntitle: Easy Evening Stretches | Calm Corner Blog.com\n---\n\n### Lower body\n"
          "- [ ] Butterfly stretch\n- [ ] Figure four stretch\n")
    article = article_from(md, "markdown")
    assert article.title == "Easy Evening Stretches"
    assert {r.name for r in article.records} >= {"Butterfly stretch", "Figure four stretch"}
    assert all(r.source.title == "Easy Evening Stretches" for r in article.records)


def test_steps_are_instructions():
    rec = record("## Seated Forward Fold\n\nNotes:\n\n1. Sit with your legs long in front of you.\n"
                 "2. Hinge forward from the hips.\n3. Hold for 45 seconds.\n4. Breathe.\n\n## Cat Cow\n\n"
                 "On all fours, arch and round your back 8 times.\n", "Seated Forward Fold")
    assert rec.steps == ["Sit with your legs long in front of you.", "Hinge forward from the hips."]
    assert rec.hold.min_seconds == 45


def test_value_sources_reach_the_schema():
    from pipeline.records import Stretch
    from pipeline.schema import json_schema
    schema = json_schema(Stretch, "stretch")
    props = schema["$defs"]["ValueSources"]["properties"]
    assert set(props) >= {"position", "hold", "repetitions", "sets", "per_side", "targets", "steps"}
    assert "group rule" in props["hold"]["enum"] and None in props["hold"]["enum"]


def test_a_labelled_dose_line_is_the_hold_and_its_side():
    rec = record("## Supine Twist\n\n1. Lie on your back and drop both knees to one side.\n2. Look the other way.\n\n"
                 "**Daily dose**: 1 minute per side, ideally before bed\n\n## Cat Cow\n\n"
                 "On all fours, arch and round your back 8 times.\n", "Supine Twist")
    assert (rec.hold.min_seconds, rec.per_side, rec.value_sources.hold) == (60, True, "own text")


def test_a_closing_line_repeated_under_each_run_in_item_stays_with_each():
    html = ("<html><body><main><h1>Climbing stretches</h1><h3>Static stretches</h3>"
            "<p>Each of the stretches below should be held for about 15-25 seconds.</p>"
            "<p><b>Wrist flexor</b> – Extend one arm and pull the fingers back with the other hand. "
            "Do this for both sides.</p>"
            "<p><b>Shoulder</b> – Bring one arm across your chest and press it in with the other arm. "
            "Do this for both sides.</p></main></body></html>")
    recs = by_name(article_from(html, "html"))
    for name in ("Wrist flexor", "Shoulder"):
        assert recs[name].per_side is True and recs[name].value_sources.per_side == "own text"
        assert (recs[name].hold.min_seconds, recs[name].value_sources.hold) == (15, "group rule")


@pytest.mark.parametrize("name, area", [("Calf Wall Stretch", "calves"), ("Neck Side Stretch", "neck"),
                                        ("Hip Flexor Lunge", "hip flexors")])
def test_a_word_of_where_between_the_body_part_and_the_exercise_word(name, area):
    from pipeline.extract.sentences import name_targets
    from pipeline.knowledge import load_knowledge
    assert name_targets(name, load_knowledge()) == [area]
    assert name_targets("Forward Lunge", load_knowledge()) == []

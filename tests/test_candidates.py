"""What can open a record (pipeline/extract/candidates.py): the general shapes real pages give their
stretches in, written here in our own words. These check the candidates the decision sees; which of
them become records is the model's call (tests/test_model.py)."""
from pipeline.clean import clean_page
from pipeline.extract import extract_article
from pipeline.extract.candidates import find_candidates
from pipeline.knowledge import load_knowledge
from pipeline.records import Page

# run-in names, each "Name – what to do"; two carry no exercise word, so the rules pass them over
RUN_INS = ("# After the session\n\nEach of the stretches below should be held for about 15-25 seconds.\n\n"
           "Neck – Tilt your ear toward your shoulder. Do both sides.\n\n"
           "Hamstring – Fold forward over straight legs and let the head hang.\n\n"
           "Forearms – Kneel, turn the palms up on the floor and lean back gently.\n\n"
           "Glutes – Lie on your back and pull one knee across the body.\n")


# a routine at a glance (area and dose), then one section per move under another name; kept out of
# tests/data, whose pages are training pages for every fold of the grouped cross-validation
SUMMARY_THEN_SECTIONS = """\
# A ten-minute reset for cyclists

Long rides leave the front of the hips and the lower legs tight. Here is the whole reset at a glance; each move is explained further down.

## At a glance

1. Hips (psoas) — low lunge, 2 rounds of 40 s per side
2. Lower leg (soleus) — bent-knee wall lean, 2 rounds of 40 s per side
3. Upper back — thread the needle on all fours, 6 slow reps per side
4. Thigh (quads) — side-lying heel pull, 40 s per side

## The moves

### Low lunge psoas release

Kneel on your right knee with the left foot flat in front of you. Tuck the pelvis and shift your weight forward until the front of the right hip opens. Hold for 40 seconds, then change legs. Do two rounds.

### Bent-knee soleus lean

Face a wall with both hands on it and one foot a step behind the other. Bend both knees and sink until the low calf of the back leg stretches, heel down. Stay 40 seconds on each side, twice.

### Thread the needle

Start on hands and knees. Slide your right arm under your chest along the floor and rest the shoulder down, then reach it up to the ceiling. Move slowly six times on each side.

### Side-lying heel pull for the quads

Lie on your left side with your head on your arm. Hold your right ankle and draw the heel toward your buttock, knees together. Hold 40 seconds and roll over to do the other leg.
"""


def _candidates(text: str, fmt: str = "markdown"):
    doc = clean_page(Page(source="case.md" if fmt == "markdown" else "case.html", format=fmt, text=text))
    return find_candidates(doc.blocks, load_knowledge(), doc.title)


def test_a_run_in_section_ends_where_the_next_run_in_name_begins():
    cands = {c.section.name: " ".join(b.text for b in c.section.body) for c in _candidates(RUN_INS)}
    assert "Forearms" in cands and "Glutes" in cands
    assert "lean back" not in cands["Hamstring"] and "lean back" in cands["Forearms"]
    assert "one knee across" not in cands["Forearms"]


def test_a_routines_rule_stated_once_holds_for_the_run_ins_the_rules_passed_over():
    shared = {c.section.name: " ".join(b.text for b in c.section.shared) for c in _candidates(RUN_INS)}
    assert "15-25 seconds" in shared["Neck"]  # the rules' own section has it
    assert "15-25 seconds" in shared["Forearms"] and "15-25 seconds" in shared["Glutes"]


def test_a_run_in_counts_beside_run_ins_the_rules_made_headings_of():
    # the first three open with names the knowledge base knows (the rules split them into headings);
    # the last one, in the same shape, must not be left out for being the only plain paragraph
    page = ("# Five easy stretches\n\nA few moves anyone can do.\n\n"
            "Child's pose: Kneel, sit back on your heels and walk your hands forward. Rest there.\n\n"
            "Cat cow: On hands and knees, round then arch the back in time with the breath.\n\n"
            "Pigeon pose: From all fours slide one knee forward and lower the hips.\n\n"
            "Overhead side reaches: Stand tall, lift one arm over the head and lean to the far side.\n")
    assert "Overhead side reaches" in [c.section.name for c in _candidates(page)]


def test_a_list_of_steps_naming_a_body_part_here_and_there_gives_no_run_in_candidates():
    page = ("# Weeknight stew\n\n## Ingredients\n\n- 4 chicken thighs\n- 1 onion, diced\n- 2 carrots\n"
            "- 1 cup rice\n- Pork shoulder, cubed\n- Salt and pepper\n- 1 litre stock\n\n"
            "## Method\n\nBrown the meat, add the vegetables and stock, and simmer for an hour.\n")
    names = [c.section.name for c in _candidates(page)]
    assert not {"1 onion", "2 carrots", "1 cup rice", "Salt and pepper", "1 litre stock"} & set(names)


def test_a_summary_list_at_the_top_is_the_sections_it_repeats_below():
    page = SUMMARY_THEN_SECTIONS
    same = {c.section.name: c.same_as for c in _candidates(page) if c.same_as}
    # the items name an area and a dose; the sections below teach the same moves under other names
    assert same["Hips (psoas)"] == "Low lunge psoas release"
    assert same["Upper back"] == "Thread the needle"
    assert same["Thigh (quads)"] == "Side-lying heel pull for the quads"
    stretches = extract_article(clean_page(Page(source="case.md", format="markdown", text=page))).stretches
    assert [s.name for s in stretches] == ["Low lunge psoas release", "Bent-knee soleus lean", "Thread the needle",
                                           "Side-lying heel pull for the quads"]


def test_a_routine_that_shares_a_body_part_with_a_later_table_is_no_summary():
    # each routine item is its own stretch; the table after it is a second, shorter routine
    page = ("# After the run\n\n## Floor sequence\n\n- Seated quad stretch: sit back on your heels and lean back\n"
            "- Lying twist: knees to one side, arms wide\n- Seated pigeon: shin across, fold over it\n"
            "- Cobra: press the chest up from the floor\n\n## Quick version\n\n| Stretch | Time |\n|---|---|\n"
            "| Quad stretch | 30 sec each |\n| Glute stretch | 30 sec each |\n| Calf stretch | 30 sec each |\n")
    assert not [c.section.name for c in _candidates(page) if c.same_as]


# a studio page: one intro paragraph speaks of each pose, then each pose's heading has only a photo
PHOTO_HEADINGS = """<html><head><title>Studio Sunrise</title></head><body><main>
<h2>Poses we teach first</h2>
<p>Every class starts from a handful of shapes. Cat-cow wakes up the spine. Low lunge opens the front of the hip
and is held on each side. Butterfly pose softens the inner thighs while you sit tall. Bridge builds the glutes.</p>
<h2>Cat-cow</h2><img src="a.jpg" alt="A student on a mat">
<h2>Low lunge</h2><img src="b.jpg" alt="A student on a mat">
<h2>Butterfly pose</h2><img src="c.jpg" alt="A student on a mat">
</main></body></html>"""


def test_headings_with_only_a_photo_are_candidates_told_by_the_intro():
    cands = {c.section.name: " ".join(b.text for b in c.section.body) for c in _candidates(PHOTO_HEADINGS, "html")}
    assert {"Cat-cow", "Low lunge", "Butterfly pose"} <= set(cands)
    assert cands["Butterfly pose"] == "Butterfly pose softens the inner thighs while you sit tall."
    assert "inner thighs" not in cands["Low lunge"]


def test_a_bare_heading_among_headings_of_other_things_is_no_candidate():
    page = ("<html><head><title>Our studio</title></head><body><main><h2>Timetable</h2><p>Classes run daily at 7.</p>"
            "<h2>Pigeon pose</h2><img src='a.jpg' alt=''><h2>Prices</h2><p>Ten classes cost 80.</p>"
            "<h2>Contact us</h2><p>Write to the front desk.</p></main></body></html>")
    assert "Pigeon pose" not in [c.section.name for c in _candidates(page, "html")]

"""What can open a record (pipeline/extract/candidates.py): the general shapes real pages give their
stretches in, written here in our own words. These check the candidates the decision sees; which of
them become records is the model's call (tests/test_model.py)."""
from pipeline.clean import clean_page
from pipeline.extract.candidates import find_candidates
from pipeline.knowledge import load_knowledge
from pipeline.records import Page

# run-in names, each "Name – what to do"; two carry no exercise word, so the rules pass them over
RUN_INS = ("# After the session\n\nEach of the stretches below should be held for about 15-25 seconds.\n\n"
           "Neck – Tilt your ear toward your shoulder. Do both sides.\n\n"
           "Hamstring – Fold forward over straight legs and let the head hang.\n\n"
           "Forearms – Kneel, turn the palms up on the floor and lean back gently.\n\n"
           "Glutes – Lie on your back and pull one knee across the body.\n")


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

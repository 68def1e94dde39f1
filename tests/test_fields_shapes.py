"""Field values in shapes real pages take (issue 15, field values of records): targets a card's
caption or a purpose clause states, targets stated above a page about one exercise that also lists
related stretches, the position a set-up implies, and no position from the stretch's own name
restated. Each written here in other words than the page that showed it."""
from helpers import md_records as md, page_from

from pipeline.clean import clean_page
from pipeline.extract import page_candidates
from pipeline.knowledge import load_knowledge



def test_a_caption_that_says_what_the_exercise_is_for():
    recs = md("# Mobility Videos\n\n## Seated Spinal Twist\n\nVideo lesson: seated spinal twist for obliques\n\n"
              "## Wall Slide Stretch\n\nVideo lesson: wall slide stretch for the upper back and shoulders\n\n"
              "## Toe Touch Stretch\n\nVideo lesson: toe touch stretch for beginners\n")
    assert recs["Seated Spinal Twist"].targets == ["obliques"]
    assert recs["Wall Slide Stretch"].targets == ["upper back", "shoulders"]
    assert recs["Toe Touch Stretch"].targets == []  # "for beginners" names no body area


def test_sinking_into_a_body_part_names_it_as_the_target():
    recs = md("# After the Ride\n\n1. **Low lunge** - 45 seconds each leg\n   - Rear knee on the mat, sink into the front of the hip\n\n"
              "2. **Bench fold** - 30 seconds\n   - Hands on a bench, breathe into your lower back\n")
    assert recs["Low lunge"].targets == ["hip flexors"]
    assert recs["Bench fold"].targets == ["lower back"]


def test_the_lateral_chain_is_the_side_body():
    recs = md("# Desk Breaks\n\n## Overhead Lean\n\nRaise one arm and lean over to the far side. "
              "Lengthens the lateral chain.\n\n20 seconds each side.\n")
    assert recs["Overhead Lean"].targets == ["sides"]


def test_targets_stated_above_a_page_about_one_exercise_with_related_stretches_below():
    text = ("# Thread the Needle: Upper Back Relief\n\n| | |\n|---|---|\n| Targets | Upper back, shoulders |\n"
            "| Level | Easy |\n\n## How to Do It\n\n### Basic Thread the Needle\n\n1. Start on all fours\n"
            "2. Slide your right arm under your left arm\n3. Rest your shoulder on the mat\n4. Hold 30 seconds\n"
            "5. Change sides\n\n### Supported Thread the Needle\n\n1. Start on all fours with a cushion under your chest\n"
            "2. Slide one arm under the other\n3. Hold 45 seconds\n4. Change sides\n\n## Related Stretches\n\n"
            "### Puppy Pose\n\nFrom all fours, walk your hands forward and lower your chest. Hold 30 seconds.\n")
    recs = md(text)
    variants = [r for name, r in recs.items() if name.endswith("Thread the Needle")]
    assert variants and all(r.targets == ["upper back", "shoulders"] for r in variants)
    assert recs["Puppy Pose"].targets == []  # another stretch: the title does not name it


def test_hips_back_to_the_heels_is_kneeling():
    recs = md("# Rest Poses\n\n## Wide Rest Pose\n\nKnees apart, hips back toward the heels, forehead down. Hold 45 seconds.\n")
    assert recs["Wide Rest Pose"].position == "kneeling"


def test_the_stretch_named_again_in_its_steps_gives_no_position():
    recs = md("# Back Care\n\n## Cobra Stretch\n\nTo do a cobra stretch, press through your palms and lift "
              "your chest slowly. Hold 15 seconds.\n")
    assert recs["Cobra Stretch"].position is None  # what the knowledge base knows of it is not the page's word


def test_an_instruction_given_as_a_choice_is_a_step():
    # the record built for the run-in name, whatever the decision keeps: its steps are the field read here
    text = ("# Four Stretches for Desk Workers\n\n## Which stretches help most?\n\n**Forward bends:** Folding forward "
            "is good for a stiff back. There are two ways to do it: you can sit on the floor and reach slowly for your "
            "ankles, or you could stand and let your arms hang toward the floor.\n\n**Side bends:** Stand tall and "
            "reach one arm over your head to the far side. Hold 20 seconds on each side.\n")
    kb = load_knowledge()
    records = page_candidates(clean_page(page_from(text, "markdown"), kb), kb).records
    steps = " ".join(s for r in records if r.name == "Forward bends" for s in r.steps)
    assert "sit on the floor and reach slowly for your ankles" in steps


def test_a_body_part_in_a_clause_after_as_is_not_the_cue_s_target():
    recs = md("# Seated Poses\n\n## Tall Seat\n\nSit on the floor with legs crossed. Lengthen up through the crown of "
              "the head as the shoulders settle down. Hold 30 seconds.\n")
    assert "shoulders" not in recs["Tall Seat"].targets  # "lengthen" names what lengthens, not what settles

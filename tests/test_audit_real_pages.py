"""The audit on the shapes real articles take (issue 16): for each rule, a case it must report and a
near-miss it must leave alone, on small articles written for these tests. Severity follows the
evidence: `error` only where two quoted spans disagree, inferred cases at `warning`, a page's format
once at `info`."""
from helpers import page_from

from pipeline.audit import all_flags, audit_article
from pipeline.audit.rules import knowledge
from pipeline.clean import clean_page
from pipeline.extract import extract_article


def audited(text, fmt="text", before_audit=None):
    doc = clean_page(page_from(text, fmt))
    article = extract_article(doc)
    if before_audit:
        before_audit(article)
    return audit_article(article, doc=doc)


def flags(text, rule, fmt="text", stretch=None):
    return [f for f in all_flags(audited(text, fmt)) if f.rule == rule and (stretch is None or f.stretch == stretch)]


def section(name, body):
    return f"## {name}\n\n{body}\n\n"


# --- count-mismatch: the article's own numbering, not extraction ---------------------------

NUMBERED = ("# {title}\n\nTry these after work.\n\n"
            "## 1. Figure Four Stretch\n\nLie on your back and cross your right ankle over your left knee. Hold 30 seconds.\n\n"
            "## 2. Butterfly Stretch\n\nSit on the floor with the soles of your feet together. Hold 30 seconds.\n\n"
            "## 3. Child's Pose\n\nKneel on the floor and fold forward over your knees. Hold 40 seconds.\n")


def test_count_against_the_numbered_sections_is_an_error_quoting_both():
    found = flags(NUMBERED.format(title="5 Stretches for Tight Hips"), "count-mismatch", "markdown")
    assert found and found[0].severity == "error"
    assert "claims 5 but has 3" in found[0].message
    assert any("Child's Pose" in e for e in found[0].evidence) and any("5 Stretches" in e for e in found[0].evidence)


def test_numbers_that_are_not_counts_claim_nothing():
    assert not flags(NUMBERED.format(title="The 90/90 Stretch and Friends"), "count-mismatch", "markdown")
    assert not flags(NUMBERED.format(title="3 Stretches for Tight Hips"), "count-mismatch", "markdown")
    text = NUMBERED.format(title="Hip Stretches").replace("Try these after work.", "Hold each one for 2 minutes.")
    assert not flags(text, "count-mismatch", "markdown")


# --- a page's format once at info; a lone gap a warning ---------------------------------------

def test_most_stretches_without_a_hold_is_the_pages_format_said_once():
    text = "# Morning Stretches\n\n" + "".join(section(n, b) for n, b in [
        ("Neck Side Stretch", "Sit tall and tilt your ear toward your shoulder."),
        ("Chest Opener", "Stand in a doorway and lean gently through it with your arms on the frame."),
        ("Calf Stretch", "Stand facing a wall and step one foot back, pressing the heel down."),
        ("Quad Stretch", "Stand on one leg and pull the other heel toward your seat.")])
    found = flags(text, "missing-hold", "markdown")
    assert len(found) == 1 and found[0].severity == "info" and "4 stretches" in found[0].message


def test_one_stretch_without_a_hold_among_timed_ones_is_a_warning_but_a_vague_amount_is_a_hold():
    timed = "".join(section(n, b) for n, b in [
        ("Neck Side Stretch", "Sit tall and tilt your ear toward your shoulder. Hold 20 seconds."),
        ("Chest Opener", "Stand in a doorway and lean gently through it. Hold 30 seconds."),
        ("Calf Stretch", "Stand facing a wall and step one foot back. Hold 30 seconds.")])
    lone = "# Morning Stretches\n\n" + timed + section("Quad Stretch", "Stand on one leg and pull the other heel up.")
    found = flags(lone, "missing-hold", "markdown")
    assert [f.stretch for f in found] == ["Quad Stretch"] and found[0].severity == "warning"
    vague = lone.replace("pull the other heel up.", "pull the other heel up. Stay there for a few slow breaths.")
    assert not flags(vague, "missing-hold", "markdown")


# --- position-conflict: two starts are inferred; the way into a pose is no start ----------------

def test_two_instructed_starts_are_a_warning_and_the_way_into_the_pose_is_none():
    two = "# Hips\n\n" + section("Hip Flexor Stretch", "Stand with your feet apart. Sit on a chair with one leg back. "
                                                       "Hold 30 seconds.")
    found = flags(two, "position-conflict", "markdown")
    assert found and found[0].severity == "warning" and len(found[0].evidence) == 2
    way_in = "# Hips\n\n" + section("Child's Pose", "Kneel on the floor with your knees wide. Sit back on your heels "
                                                    "and reach your arms forward. Hold 30 seconds.")
    assert not flags(way_in, "position-conflict", "markdown")


def test_an_explanation_is_not_a_start():
    text = "# Desk\n\n" + section("Hip Flexor Stretch", "Stand up and step one foot back until you feel a stretch. "
                                                        "Sitting all day shortens this muscle. Hold 30 seconds.")
    assert not flags(text, "position-conflict", "markdown")


# --- off-topic: a strength move told to the reader, not what a pose builds ----------------------

def test_a_strength_instruction_inside_a_stretch_is_off_topic():
    text = "# Legs\n\n" + section("Hamstring Stretch", "Sit with one leg straight and reach for your toes. Hold 30 "
                                                       "seconds. Afterwards do 3 sets of 12 squats.")
    found = flags(text, "off-topic", "markdown")
    assert found and found[0].message == "1 sentence about other exercises" and "squats" in found[0].evidence[0]


def test_what_a_pose_builds_is_not_off_topic():
    text = "# Yoga\n\n" + section("Warrior Two", "Stand with your feet wide and bend your front knee. Hold 30 seconds. "
                                                 "This pose builds strength in the legs and improves balance.")
    assert not flags(text, "off-topic", "markdown")


# --- safety in other words ----------------------------------------------------------------------

def test_pulsing_and_forcing_are_unsafe_but_warned_against_they_are_not():
    pulse = "# Legs\n\n" + section("Hamstring Stretch", "Sit with one leg straight and reach for your toes. Pulse "
                                                        "gently at the bottom. Hold 30 seconds.")
    assert flags(pulse, "safety", "markdown")
    force = pulse.replace("Pulse gently at the bottom.", "Force your chest a little deeper each time.")
    assert flags(force, "safety", "markdown")
    careful = pulse.replace("Pulse gently at the bottom.", "Never pulse or bounce at the bottom.")
    assert not flags(careful, "safety", "markdown")


# --- holds: unit slips against the page, a second hold against the section's own ----------------

def test_minutes_among_stretches_held_for_seconds_is_implausible_but_not_on_a_long_hold_page():
    page = "# Legs\n\n" + "".join(section(n, f"{b} Hold {t}.") for n, b, t in [
        ("Calf Stretch", "Stand facing a wall and step one foot back.", "{0}"),
        ("Quad Stretch", "Stand on one leg and pull the other heel up.", "{1}"),
        ("Hamstring Stretch", "Sit with one leg straight and reach forward.", "{1}")])
    slip = page.format("20 minutes", "30 seconds")
    found = flags(slip, "implausible-hold", "markdown")
    assert [f.stretch for f in found] == ["Calf Stretch"] and "20 minutes" in found[0].evidence[0]
    yin = page.format("4 minutes", "5 minutes")
    assert not flags(yin, "implausible-hold", "markdown")


def test_a_hold_instruction_against_the_sections_dose_is_a_second_hold():
    text = "# Legs\n\n" + section("Calf Stretch", "Stand facing a wall and step one foot back.\n\nDose: 30 seconds "
                                                  "each side.\n\nHold the stretch for 90 seconds.")
    found = flags(text, "hold-conflict", "markdown")
    assert found and "30 seconds" in found[0].message and "90 seconds" in found[0].message
    staged = text.replace("Hold the stretch for 90 seconds.", "Work up to holding it longer as you get looser.")
    assert not flags(staged, "hold-conflict", "markdown")


# --- duplicates: a pasted section, and mirrored steps that are not one ---------------------------

CALF = "Stand facing a wall with your hands flat on it and step one foot back. Press the heel down. Hold 30 seconds."


def test_a_section_pasted_again_is_reported_by_name():
    text = "# Legs\n\n" + section("Calf Stretch", CALF) + section("Calf Stretch", CALF) + \
        section("Quad Stretch", "Stand on one leg and pull the other heel toward your seat. Hold 30 seconds.")
    found = flags(text, "duplicate-content", "markdown") + flags(text, "duplicate-exercise", "markdown")
    assert found and any("Calf Stretch" in f.message for f in found)


def test_the_other_sides_steps_are_not_restated_steps():
    text = "# Hips\n\n" + section("Lunge Stretch", "Kneel on the left knee and place the right foot forward. Push the "
                                                   "hips forward gently. Hold 30 seconds. Kneel on the right knee and "
                                                   "place the left foot forward. Push the hips forward gently. Hold 30 "
                                                   "seconds.")
    assert not flags(text, "duplicate-content", "markdown")


# --- direction: sides the body's shape ties together ---------------------------------------------

def test_an_ear_that_goes_to_the_other_shoulder_is_reported():
    text = "# Neck\n\n" + section("Neck Side Stretch", "Sit tall. Tilt your head to the right, bringing your left ear "
                                                       "toward your right shoulder. Hold 20 seconds.")
    found = flags(text, "direction-conflict", "markdown")
    assert found and found[0].severity == "warning"
    fine = text.replace("bringing your left ear", "bringing your right ear")
    assert not flags(fine, "direction-conflict", "markdown")


def test_a_leg_crossed_over_itself_is_reported():
    text = "# Hips\n\n" + section("Figure Four Stretch", "Lie on your back. Cross your right ankle over your right "
                                                         "knee and pull the thigh in. Hold 30 seconds.")
    assert flags(text, "direction-conflict", "markdown")
    assert not flags(text.replace("over your right knee", "over your left knee"), "direction-conflict", "markdown")


# --- topic: strength once per page; a topic most stretches leave is no topic ----------------------

def test_strength_exercises_in_a_stretching_article_are_said_once():
    text = "# Stretches for Runners\n\n" + "".join(section(n, b) for n, b in [
        ("Calf Stretch", CALF),
        ("Push-Ups", "Get into a plank and lower your chest to the floor. Do 10 reps."),
        ("Squats", "Stand with feet apart and sit your hips back. Do 15 reps.")])
    found = flags(text, "topic-drift", "markdown")
    assert len(found) == 1 and "Push-Ups" in found[0].message and "Squats" in found[0].message


# --- the extraction model's doubt keeps the audit quiet -------------------------------------------

def test_a_record_the_model_doubts_gets_no_record_findings():
    text = "# Legs\n\n" + section("Calf Stretch", CALF) + section("Hamstring Sweep", "Sit tall and sweep your arms "
                                                                                   "down toward your toes slowly.")

    def doubt(article):
        for r in article.records:
            if r.name == "Hamstring Sweep":
                r.confidence = 0.2

    sure = {f.rule for f in all_flags(audited(text, "markdown")) if f.stretch == "Hamstring Sweep"}
    doubted = {f.rule for f in all_flags(audited(text, "markdown", doubt)) if f.stretch == "Hamstring Sweep"}
    assert sure and not doubted


# --- issue 19: section bounds once per article ---------------------------------------------------

def test_caption_section_bounds_are_computed_once_per_article(monkeypatch):
    calls = []
    compute = knowledge.section_bounds

    def counting(ctx):
        calls.append(ctx.article)
        return compute(ctx)

    monkeypatch.setattr(knowledge, "section_bounds", counting)
    text = "# Back Stretches\n\n" + "".join(section(n, b) for n, b in [
        ("Child's Pose", "Kneel and fold forward over your knees. Hold 30 seconds."),
        ("Cobra Pose", "Lie on your stomach and press your chest up. Hold 20 seconds."),
        ("Cat-Cow Stretch", "Start on your hands and knees and round your back. Repeat 10 times."),
        ("Knee-to-Chest Stretch", "Lie on your back and hug one knee in. Hold 30 seconds.")])
    article = audited(text, "markdown")
    assert sum(1 for r in article.records if r.canonical_name) >= 3
    assert len(calls) == 1


# --- anatomy stated backwards --------------------------------------------------------------------

def test_a_pelvic_tilt_that_lengthens_the_lower_back_by_arching_it_is_reported():
    text = "# Back\n\n" + section("Pelvic Tilts", "Lie on your back with your knees bent. Rock your pelvis up and "
                                                  "down 10 times. When you tilt your pelvis down, you lengthen the "
                                                  "lower back muscles.")
    found = flags(text, "kb-conflict", "markdown")
    assert found and "pelvis" in found[0].message and found[0].severity == "warning"
    right = text.replace("tilt your pelvis down, you lengthen", "tilt your pelvis up, you lengthen")
    assert not flags(right, "kb-conflict", "markdown")


def test_a_count_changed_in_one_of_the_places_that_state_it_is_reported():
    page = NUMBERED.format(title="3 Stretches for Tight Hips").replace(
        "Try these after work.", "## {n} stretches to try after work")
    found = flags(page.format(n="Four"), "count-mismatch", "markdown")
    assert found and "claims 4 but has 3" in found[0].message
    assert not flags(page.format(n="Three"), "count-mismatch", "markdown")

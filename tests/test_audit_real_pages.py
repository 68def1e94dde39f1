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


# --- issue 16, second round: written in other words than any corpus page -------------------------

def audited_page(text, fmt):
    """The page through every stage, the audit reading the page as read too (its markup's alt text
    and <title>), as `stretchpipe run` and `audit` do."""
    from pipeline.runner import process_page
    return process_page(page_from(text, fmt, source=f"test.{'html' if fmt == 'html' else 'md'}"))[1]


def page_flags(text, rule, fmt):
    return [f for f in all_flags(audited_page(text, fmt)) if f.rule == rule]


PROGRAMME = ("# Evening Wind-Down\n\nFive quiet minutes before bed.\n\n"
             "- **Doorway chest opener** - 40 sec\n- **Seated spinal twist** - 30 sec per side\n"
             "- **Reclined butterfly** - 2 min\n- **Happy baby** - 1 min\n")


def test_an_item_pasted_again_right_after_itself_is_a_pasted_section():
    pasted = PROGRAMME.replace("- **Reclined butterfly** - 2 min\n", "- **Reclined butterfly** - 2 min\n" * 2)
    found = flags(pasted, "duplicate-content", "markdown")
    assert found and "Reclined butterfly" in found[0].message and found[0].stretch == "Reclined butterfly"
    assert not flags(PROGRAMME, "duplicate-content", "markdown")
    # the same stretch again later in a circuit is the routine, not a paste
    circuit = PROGRAMME + "- **Doorway chest opener** - 40 sec\n"
    assert not flags(circuit, "duplicate-content", "markdown")


def test_two_holds_one_right_after_the_other_conflict_even_beside_a_third():
    body = ("Sit tall and drop your right ear toward your right shoulder. Hold for 15 seconds. Stay there for 90 "
            "seconds. Then turn your chin toward your armpit and hold for 30 seconds.")
    found = flags("# Neck\n\n" + section("Neck Release", body), "hold-conflict", "markdown")
    assert found and "15 seconds" in found[0].message and "90 seconds" in found[0].message
    staged = body.replace("Stay there for 90 seconds.", "Then stay there for 10 seconds more.")
    assert not flags("# Neck\n\n" + section("Neck Release", staged), "hold-conflict", "markdown")


def test_a_bare_dose_line_against_a_hold_instruction_is_a_second_hold():
    text = ("# Legs\n\n## Wall Calf Stretch\n\n- Hands on the wall, back heel pressed down\n- 2 x 20 s per leg\n"
            "- Stay in it for a full 90 seconds.\n")
    found = flags(text, "hold-conflict", "markdown")
    assert found and "20 s" in found[0].message and "90 seconds" in found[0].message
    agreeing = text.replace("for a full 90 seconds", "for 20 seconds")
    assert not flags(agreeing, "hold-conflict", "markdown")


def test_two_lists_under_one_heading_are_two_exercises_not_two_holds():
    text = ("# Hips\n\n## Hip Openers\n\n**On the floor:**\n\n1. Lie down and cross one shin over the other thigh\n"
            "2. Hold 20 seconds\n\n**On a chair:**\n\n1. Sit and rest one ankle on the other knee\n2. Hold 75 seconds\n")
    assert not flags(text, "hold-conflict", "markdown")


def test_sides_the_body_ties_together_in_new_words():
    cases = [  # (name, step with a slip, the same step put right)
        ("Warrior Two Pose", "Bend your left knee so that it sits right over your right ankle.",
         "Bend your left knee so that it sits right over your left ankle."),
        ("Low Lunge", "Step forward with your right foot while you keep your right foot behind you.",
         "Step forward with your right foot while you keep your left foot behind you."),
        ("Standing Quad Stretch", "Bend one leg behind you and catch your left ankle with your right hand.",
         "Bend one leg behind you and catch your left ankle with your left hand."),
        ("Side Lunge", "Bend your right knee and slowly shift your weight toward the left.",
         "Bend your right knee and slowly shift your weight toward the right."),
        ("Seated Twist", "Cross your legs, then put your left hand on your left knee and turn.",
         "Cross your legs, then put your left hand on your right knee and turn."),
    ]
    for name, wrong, right in cases:
        assert flags("# Stretches\n\n" + section(name, wrong + " Hold 30 seconds."), "direction-conflict",
                     "markdown"), name
        assert not flags("# Stretches\n\n" + section(name, right + " Hold 30 seconds."), "direction-conflict",
                         "markdown"), name


def test_a_leg_bent_in_one_step_and_kept_straight_in_the_next_is_reported():
    body = "Stand with feet wide. Bend the left knee deeply. Keep the left leg straight and long. Hold 30 seconds."
    found = flags("# Legs\n\n" + section("Side Lunge", body), "direction-conflict", "markdown")
    assert found and found[0].severity == "warning" and "left knee" in found[0].message
    assert not flags("# Legs\n\n" + section("Side Lunge", body.replace("Keep the left leg", "Keep the right leg")),
                     "direction-conflict", "markdown")


def test_a_step_that_places_the_reader_in_two_positions_at_once():
    wrong = "# Back\n\n" + section("Sphinx Stretch", "Kneel on your stomach and prop yourself on your forearms. "
                                                     "Hold 30 seconds.")
    found = flags(wrong, "position-conflict", "markdown")
    assert found and found[0].severity == "warning" and "kneeling and prone" in found[0].message
    right = wrong.replace("Kneel on your stomach", "Lie face down on the mat")
    assert not flags(right, "position-conflict", "markdown")


def test_a_step_into_a_pose_done_in_another_position():
    wrong = "# Balance\n\n" + section("Balance Flow", "Sit down into tree pose and find a point to look at. "
                                                     "Hold 20 seconds.")
    found = flags(wrong, "position-conflict", "markdown")
    assert found and "Tree Pose" in found[0].message and "standing" in found[0].message
    assert not flags(wrong.replace("Sit down into tree pose", "Stand in tree pose"), "position-conflict", "markdown")


def test_stand_tall_in_a_kneeling_stretch_is_the_torso_but_not_in_a_seated_one():
    kneeling = "# Hips\n\n" + section("Kneeling Hip Flexor Stretch", "Stand tall through the torso and press the "
                                                                     "hips forward. Hold 30 seconds.")
    assert not flags(kneeling, "position-conflict", "markdown")
    seated = kneeling.replace("Kneeling Hip Flexor Stretch", "Seated Side Bend")
    assert flags(seated, "position-conflict", "markdown")


def test_a_count_in_the_intro_paragraph_alone_or_in_the_html_title_is_held_against_the_sections():
    intro = NUMBERED.format(title="Stretches for Tight Hips").replace(
        "Try these after work.", "Here are four stretches that will loosen your hips after work.")
    found = flags(intro, "count-mismatch", "markdown")
    assert found and "claims 4 but has 3" in found[0].message
    assert not flags(intro.replace("four stretches", "three stretches"), "count-mismatch", "markdown")
    html = ("<html><head><title>4 Stretches for Tight Hips | Example</title></head><body><main>"
            "<h1>Stretches for tight hips</h1>"
            "<h2>1. Figure Four Stretch</h2><p>Lie on your back and cross your right ankle over your left knee. "
            "Hold 30 seconds.</p><h2>2. Butterfly Stretch</h2><p>Sit on the floor with the soles of your feet "
            "together. Hold 30 seconds.</p><h2>3. Child's Pose</h2><p>Kneel on the floor and fold forward over "
            "your knees. Hold 40 seconds.</p></main></body></html>")
    found = page_flags(html, "count-mismatch", "html")
    assert found and "claims 4 but has 3" in found[0].message
    assert not page_flags(html.replace("<title>4 Stretches", "<title>3 Stretches"), "count-mismatch", "html")


ALT_PAGE = ("<html><head><title>Two for the back</title></head><body><main><h1>Two for the back</h1>"
            "<h2>Child's Pose</h2><img src=\"a.jpg\" alt=\"{alt}\">"
            "<p>Kneel down, sit back on your heels and fold forward until your forehead rests on the floor. "
            "Breathe here for a minute.</p>"
            "<h2>Cobra Pose</h2><p>Lie face down, hands under your shoulders, and press your chest up. "
            "Hold 20 seconds.</p></main></body></html>")


def test_an_image_whose_alt_text_names_another_stretch_is_a_warning_quoting_it():
    found = page_flags(ALT_PAGE.format(alt="Woman holding a pigeon pose on a blue mat"), "kb-conflict", "html")
    assert found and found[0].severity == "warning" and found[0].stretch == "Child's Pose"
    assert "Pigeon Pose" in found[0].message and "Woman holding a pigeon pose on a blue mat" in found[0].evidence
    assert not page_flags(ALT_PAGE.format(alt="Woman resting in child's pose"), "kb-conflict", "html")
    assert not page_flags(ALT_PAGE.format(alt="A quiet studio at dawn"), "kb-conflict", "html")


def test_an_image_closing_a_section_that_names_the_next_one_sits_above_its_heading():
    closing = ALT_PAGE.format(alt="x").replace('<img src="a.jpg" alt="x">', "").replace(
        "<h2>Cobra Pose</h2>", '<img src="b.jpg" alt="Cobra pose, chest lifted"><h2>Cobra Pose</h2>')
    assert not page_flags(closing, "kb-conflict", "html")


def test_a_markdown_image_alt_text_is_read_too():
    text = ("# Two for the back\n\n## Child's Pose\n\n![Man in a downward dog on grass](dog.jpg)\n\n"
            "Kneel down, sit back on your heels and fold forward. Breathe here for a minute.\n\n"
            "## Cobra Pose\n\nLie face down, hands under your shoulders, and press your chest up. Hold 20 seconds.\n")
    found = page_flags(text, "kb-conflict", "markdown")
    assert found and "Downward-Facing Dog" in found[0].message


def test_later_steps_that_share_a_few_words_are_not_restated_steps():
    body = ("Stand tall and lift both arms overhead. Then bring your arms down and rest them behind your back. "
            "Then bring your arms forward and hold them out in front. Hold 20 seconds.")
    assert not flags("# Shoulders\n\n" + section("Arm Sweeps", body), "duplicate-content", "markdown")


# --- a name's position against the text and against the knowledge base (issue 16) -------------

OTHERS = (section("Figure Four Stretch", "Lie on your back and cross your right ankle over your left knee. Hold 30 seconds.")
          + section("Child's Pose", "Kneel on the floor and fold forward over your knees. Hold 40 seconds."))


def test_a_position_read_off_the_name_does_not_excuse_steps_that_start_elsewhere():
    # extraction reads "Stand tall" as a posture and falls back on the name's position; the name is the claim
    body = ("A steadying pose for the ankles.\n\nStand tall beside a sturdy chair, one hand resting on its back. "
            "Shift your weight onto one foot and breathe steadily for five breaths.")
    wrong = "# Chair Yoga\n\n" + section("Seated Balance Hold", body) + OTHERS
    found = flags(wrong, "position-conflict", "markdown", stretch="Seated Balance Hold")
    assert found and "seated" in found[0].message and found[0].evidence[0].startswith("Stand tall beside")
    assert not flags(wrong.replace("Stand tall beside", "Sit tall on"), "position-conflict", "markdown")


def test_a_name_that_puts_a_one_position_pose_elsewhere_is_a_warning_unless_the_text_does_too():
    wrong = "# Back Care\n\n" + section("Standing Cobra", "Press into your hands and lift the chest, shoulders "
                                                          "away from the ears. Hold 20 seconds.") + OTHERS
    found = flags(wrong, "kb-conflict", "markdown", stretch="Standing Cobra")
    assert found and found[0].severity == "warning" and "Cobra Pose is done prone" in found[0].message
    assert found[0].evidence == ["Standing Cobra"]
    # the text does it the name's way (a chair version), or the knowledge base knows the variant
    chair = "# Chair Yoga\n\n" + section("Seated Cat-Cow", "Sit tall on a chair, hands on your knees. Arch and round "
                                                           "your back with the breath, 5 times.") + OTHERS
    assert not flags(chair, "kb-conflict", "markdown")
    variant = "# Hips\n\n" + section("Seated Figure Four", "Cross one ankle over the other knee and lean forward. "
                                                           "Hold 30 seconds.") + OTHERS
    assert not flags(variant, "kb-conflict", "markdown")


def test_a_start_in_a_sentence_that_names_another_pose_is_that_poses():
    flow = ("We begin on all fours for a few rounds of Cat-Cow. Then lower all the way down and lift the chest "
            "with your hands under your shoulders. Hold 20 seconds.")
    text = "# Back Flow\n\n" + section("Cobra Pose", flow) + OTHERS
    assert not flags(text, "kb-conflict", "markdown", stretch="Cobra Pose")
    wrong = text.replace("We begin on all fours for a few rounds of Cat-Cow.", "Come onto all fours.")
    assert flags(wrong, "kb-conflict", "markdown", stretch="Cobra Pose")


def test_the_front_leg_of_a_kneeling_lunge_and_the_reach_of_a_bird_dog_are_the_other_side():
    lunge = ("Kneel on the left knee, placing the right foot forward at a right angle. Sink the hips forward. "
             "Hold 30 seconds.")
    right = "# Hips\n\n" + section("Low Lunge", lunge) + OTHERS
    assert not flags(right, "direction-conflict", "markdown")
    found = flags(right.replace("placing the right foot", "placing the left foot"), "direction-conflict", "markdown")
    assert found and found[0].severity == "warning" and "left" in found[0].message
    reach = ("Come onto all fours, hands under the shoulders. Reach the right arm forward and the left leg back. "
             "Hold 10 seconds, then switch sides.")
    right = "# Core\n\n" + section("Bird Dog Reach", reach) + OTHERS
    assert not flags(right, "direction-conflict", "markdown")
    assert flags(right.replace("the left leg back", "the right leg back"), "direction-conflict", "markdown")
    # standing, a same-side reach is a choice of the exercise, not a slip
    standing = right.replace("Come onto all fours, hands under the shoulders.", "Stand tall with feet together.")
    assert not flags(standing.replace("the left leg back", "the right leg back"), "direction-conflict", "markdown")


def test_a_hold_that_contradicts_another_under_a_position_label_is_a_second_hold():
    # "Standing:" above the steps makes them a labelled part; its two holds still disagree
    steps = "**Standing:**\n\n1. Grab a sturdy object overhead\n2. Drop your hips back and to the side\n" \
            "3. Hold 30-45 seconds each side. Keep holding for 15 seconds.\n"
    text = "# Upper Body\n\n" + section("Lat Stretch", steps) + OTHERS
    found = flags(text, "hold-conflict", "markdown", stretch="Lat Stretch")
    assert found and "30-45 seconds" in found[0].message and "15 seconds" in found[0].message
    assert not flags(text.replace(" Keep holding for 15 seconds.", ""), "hold-conflict", "markdown")


def test_standing_on_one_knee_places_the_reader_twice():
    steps = "**Kneeling:**\n\n1. Stand on one knee\n2. Push your hips forward\n3. Hold 45-60 seconds each side\n"
    text = "# Hips\n\n" + section("Hip Flexor Stretch", steps) + OTHERS
    found = flags(text, "position-conflict", "markdown", stretch="Hip Flexor Stretch")
    assert found and "standing and kneeling" in found[0].message
    assert not flags(text.replace("Stand on one knee", "Kneel on one knee"), "position-conflict", "markdown")


def test_repeating_several_times_is_an_amount_though_not_a_number():
    rolls = "Roll your shoulders forward in a circular motion, then backward. Repeat several times."
    text = "# Desk Breaks\n\n" + section("Shoulder Rolls", rolls) + OTHERS
    assert not flags(text, "missing-hold", "markdown")
    assert flags(text.replace(" Repeat several times.", ""), "missing-hold", "markdown", stretch="Shoulder Rolls")


def test_a_page_that_teaches_no_steps_anywhere_is_not_told_one_blurb_lacks_them():
    blurbs = ("1. Child's Pose (Balasana): This pose is a gentle stretch for the lower back, hips, and thighs.\n"
              "2. Cobra Pose (Bhujangasana): This is a gentle backbend that can help to relieve tension in the back.\n")
    table = ("## Poses\n\n| Pose Name | Sanskrit Name |\n|---|---|\n| Mountain Pose | Tadasana |\n"
             "| Downward-Facing Dog | Adho Mukha Svanasana |\n| Triangle Pose | Trikonasana |\n"
             "| Happy Baby Pose | Ananda Balasana |\n| Sphinx Pose | Salamba Bhujangasana |\n")
    found = flags("# yoga\n\n" + blurbs + "\n" + table, "missing-steps", "markdown")
    assert found and all(f.severity == "info" for f in found)
    # where the page's other sections do teach steps, a blurb without them is a gap worth a warning
    taught = "# Hips\n\n" + section("Pigeon Pose", "Pigeon pose is a deep hip opener loved by runners and dancers.") \
        + OTHERS
    assert [f.severity for f in flags(taught, "missing-steps", "markdown")] == ["warning"]

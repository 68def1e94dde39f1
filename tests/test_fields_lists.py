"""Field values that real pages give in lists and cards (issue 15): terse steps in a list of steps,
a clause after a semicolon, variants headed by their position, a card's dose line set apart by
dots, a manner word inside a count, a list's lead line that places its items, a posture cue
against the name. Each written here in other words than the page that showed it."""
from helpers import article_from, by_name, md_records as md

from pipeline.evaluate_corpus import PreparedPage, _with_intro_targets
from pipeline.extract import intro_target_lines, takes_intro_targets
from pipeline.clean import clean_page
from pipeline.knowledge import load_knowledge
from pipeline.quantities import find_repetitions
from helpers import page_from



def test_terse_items_of_a_list_of_steps_are_steps():
    recs = md("# Lower Leg Care\n\n## Wall Calf Lean\n\n1. Palms flat on the wall\n2. Step one foot back\n"
              "3. Rear heel down, toes ahead\n4. Hold 30 seconds each leg\n\n"
              "## Ankle Circles\n\n1. Sit on a chair and lift one foot\n2. Draw slow circles\n3. Tempo: 2 s a circle\n")
    steps = recs["Wall Calf Lean"].steps
    assert steps[:3] == ["Palms flat on the wall", "Step one foot back", "Rear heel down, toes ahead"]
    assert not any("Hold 30" in s for s in steps)  # the dose is the hold, not a step
    assert not any(s.startswith("Tempo") for s in recs["Ankle Circles"].steps)  # a note, not a step


def test_a_list_with_no_instruction_gives_no_steps():
    recs = md("# Lower Leg Care\n\n## Wall Calf Lean\n\nStand facing a wall. Hold 30 seconds.\n\n### Why it helps\n\n"
              "- Looser calves after long walks\n- Better ankle range\n")
    assert recs["Wall Calf Lean"].steps == ["Stand facing a wall."]


def test_an_instruction_after_a_semicolon():
    recs = md("# Lower Leg Care\n\n## Wall Calf Lean\n\n- Hands on the wall, one leg back\n"
              "- Rear heel grounded; lean in until the calf pulls\n\nHold 30 seconds.\n")
    assert any("lean in until the calf pulls" in s for s in recs["Wall Calf Lean"].steps)


def test_variants_headed_by_their_position():
    recs = md("# Leg Guide\n\n### Hamstring Reach\n\n**Seated:**\n\n1. Legs long in front\n2. Reach for your shins\n"
              "3. Hold 30 seconds\n\n**Standing:**\n\n1. One heel on a low step\n2. Hinge forward\n3. Hold 30 seconds\n")
    rec = recs["Hamstring Reach"]
    assert rec.position == "seated" and set(rec.position_options) >= {"seated", "standing"}


def test_a_card_dose_line_with_notes_set_apart_by_dots():
    html = ("<html><body><h1>Desk Breaks</h1><article><h3>Wrist flexor stretch</h3>"
            "<h4>2 × 20 s each arm · use a table edge</h4><ul><li>Arm straight, palm up</li>"
            "<li>Pull the fingers back with the other hand</li></ul></article>"
            "<article><h3>Neck tilt</h3><h4>3 × 15 s each side · seated</h4><ul><li>Ear toward shoulder</li>"
            "<li>Let the shoulder drop</li></ul></article></body></html>")
    rec = by_name(article_from(html, fmt="html"))["Wrist flexor stretch"]
    assert (rec.hold.min_seconds, rec.hold.max_seconds) == (20, 20) and rec.per_side is True


def test_a_manner_word_inside_a_count():
    kb = load_knowledge()
    assert (find_repetitions("6 slow rounds, following the breath", kb).min) == 6
    assert (find_repetitions("Draw 10 small circles each way", kb).max) == 10
    assert find_repetitions("a slow stretch for the calves", kb) is None


def test_a_lead_line_places_the_items_of_its_list():
    recs = md("# Mat Session\n\nLie on your side, then:\n\n1. Top-leg lift x 10\n2. Outer thigh stretch 20 second hold\n\n"
              "Lie on your back, then:\n\n1. Bridge x 10\n2. Glute stretch 20 second hold\n")
    assert recs["Outer thigh stretch"].position == "side-lying"
    assert recs["Outer thigh stretch"].value_sources.position == "group rule"
    assert recs["Glute stretch"].position == "supine"


def test_a_posture_cue_does_not_outrank_the_name():
    recs = md("# Hip Care\n\n## Kneeling Hip Opener\n\n- Pad under the rear knee\n"
              "- Stand tall through the trunk and press the hips forward\n\nHold 30 seconds each side.\n")
    assert recs["Kneeling Hip Opener"].position == "kneeling"


def test_the_corpus_score_gives_intro_targets_as_the_run_does(tmp_path):
    text = ("# Hip Hinge Guide\n\n| | |\n|---|---|\n| Targets | Hamstrings, glutes |\n| Level | Easy |\n\n"
            "## Standing Hip Hinge\n\nStand tall and hinge forward at the hips. Hold 20 seconds.\n\n"
            "## Seated Hip Hinge\n\nSit on a chair and hinge forward at the hips. Hold 20 seconds.\n")
    kb = load_knowledge()
    doc = clean_page(page_from(text, "markdown"), kb)
    lines = intro_target_lines(doc, kb)
    assert [areas for _, areas in lines] == [["hamstrings", "glutes"]]
    records = [{"name": "Standing Hip Hinge", "targets": [], "targets_source": None},
               {"name": "Seated Hip Hinge", "targets": [], "targets_source": None}]
    prep = PreparedPage([], [], [], [], [], [], intro_targets=lines)
    first = lines[0][0] + 1
    out = _with_intro_targets(records, [first, first + 50], prep)
    assert [r["targets"] for r in out] == [["hamstrings", "glutes"]] * 2
    assert records[0]["targets"] == []  # the prepared records are shared by every fold: never changed in place
    # records of different exercises do not take one exercise's targets
    assert takes_intro_targets(["Calf Raise Stretch", "Neck Tilt"], [False, False]) == [False, False]


def test_a_card_line_that_opens_with_its_dose():
    html = ("<html><body><h1>Evening Wind-down</h1><section><h3>Thread the Needle</h3>"
            "<p>25s each side to unwind the upper back.</p><h3>Puppy Pose</h3><p>40s × 2 to soften the chest.</p>"
            "<h3>Seated Forward Bend</h3><p>2 minutes of rest first, then fold over your legs.</p></section></body></html>")
    recs = by_name(article_from(html, fmt="html"))
    rec = recs["Thread the Needle"]
    assert (rec.hold.min_seconds, rec.per_side) == (25, True)
    assert recs["Puppy Pose"].hold.min_seconds == 40
    assert recs["Seated Forward Bend"].hold is None  # a rest is no dose


def test_a_list_that_tells_the_reader_to_feel_is_a_list_of_steps():
    recs = md("# Recovery\n\n## Kneeling Hip Flexor Stretch\n\n- Half-lunge: front shin upright, rear knee padded\n"
              "- Feel the front of the rear hip open\n- 40 sec per side\n")
    assert any("rear knee padded" in s for s in recs["Kneeling Hip Flexor Stretch"].steps)


def test_a_good_for_line_names_targets():
    recs = md("# Chair Yoga\n\n## Chair Cat Stretch\n\n1. Sit near the front of the seat\n2. Round and arch the spine slowly\n\n"
              "Good for: upper back, neck comfort.\n")
    assert "upper back" in recs["Chair Cat Stretch"].targets


def test_stances_that_imply_a_position():
    recs = md("# Leg Care\n\n## Band Hamstring Pull\n\n- Loop a band round one foot\n"
              "- Keeping the back flush to the floor, draw the leg up\n\nHold 30 seconds each leg.\n\n"
              "## Wall Calf Press\n\n- Palms on the wall, one leg back\n- Press the rear heel down\n\nHold 30 seconds.\n")
    assert recs["Band Hamstring Pull"].position == "supine"
    assert recs["Wall Calf Press"].position == "standing"


def test_a_step_written_without_its_verb():
    kb = load_knowledge()
    from pipeline.extract.sentences import is_terse_step, lexicon_for
    lex = lexicon_for(kb)
    for text in ("Elbows wide, chin tucked, gaze down", "Rear leg long behind you", "Palms flat on the mat"):
        assert is_terse_step(text, lex), text
    for text in ("The calves are tight after a long run", "Upper body", "Shoulder mobility", "Arms overhead stretch"):
        assert not is_terse_step(text, lex), text
    html = ("<html><body><h1>Floor Poses</h1><article><h3>Sphinx</h3><p>Elbows under the shoulders, forearms "
            "parallel, chest lifted. Hold 30 seconds.</p></article><article><h3>Frog</h3><p>Knees wide, shins "
            "parallel, hips sinking back. Hold 45 seconds.</p></article></body></html>")
    rec = by_name(article_from(html, fmt="html"))["Sphinx"]
    assert rec.steps[0].startswith("Elbows under the shoulders")

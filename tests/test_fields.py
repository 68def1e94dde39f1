"""Field values (hold, repetitions, per_side, targets, position) in shapes seen on real pages,
each written here in other words than the page that showed it."""
import pytest
from helpers import article_from, by_name

from pipeline.extract.sentences import name_targets
from pipeline.knowledge import load_knowledge


def one(section_body: str, name: str = "Test Stretch", key: str | None = None):
    text = f"Stretches for Stiff Hips\n\n1. {name}\n\n{section_body}\n\n2. Other Stretch\n\nLie on your back. Hold for 10 seconds.\n"
    return by_name(article_from(text))[key or name]


@pytest.mark.parametrize("body, per_side", [
    ("Sit tall and tip your head toward one shoulder. Hold 15 seconds.\n\nNow the right side.", True),  # a closing line
    ("Kneel and slide one knee back. Hold 20 seconds.\n\nOther leg.", True),
    ("Reach one arm across your body and hug it in. Hold 20 seconds. Mirror it.", True),
    ("Kneel and press your hips forward, 45 seconds a side.", True),
    ("Stand and pull a heel to your seat, 30 sec each.", True),
    ("Stand tall and turn your head slowly left and right. Repeat 8 times.", True),
    ("Sit and lean to one side, then over to the other. Repeat 6 times.", True),
    ("Place your left and right hands on your knees and round your back. Hold 20 seconds.", None),
    ("Sit with your knees bent. Now relax.", None),
])
def test_per_side_wordings(body, per_side):
    assert one(body).per_side is per_side


@pytest.mark.parametrize("name, targets", [
    ("Rhomboid Stretch", ["upper back"]),
    ("Calf stretch", ["calves"]),
    ("Neck rotation", ["neck"]),
    ("Glutes and Back Stretch", ["glutes", "back"]),
    ("Quads", ["quadriceps"]),
    ("Bent-knee calf stretch", ["calves"]),  # the knee says how, the calf is stretched
    ("Knee to Chest Stretch", []),  # the knee goes to the chest: neither is the target
    ("Arm Across Chest", []),
    ("Heel sit", []),  # a body part that does not head an exercise word
    ("Hip Stretch (Each Leg)", ["hips"]),
])
def test_targets_from_the_name(name, targets):
    assert name_targets(name, load_knowledge()) == targets


def test_name_and_text_targets_together():
    rec = one("Lie on your back and pull one knee in. You should feel it along the outside of your hip.",
              name="Glute stretch")
    assert rec.targets == ["glutes", "hips"] and rec.targets_source == "text"


def test_hold_count_and_side_stated_in_the_heading():
    # the dose leaves the name and goes to the fields, which say they came from the heading
    rec = one("Put your hands on a wall and step one foot back, heel down.", name="Wall calf stretch (45 s each leg)",
              key="Wall calf stretch")
    assert (rec.hold.min_seconds, rec.hold.max_seconds) == (45, 45) and rec.per_side
    assert (rec.value_sources.hold, rec.value_sources.per_side) == ("heading", "heading")
    rec = one("Stand tall, lace your fingers and push your palms up.", name="Overhead reach (hold 5 s, 2-3x)",
              key="Overhead reach")
    assert (rec.hold.min_seconds, rec.repetitions.min, rec.repetitions.max) == (5, 2, 3)


def test_two_phase_hold_on_a_record():
    rec = one("Lie on your back and lift one leg. Hold 15 seconds lightly, then 30-40 seconds a little further.")
    assert (rec.hold.min_seconds, rec.hold.max_seconds) == (15, 40)
    assert rec.hold.text == "15 seconds lightly, then 30-40 seconds"


def test_open_upper_end_on_a_record():
    rec = one("Sit with your legs wide and fold forward. Stay at least 40 seconds, longer if it feels good.")
    assert (rec.hold.min_seconds, rec.hold.max_seconds) == (40, None)


def test_a_few_is_vague_everywhere():
    text = ("A Few Stretches for Tight Shoulders\n\n1. Shoulder Roll\n\nStand and roll your shoulders back. Repeat 10 times.\n\n"
            "2. Cross-body Arm Stretch\n\nStand and pull one arm across your chest. Hold 20 seconds.\n\n"
            "3. Doorway Stretch\n\nStand in a doorway and lean forward. Hold 30 seconds.\n\n"
            "4. Neck Tilt\n\nSit and tip one ear toward your shoulder. Hold 15 seconds.\n")
    article = article_from(text)
    assert article.claimed_count is None
    assert not [f for f in article.flags if f.rule == "count-mismatch"]


@pytest.mark.parametrize("body, position", [
    # held in the position the reader ends up in, not the one they start from
    ("Sit next to a sofa, then swing both legs up onto it and lie back. Stay there for 2 minutes.", "supine"),
    ("From hands and knees, step your left foot up beside your left hand. Hold 30 seconds.", "kneeling"),
    ("Begin standing, then lower your back knee down to the mat. Hold 30 seconds.", "kneeling"),
    # a prop is not a position
    ("Stand behind a chair and grip its back. Bend forward at the hips. Hold 20 seconds.", "standing"),
    # a stated label is a position
    ("Position: kneeling. Tuck your toes under and sink back. Hold 30 seconds.", "kneeling"),
    ("Category: Tabletop, spinal flexion. Round your back. Hold for 5 breaths.", "quadruped"),
    # a stance suggests standing only when nothing else says
    ("Feet shoulder-width apart, hands on hips. Lean to the left. Hold 10 seconds.", "standing"),
    ("Lie on your back with your feet hip-width apart. Lift your hips. Hold 10 seconds.", "supine"),
    # a repeated movement stays where it starts; moving a body part is not moving the reader
    ("Sit on the floor. Slowly roll down onto your back. Repeat 6 times.", "seated"),
    ("Get onto all fours, then sit your hips back. Hold 20 seconds.", "quadruped"),
    ("Kneel upright. Hold 30 seconds, then stand up and change legs.", "kneeling"),
])
def test_position_held(body, position):
    assert one(body, name="Test Move").position == position


def test_breaths_are_a_hold_for_the_kind():
    rec = one("Start on all fours. Round your back and stay for 5 slow breaths. Repeat 3 times.", name="Test Move")
    assert (rec.breaths.min, rec.repetitions.min) == (5, 3) and rec.hold is None
    assert rec.kind == "static-stretch"


def test_timer_fields_give_seconds_and_sides():
    rec = one("Stand tall and reach one arm overhead.\n\nDuration: 40\n\nMirror: true", name="Test Move")
    assert (rec.hold.min_seconds, rec.hold.max_seconds) == (40, 40) and rec.per_side


@pytest.mark.parametrize("body, per_side", [
    ("Stand and lift your right hand and left knee. Hold 5 seconds. Repeate with the opposite hand and knee.", True),
    ("Stand and pull your elbow behind your head. Hold 10 seconds. Do it 3 times for each hand.", True),
    ("Sit and hold a light weight in each hand. Hold 10 seconds.", None),
    ("Sit and take your foot with the opposite hand. Hold 10 seconds.", None),
])
def test_per_side_with_hands(body, per_side):
    assert one(body, name="Test Move").per_side is per_side


def test_a_name_that_says_where_the_stretch_is_held_is_no_conflict():
    text = ("Stretches for Hips\n\n1. Reclined Butterfly\n\nSit on the floor with the soles of your feet together, then "
            "slowly lie back. Stay for 2 minutes.\n\n2. Kneeling Lunge\n\nFrom all fours, step one foot forward "
            "between your hands. Hold 30 seconds on each side.\n\n3. Seated Twist\n\nStand tall. Twist. Hold 20 seconds.\n")
    recs = by_name(article_from(text))
    assert (recs["Reclined Butterfly"].position, recs["Kneeling Lunge"].position) == ("supine", "kneeling")
    conflicts = {name: [f.rule for f in r.flags if f.rule == "position-conflict"] for name, r in recs.items()}
    assert conflicts == {"Reclined Butterfly": [], "Kneeling Lunge": [], "Seated Twist": ["position-conflict"]}


def test_a_new_clause_ends_the_target_cue():
    rec = one("Sit with legs long and fold forward. Hold 20 seconds.\n\n"
              "Benefits: Stretches the hamstrings, massages the abdominal organs and tones the arms.", name="Test Move")
    assert rec.targets == ["hamstrings"]
    rec = one("Sit and fold forward. Hold 20 seconds.\n\nBenefits: Lengthens the lower back, hamstring and calf muscles.",
              name="Test Move")
    assert rec.targets == ["lower back", "hamstrings", "calves"]  # not "back muscles" from "back, ... muscles"


@pytest.mark.parametrize("body, position", [
    ("From all fours, widen your knees and sink your hips back toward your heels. Stay for 1 minute.", "kneeling"),
    ("Lie on back with both legs long. Draw one knee in. Hold 20 seconds.", "supine"),  # no "your"
])
def test_more_held_positions(body, position):
    assert one(body, name="Test Move").position == position


def test_targets_stated_once_for_variants_of_one_exercise():
    text = ("# Hip Hinge Guide\n\n| | |\n|---|---|\n| Targets | Hamstrings, glutes |\n| Level | Easy |\n\n"
            "## Standing Hip Hinge\n\nStand tall and hinge forward at the hips. Hold 20 seconds.\n\n"
            "## Seated Hip Hinge\n\nSit on a chair and hinge forward at the hips. Hold 20 seconds.\n")
    recs = by_name(article_from(text, fmt="markdown"))
    for name in ("Standing Hip Hinge", "Seated Hip Hinge"):
        assert recs[name].targets == ["hamstrings", "glutes"] and recs[name].targets_source == "text"


def test_the_narrower_area_and_short_name_like_lines():
    rec = one("Stand and reach one hand down your back. You should feel it in the back of your upper arm. Hold 20 s.",
              name="Upper Arm Stretch")
    assert rec.targets == ["triceps"]  # not "arms" as well
    text = ("# Cool-down\n\n### Stretches\n1. **Kneeling rock** - 10 reps\n   - Gentle hip flexor opener\n\n"
            "2. **Wall lean** - 30 sec each\n   - Calf and ankle stretch\n")
    recs = by_name(article_from(text, fmt="markdown"))
    assert recs["Kneeling rock"].targets == ["hip flexors"] and recs["Wall lean"].targets == ["calves", "ankles"]


def test_a_muscle_after_stretch_is_a_target_a_limb_is_not():
    rec = one("Stand with heels down and gently stretch the calves while bending your knees. Repeat 10 times.",
              name="Test Move")
    assert rec.targets == ["calves"]
    rec = one("Stand tall and stretch your arms overhead. Hold 10 seconds.", name="Test Move")
    assert rec.targets == []

"""Extraction rules on small sections written for the tests (not the seed's sentences)."""
from pathlib import Path

import pytest
from helpers import article_from, article_from_file, by_name


def one(section_body: str, name: str = "Test Stretch"):
    text = f"Stretches for Stiff Hips\n\n1. {name}\n\n{section_body}\n\n2. Other Stretch\n\nLie on your back. Hold for 10 seconds.\n"
    return by_name(article_from(text))[name]


@pytest.mark.parametrize("body, position", [
    ("Lie face down on a mat and prop yourself on your elbows. Hold for 30 seconds.", "prone"),
    ("Start on your hands and knees. Round your back. Repeat 10 times.", "quadruped"),
    ("Come onto your hands and knees, then sit your hips back.", "quadruped"),
    ("Kneel on one knee with the other foot forward. Hold 30 seconds.", "kneeling"),
    ("Begin upright, then step back into a deep lunge. Hold 30 seconds.", "standing"),
    ("Have a friend standing behind you press gently on your shoulders while you lie on your back.", "supine"),
    ("Lie on your left side and pull your top heel to your seat. Hold 20 seconds.", "side-lying"),
])
def test_position_from_what_the_reader_is_told(body, position):
    assert one(body).position == position


def test_comparison_is_not_a_position():
    rec = one("Lie on your back and cross your legs the way you would sit cross-legged on a bench. Hold 30 seconds.")
    assert rec.position == "supine" and not [f for f in rec.flags if f.rule == "position-conflict"]


def test_options_are_not_a_conflict():
    rec = one("You can do this seated or standing. Reach both arms overhead and lean to one side. Hold 15 seconds.")
    assert rec.position_options == ["seated", "standing"]
    assert not [f for f in rec.flags if f.rule == "position-conflict"]


def test_position_falls_back_to_the_name_then_a_named_base_pose():
    assert one("Twist gently to each side. Hold 20 seconds.", name="Seated Rotation").position == "seated"
    rec = one("From downward dog, walk your feet wide. Hold 20 seconds.", name="Wide Variation")
    assert rec.position == "quadruped"


@pytest.mark.parametrize("body, per_side", [
    ("Lie on your back and hug one knee. Hold 20 seconds, then swap legs.", True),
    ("Stand and cross your arm over your chest. Hold, then do the other arm.", True),
    ("Sit tall. Put your left foot on top of your right knee and lean forward. Switch and repeat.", True),
    ("Stand tall and reach up. Hold for 20 seconds per leg.", True),
    ("Lie on your back, cross one ankle over the opposite knee. Hold 30 seconds.", None),
])
def test_per_side(body, per_side):
    assert one(body).per_side is per_side


def test_targets_are_normalised_and_only_where_stretched():
    rec = one("Lie face down with your hands under your shoulders. Press up and hold 20 seconds. "
              "You should feel it in your low back and tummy.")
    assert rec.targets == ["lower back", "abdominals"] and rec.targets_source == "text"


def test_target_line():
    rec = one("Works: calves, ankles\n\nStand facing a wall and step one foot back. Hold 30 seconds.")
    assert rec.targets == ["calves", "ankles"]


def test_knowledge_base_targets_and_position_stay_out_of_the_record():
    # the page names no target and no position: the entry's are the knowledge base's word, not the page's
    rec = one("Hug both knees to your chest and rock gently. Hold 30 seconds.", name="Knees to Chest")
    assert rec.canonical_name == "Knee-to-Chest Stretch"
    assert rec.targets == [] and rec.targets_source is None and rec.value_sources.targets is None
    assert rec.position is None and rec.value_sources.position is None


def test_steps_drop_benefits_asides_and_restatements():
    rec = one("Lie on your back and hug one knee to your chest. Hold for 30 seconds. This stretch helps relieve "
              "tension in your lower back. To do the stretch, start by lying on your back. Remember to breathe. "
              "Hold the knee for about 30 seconds, allowing your hips to relax.")
    # the lone "Hold for 30 seconds." is the record's hold, not a step (issue 17)
    assert rec.steps[0] == "Lie on your back and hug one knee to your chest." and "Hold for 30 seconds." not in rec.steps
    assert "Remember to breathe." not in rec.steps and rec.hold.min_seconds == 30
    assert rec.benefits == ["This stretch helps relieve tension in your lower back."]


def test_sanskrit_alias_links_canonical_name():
    assert one("Kneel and sit back on your heels. Hold 30 seconds.", name="Balasana").canonical_name == "Child's Pose"


def test_strength_exercise_is_not_a_stretch():
    article = article_from("Hips\n\n1. Glute Bridges\n\nLie on your back and lift your hips. Do 3 sets of 10 reps.\n\n"
                           "2. Pigeon Pose\n\nFrom all fours, bring one knee forward. Hold 30 seconds each side.\n")
    assert [r.name for r in article.stretches] == ["Pigeon Pose"]
    assert [(r.name, r.kind) for r in article.other_exercises] == [("Glute Bridges", "strength")]


def test_unnumbered_markdown_sections_and_non_exercise_headings():
    md = ("---\ntitle: Morning Mobility\n---\n\n![hero](img.jpg)\n\n## Cat-Cow\n\nCome onto all fours. Arch and round "
          "your back for 1 minute.\n\n**Sphinx Pose**\n\nLie on your stomach and rest on your forearms. Hold 45 seconds."
          "\n\n## Why mobility matters\n\nMoving daily keeps joints healthy.\n")
    article = article_from(md, "markdown")
    assert article.title == "Morning Mobility"
    assert [(r.name, r.position) for r in article.records] == [("Cat-Cow", "quadruped"), ("Sphinx Pose", "prone")]


def test_variant_subheadings_stay_in_their_section_but_level_words_in_names_do_not():
    html = ("<h1>Hips</h1><h2>Pigeon Pose</h2><h3>Beginner version</h3><p>Lie on your back and cross one ankle over "
            "the other knee. Hold 30 seconds.</p><h3>Advanced</h3><p>From all fours, slide one knee forward and lower "
            "your hips. Hold 30 seconds.</p><h2>Intermediate Groin Stretch</h2><p>Sit with the soles of your feet "
            "together. Hold 30 seconds.</p>")
    article = article_from(html, "html")
    assert [r.name for r in article.records] == ["Pigeon Pose", "Intermediate Groin Stretch"]
    pigeon = article.records[0]
    assert pigeon.position == "supine" and pigeon.position_options == ["supine", "quadruped"]
    assert not [f for f in pigeon.flags if f.rule == "position-conflict"]


@pytest.mark.parametrize("page", sorted((Path(__file__).parent / "data" / "not-exercise").glob("*.html")),
                         ids=lambda p: p.name[:12])
def test_real_pages_without_exercises_give_no_records(page):
    """Numbered gift lists and news widgets are sections, but not exercises."""
    article = article_from_file(page)
    assert article.records == []
    # the numbered items are still accounted for: as sections that are not exercises, or as page chrome removed
    assert article.non_exercise_sections or any(r.reason.startswith("boilerplate:") for r in article.removed)


def test_heading_shapes_link_to_the_knowledge_base():
    text = ("Hip Openers\n\nStretch #1: Pigeon\n\nFrom all fours, slide one knee forward. Hold 30 seconds each side.\n\n"
            "Stretch #2: Child's Pose (Balasana)\n\nKneel and sit back on your heels. Hold 1 minute.\n\n"
            "Stretch #3: Cobra Pose – Great for Your Lower Back\n\nLie face down and press up. Hold 20 seconds.\n")
    article = article_from(text)
    assert [(r.number, r.name, r.canonical_name) for r in article.records] == [
        (1, "Pigeon", "Pigeon Pose"),
        (2, "Child's Pose (Balasana)", "Child's Pose"),
        (3, "Cobra Pose – Great for Your Lower Back", "Cobra Pose"),
    ]


def test_number_only_heading_without_a_name_line_links_by_what_the_steps_name():
    md = ("# Morning Flow\n\n## Exercise 1\n\nStart in child's pose, then walk your hands to the right. Hold 30 seconds "
          "per side.\n\n## Exercise 2\n\nLie on your back and hug both knees to your chest. Hold 45 seconds.\n")
    article = article_from(md, "markdown")
    assert [(r.number, r.name) for r in article.records] == [(1, "Exercise 1"), (2, "Exercise 2")]
    assert article.records[0].position == "kneeling" and article.records[1].position == "supine"


@pytest.mark.parametrize("phrase, area", [
    ("low back", "lower back"), ("lumbar spine", "lower back"), ("bums", "glutes"), ("butt", "glutes"),
    ("back of the thigh", "hamstrings"), ("quads", "quadriceps"), ("tummy", "abdominals"),
    ("sole of your foot", "feet"), ("front of your right hip", "hip flexors"),
])
def test_body_part_synonyms_normalise(phrase, area):
    rec = one(f"Lie on your back and relax. Hold 30 seconds. You should feel it in your {phrase}."
              if not phrase.startswith(("sole", "front", "back of")) else
              f"Lie on your back and relax. Hold 30 seconds. You should feel a stretch in the {phrase}.")
    assert rec.targets == [area]


def test_on_both_sides_is_per_side():
    assert one("Stand tall and lean to the left. Hold 20 seconds on both sides.").per_side is True


def test_rest_between_sets_is_not_a_hold():
    rec = one("Lie on your back and lift your hips, then lower. Sets: 3 | Reps: 10 | Rest: 30 sec", name="Bridge Lift")
    assert rec.hold is None and (rec.repetitions.min, rec.repetitions.max) == (10, 10)
    assert one("Kneel and rest your forehead on the floor for 30 seconds.").hold.min_seconds == 30


@pytest.mark.parametrize("body, position", [
    ("Roll onto your back and hug your knees. Hold 30 seconds.", "supine"),
    ("Turn onto your stomach and prop up on your elbows. Hold 30 seconds.", "prone"),
    ("Get into a tabletop position and round your back. Repeat 8 times.", "quadruped"),
    ("Sit cross-legged on the floor and fold forward. Hold 30 seconds.", "seated"),
])
def test_more_position_phrasings(body, position):
    assert one(body).position == position


@pytest.mark.parametrize("claim, targets", [
    ("This stretch targets your hamstrings.", ["hamstrings"]),
    ("It is great for tight hips.", ["hips"]),
    ("Great for stiff necks.", ["neck"]),
    ("You should feel a stretch through the front of your thigh.", ["quadriceps"]),
    ("It releases tension in the upper traps.", ["traps"]),
    ("Keep your core tight and lift your arms.", []),
])
def test_target_phrasings(claim, targets):
    rec = one(f"Stand tall. Hold 30 seconds. {claim}")
    assert (rec.targets if rec.targets_source == "text" else []) == targets


def test_number_only_heading_links_by_the_exercise_its_first_sentence_names():
    text = ("Warm-Up\n\nExercise 1\n\nThe cat-cow stretch warms up the spine. Start on all fours and alternate arching "
            "and rounding your back for 1 minute.\n\nExercise 2\n\nGlute bridges wake up your hips. Lie on your back and "
            "lift your hips. Do 10 reps.\n")
    article = article_from(text)
    assert [(r.name, r.canonical_name, r.kind) for r in article.records] == [
        ("Exercise 1", "Cat-Cow Stretch", "dynamic-stretch"), ("Exercise 2", "Glute Bridge", "strength")]


def test_mentions_are_whole_names_found_in_data_file_order():
    from pipeline.knowledge import load_knowledge

    kb = load_knowledge()

    def named(text):
        return [e.canonical_name for e in kb.find_mentions(text)]

    assert named("Move from downward dog into child's pose, then add deadlifts.") == [
        "Child's Pose", "Deadlift", "Downward-Facing Dog"]
    assert named("Balasana, then Cat-Cow") == ["Cat-Cow Stretch", "Child's Pose"]
    # one name inside another: both are mentioned
    assert named("Side child's pose") == ["Child's Pose", "Child's Pose with Side Stretch"]
    # only whole words; one-word everyday aliases are no mentions
    assert named("Three downward dogs") == [] and named("A child's posed photo") == []
    assert named("Pull a chair up to the bridge.") == []


def test_fuzzy_name_links_are_rapidfuzz_token_sort_matches():
    # names are compared with their words sorted once: the choice and score are token_sort_ratio's
    from rapidfuzz import fuzz, process

    from pipeline.knowledge import _closest, load_knowledge, name_key

    kb = load_knowledge()
    headings = ["Hamstring Seated Stretch", "Dog Downward Facing", "Cat Cow Streches", "Pigeon Kapotasana",
                "Knee to Chest, Single", "Neck Side Bend", "Doorway Chest Opener", "Calf Stretch at the Wall",
                "Banana Split Sandwich"]
    linked = 0
    for keys, sorted_keys in ((kb._name_keys, kb._sorted_name_keys), (kb._stretch_keys, kb._sorted_stretch_keys)):
        for key in map(name_key, headings):
            best = process.extractOne(key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=75)
            assert _closest(key, keys, sorted_keys, 75) == (best and (best[0], best[1])), key
            linked += best is not None
    assert linked >= 6 and kb.match_exercise("Dog Downward Facing")[0].canonical_name == "Downward-Facing Dog"

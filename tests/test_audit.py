from helpers import article_from, by_name

from pipeline.audit import RULES


def rules_of(record):
    return {f.rule for f in record.flags}


ARTICLE = """4 Stretches for Neck Pain

  1. Neck Tilt
  2. Chin Tucks
  3. Kneeling Lat Stretch
  4. Hamstring Sweep

1. Neck Tilt

Sit tall and tilt your ear toward your shoulder until you feel a stretch in the side of your neck. Hold 20 seconds.

2. Chin Tucks

Sit tall and draw your chin straight back. Repeat 10 times. For bigger arms, add bicep curls and bench press to your routine.

3. Kneeling Lat Stretch

Stand with your feet together and reach both arms overhead. Hold 30 seconds.

4. Calf Raise Stretch

Stand on a step and lower your heels to stretch your calves. Hold 30 seconds.

5. Hamstring Sweep

This move is a favourite of runners everywhere.
"""


def test_record_rules_fire_with_evidence():
    article = article_from(ARTICLE)
    recs = by_name(article)
    assert rules_of(recs["Neck Tilt"]) == set()
    assert "off-topic" in rules_of(recs["Chin Tucks"])
    off = next(f for f in recs["Chin Tucks"].flags if f.rule == "off-topic")
    assert off.severity == "warning" and "bench press" in off.evidence[0]
    conflict = next(f for f in recs["Kneeling Lat Stretch"].flags if f.rule == "position-conflict")
    assert conflict.severity == "error" and conflict.evidence == ["Stand with your feet together and reach both arms overhead."]
    assert "target-mismatch" in rules_of(recs["Calf Raise Stretch"])
    assert "missing-steps" in rules_of(recs["Hamstring Sweep"])


def test_article_rules_count_and_list():
    article = article_from(ARTICLE)
    flags = {f.rule: f for f in article.flags}
    assert "count-mismatch" in flags and "claims 4 but has 5" in flags["count-mismatch"].message
    assert flags["list-mismatch"].evidence == ["Calf Raise Stretch"]


def test_well_formed_article_has_no_flags():
    text = ("2 Stretches for Tight Calves\n\n1. Wall Calf Stretch\n\nStand facing a wall and step one foot back, keeping "
            "the heel down until you feel a stretch in your calf. Hold 30 seconds, then switch legs.\n\n"
            "2. Downward Dog\n\nStart on your hands and knees and lift your hips up and back to stretch your calves and "
            "hamstrings. Hold for 5 breaths.\n")
    article = article_from(text)
    assert article.flags == [] and all(r.flags == [] for r in article.records)


def test_every_rule_has_an_id_severity_and_description():
    assert {"position-conflict", "off-topic", "missing-steps", "missing-hold", "target-mismatch",
            "count-mismatch", "list-mismatch"} <= set(RULES)
    for rule in RULES.values():
        assert rule.severity in {"error", "warning", "info"} and rule.summary


def test_count_claims_come_from_the_title_or_an_announcement_not_any_number():
    text = ("Loosen Up After Work\n\nI tried 3 exercises last week and none of them helped my back.\n\n"
            "1. Cat-Cow\n\nStart on your hands and knees and round your back. Repeat 10 times.\n\n"
            "2. Child's Pose\n\nKneel and sit back on your heels. Hold 30 seconds.\n")
    article = article_from(text)
    assert article.claimed_count is None and "count-mismatch" not in {f.rule for f in article.flags}
    announced = article_from(text.replace("I tried 3 exercises last week and none of them helped my back.",
                                          "Here are 2 stretches that helped my back."))
    assert announced.claimed_count == 2


def test_table_of_contents_entries_that_are_not_exercises_are_not_missing_sections():
    text = ("Hip Mobility\n\n  1. Pigeon Pose\n  2. Frog Stretch\n  3. Benefits of stretching\n  4. FAQ\n\n"
            "1. Pigeon Pose\n\nFrom all fours, slide one knee forward. Hold 30 seconds each side.\n\n"
            "2. Frog Stretch\n\nStart on your hands and knees and widen your knees. Hold 45 seconds.\n")
    article = article_from(text)
    assert len(article.summary_list) == 4
    assert "list-mismatch" not in {f.rule for f in article.flags}


def test_lying_in_a_name_fits_any_lying_position():
    article = article_from("Quads\n\n1. Lying Quad Stretch\n\nLie on your left side and pull your right heel toward "
                           "your seat. Hold 30 seconds, then switch sides.\n\n2. Cobra Pose\n\nLie face down and press "
                           "up. Hold 20 seconds.\n")
    assert article.records[0].position == "side-lying"
    assert not [f for f in article.records[0].flags if f.rule == "position-conflict"]


def test_a_later_transition_is_not_a_second_start():
    article = article_from("Back\n\n1. Seated Roll Down\n\nSit on the floor with your knees bent. Slowly lie down on "
                           "your back, one vertebra at a time. Repeat 5 times.\n\n2. Cobra Pose\n\nLie face down and "
                           "press up. Hold 20 seconds.\n")
    rec = article.records[0]
    assert rec.position == "seated" and not [f for f in rec.flags if f.rule == "position-conflict"]
    still = article_from("Back\n\n1. Twist\n\nSit with one leg crossed. Twist and hold 20 seconds. Start by standing "
                         "with your feet apart. Hold 20 seconds.\n\n2. Cobra Pose\n\nLie face down. Hold 20 seconds.\n")
    assert [f.rule for f in still.records[0].flags if f.rule == "position-conflict"] == ["position-conflict"]

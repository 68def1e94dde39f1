import pytest

from pipeline.quantities import (find_breaths, find_frequency, find_phased_time, find_repetitions, find_times,
                                 number)


@pytest.mark.parametrize("text, lo, hi", [
    ("Hold for 20–30 seconds.", 20, 30),
    ("Hold 20 seconds", 20, 20),
    ("Hold for 15 seconds to half a minute", 15, 30),
    ("somewhere between 20 and 90 seconds", 20, 90),
    ("Hold for one minute", 60, 60),
    ("no less than 20 seconds", 20, None),
    ("keep it there 5 to 8 seconds", 5, 8),
    ("Stay for 2 seconds", 2, 2),
    ("up to 45 seconds", None, 45),
    ("15 seconds to 1 minute", 15, 60),
    ("Repeat this motion for 1-2 minutes", 60, 120),
    ("Hold for 40 seconds to 1 minute", 40, 60),
    ("Hold this position for about 20 to 30 seconds", 20, 30),
    ("hold 30 secs", 30, 30),
    # fractions are one number: "1/2 minute" is not "2 minute"
    ("Stay here for 1/2 minute", 30, 30),
    ("keep breathing in the pose for 1 1/2 minutes", 90, 90),
    ("Rest in it ½ minute per side", 30, 30),
    ("hold it 2½ minutes", 150, 150),
    ("Hold 1-1/2 to 2 minutes", 90, 120),
])
def test_times(text, lo, hi):
    t = find_times(text)[0]
    assert (t.min_seconds, t.max_seconds) == (lo, hi)


@pytest.mark.parametrize("text", ["until you feel a gentle pull", "Hold for a few seconds", "Relax."])
def test_vague_or_missing_time_is_none(text):
    assert find_times(text) == []


@pytest.mark.parametrize("text, lo, hi", [
    ("Repeat 8-12 times", 8, 12), ("Do the whole sequence 6 times", 6, 6),
    ("Perform 3 rounds on each leg", 3, 3), ("Repeat 6 times on each side", 6, 6),
    ("Do 3 sets of 12 reps.", 12, 12), ("Repeat for 10-20 repetitions", 10, 20), ("Repeat twice.", 2, 2),
])
def test_repetitions(text, lo, hi):
    r = find_repetitions(text)
    assert (r.min, r.max) == (lo, hi)


def test_vague_repetitions_and_frequency_are_not_counts():
    assert find_repetitions("Repeat this exercise several times") is None
    assert find_repetitions("Do this two or three times daily") is None
    assert find_frequency("Do this two or three times daily") == "two or three times daily"


def test_breaths():
    b = find_breaths("Stay for three slow breaths, then release.")
    assert (b.min, b.max) == (3, 3)
    assert find_breaths("Breathe deeply.") is None


def test_sets_of_reps():
    r = find_repetitions("Do 2 sets of 8 to 10.")
    assert (r.min, r.max) == (8, 10)


def test_stats_line_labels():
    r = find_repetitions("Sets: 3 | Reps: 10 | Rest: 30 sec")
    assert (r.min, r.max) == (10, 10)


@pytest.mark.parametrize("text", ["Rest: 30 sec", "Rest 60 seconds between sets.", "Take 30 seconds of rest.",
                                  "Allow 45 seconds between rounds."])
def test_rest_periods_are_not_times(text):
    assert find_times(text) == []


@pytest.mark.parametrize("text, lo, hi", [
    ("Do a 1-min hold.", 60, 60), ("Aim for a 30-second hold.", 30, 30), ("Stay here for a minute or two.", 60, 120),
    ("Hold 30s.", 30, 30), ("Hold 20-30sec on each side.", 20, 30),
])
def test_more_time_phrasings(text, lo, hi):
    t = find_times(text)[0]
    assert (t.min_seconds, t.max_seconds) == (lo, hi)


@pytest.mark.parametrize("text, n", [("Do 3 x 30 sec holds.", 3), ("Hold for 30 seconds x 3.", 3),
                                     ("Complete 3 rounds of 10.", 10), ("Perform 2x10 reps", 10)])
def test_multiplied_holds_and_rounds(text, n):
    r = find_repetitions(text)
    assert (r.min, r.max) == (n, n)


# -- hold wording seen on real pages, each written here in other words ---------------------------
@pytest.mark.parametrize("text, lo, hi", [
    ("Stay here 15 seconds up to a couple of minutes.", 15, 120),  # a worded upper end
    ("Hold it no less than 30 seconds, longer if it feels good.", 30, None),  # an open end stays open
    ("Keep the position 40 seconds, or longer if you can.", 40, None),
    ("Rest in the pose for 30 seconds to a few minutes.", 30, None),  # a vague upper end is not the lower bound
    ("Minimum 15 seconds, up to 45 seconds for a deeper release.", 15, 45),  # two bounds, one range
    ("Hold approximately 10 to 20 secounds per side.", 10, 20),  # a misspelt unit
    ("Hold 25 secs.", 25, 25),
    ("Hold for 20+ seconds.", 20, None),
])
def test_hold_wording(text, lo, hi):
    t = find_times(text)[0]
    assert (t.min_seconds, t.max_seconds) == (lo, hi)


@pytest.mark.parametrize("text", [
    "Each week, increase the hold by 5 seconds.",  # a progression, not the hold
    "Work up to 90 seconds over a month.",
    "Add 10 seconds when it gets easy.",
    "Hold the stretch for a few moments.",
])
def test_progressions_and_vague_amounts_are_not_holds(text):
    assert find_times(text) == []


def test_two_phase_hold_keeps_both_phases():
    t = find_phased_time("Ease in for 15 seconds, followed by 30-45 seconds a little deeper.")
    assert (t.min_seconds, t.max_seconds) == (15, 45)
    assert t.text == "15 seconds, followed by 30-45 seconds"
    # two amounts without a phase cue are not phases: the first one is the hold
    t = find_phased_time("Hold 20 seconds on each side, 2 minutes in total.")
    assert (t.min_seconds, t.max_seconds, t.text) == (20, 20, "20 seconds")


def test_one_number_parser_with_vague_amounts():
    assert number("a couple of") == 2 and number("half a") == 0.5 and number("12") == 12
    assert number("a few") is None and number("several") is None


def test_once_or_twice_is_a_range():
    r = find_repetitions("Repeat once or twice on each side.")
    assert (r.min, r.max) == (1, 2)


# -- hostile inputs: every pattern is linear; these assert the result, `make bench` times them ----
def test_long_digit_and_space_runs_read_correctly():
    assert find_times("1" * 5000) == []
    assert find_repetitions("7" * 5000 + " times") is None  # no number has 5000 digits
    assert find_times("5" + "\u00a0" * 5000 + "seconds") == []  # too far apart to be one amount
    assert [(t.min_seconds, t.text) for t in find_times("5\u00a0seconds")] == [(5, "5\u00a0seconds")]
    text = "1" * 5000 + " " + "\u2009" * 3000 + " then hold 30 seconds"
    assert [(t.min_seconds, t.max_seconds) for t in find_times(text)] == [(30, 30)]
    assert find_breaths("4 " + "slow " * 3000 + "breaths") is None


def test_very_long_sentence_of_repeated_amounts():
    times = find_times("10 seconds " * 20000)
    assert len(times) == 20000 and all((t.min_seconds, t.max_seconds) == (10, 10) for t in times)
    assert find_frequency("twice " * 20000) is None


@pytest.mark.parametrize("text, lo, hi", [("Duration: 40", 40, 40), ("hold = 20-30", 20, 30)])
def test_unitless_timer_fields_are_seconds(text, lo, hi):
    t = find_times(text)[0]
    assert (t.min_seconds, t.max_seconds) == (lo, hi)


@pytest.mark.parametrize("text, n", [("Shoulder lift x12", 12), ("Skater hop ×6 per side", 6), ("Lunge 2x", 2)])
def test_counts_written_with_a_sign(text, n):
    r = find_repetitions(text)
    assert (r.min, r.max) == (n, n)


def test_a_bare_number_is_not_a_time():
    assert find_times("Stretch 3: the doorway") == [] and find_times("Time: 2 pm") == []


@pytest.mark.parametrize("text, seconds", [
    ("Do the 90/90 stretch for 30 seconds", 30),  # a name with a slash is no fraction
    ("a 30/60 split: 60 seconds", 60),  # nor are two counts with a slash
])
def test_slash_that_is_not_a_fraction(text, seconds):
    assert [t.min_seconds for t in find_times(text)] == [seconds]

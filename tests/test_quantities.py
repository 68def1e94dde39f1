import pytest

from pipeline.quantities import find_breaths, find_frequency, find_repetitions, find_times


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

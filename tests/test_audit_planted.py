"""The planted-fault tool (`make eval-audit`): faults are written into the page's own text, inside
the section they are planted in, never inside markup, and a fault counts as caught only by a new
finding of its rules that points into that section."""
import random

import pytest

from pipeline.audit import planted
from pipeline.audit.lint import lint

MARKDOWN = """# Three Stretches for Runners

After a run these three stretches loosen the legs.

## 1. Standing Quad Stretch

Stand tall beside a wall and rest one hand on it. Bend your right knee and hold your right ankle
behind you with your right hand. Keep standing tall and hold for 30 seconds, then switch legs.

## 2. Calf Stretch

Stand facing a wall with your hands flat on it. Step your left foot back and press the left heel
into the floor while you keep the left leg straight. Hold for 20 seconds on each side.

## 3. Hamstring Stretch

Sit on the floor with both legs straight in front of you. Reach toward your toes until you feel a
stretch along the backs of your thighs. Hold for 30 seconds.
"""

HTML = """<html><head><title>Two stretches for the desk</title></head><body><main>
<h1>Two stretches for the desk</h1>
<h2>Chest Opener</h2>
<p>Stand in a doorway and place your forearms on the frame. Step one foot through until you feel a
stretch across the chest. Hold for 30 seconds.</p>
<img src="left-right.jpg" alt="the left and the right arm on a door frame">
<h2>Seated Twist</h2>
<p>Sit tall on a chair with your feet flat. Turn your chest to the right and hold the back of the
chair with your right hand. Hold for 20 seconds, then turn to the left.</p>
</main></body></html>
"""


def view_of(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    audited = lint([str(path)]).pages[0]
    view = planted.PageView(name, audited)
    planted.locate_sections(view)
    return view


def changed_span(old: str, new: str) -> tuple[int, int]:
    """First and last changed offset of `new` against `old`."""
    start = next(i for i, (a, b) in enumerate(zip(old, new)) if a != b)
    tail = next(i for i, (a, b) in enumerate(zip(reversed(old), reversed(new))) if a != b)
    return start, len(new) - tail


@pytest.mark.parametrize("name, text", [("runners.md", MARKDOWN), ("desk.html", HTML)])
def test_every_plant_stays_inside_its_section_and_out_of_markup(tmp_path, name, text):
    view = view_of(tmp_path, name, text)
    assert [s.record.name for s in view.sections] and all(s.start < s.end for s in view.sections)
    found = planted.plants(view, planted.load_plan(), seed=1, per_page=3)
    assert {p.fault for p in found} >= {"hold-unit", "second-hold", "unsafe", "strength", "pasted-section"}
    for p in found:
        start, end = changed_span(view.text, p.text)
        if p.fault == "count":  # the title or intro, before the first section; caught anywhere on the page
            assert p.where is None and end <= view.sections[0].start
            assert not planted._in_markup(p.text, start, name.endswith(".html"))
            continue
        assert p.where is not None and p.where[0] <= start and end <= p.where[1], p.fault
        assert not planted._in_markup(p.text, start, name.endswith(".html")), p.fault
    if name.endswith(".html"):  # an attribute is markup: its side words are never flipped
        assert all('alt="the left and the right arm on a door frame"' in p.text for p in found)


def test_hold_unit_turns_seconds_into_minutes_in_the_step(tmp_path):
    view = view_of(tmp_path, "runners.md", MARKDOWN)
    units = [p for p in planted.plant_hold_unit(view, planted.load_plan())]
    calf = next(p for p in units if p.stretch == "Calf Stretch")
    assert "Hold for 20 minutes on each side." in calf.text
    assert calf.text.count("minutes") == view.text.count("minutes") + 1


def test_plants_are_the_same_for_the_same_seed(tmp_path):
    view = view_of(tmp_path, "runners.md", MARKDOWN)
    plan = planted.load_plan()
    first = [(p.fault, p.stretch, p.text) for p in planted.plants(view, plan, seed=7, per_page=2)]
    again = [(p.fault, p.stretch, p.text) for p in planted.plants(view, plan, seed=7, per_page=2)]
    assert first == again


def test_a_fault_is_caught_only_by_a_new_finding_in_its_section(tmp_path):
    view = view_of(tmp_path, "runners.md", MARKDOWN)
    calf = next(s for s in view.sections if s.record.name == "Calf Stretch")
    plant = next(p for p in planted.plant_unsafe(view, planted.load_plan(), random.Random(3))
                 if p.stretch == "Calf Stretch")
    path = tmp_path / "planted" / "runners.md"
    path.parent.mkdir()
    path.write_text(plant.text, encoding="utf-8")
    audited = lint([str(path)]).pages[0]
    assert planted.caught(plant, view.audited.findings, audited, {"safety"})
    # the same new finding does not count for a fault planted in another section
    elsewhere = planted.Plant("unsafe", plant.page, "Hamstring Stretch", plant.text, (0, calf.start))
    assert not planted.caught(elsewhere, view.audited.findings, audited, {"safety"})
    # nor does a finding the original page already had
    assert not planted.caught(plant, audited.findings, audited, {"safety"})


ROWS = """# Five Days for the Hips

Each day has a strength block and a stretch block.

### Day 1

**Stretches:**

| Frog Stretch | each side | 5 mins |
| Half Happy Baby | each side | 5 mins |
| Butterfly | | 3 mins |

### Day 2

**Stretches:**

| Pigeon | each side | 2 mins |
| Lizard | each side | 5 mins |
"""


HEADED = """# Daily Routine

Twelve minutes, once a day.

## Upper Body

### Quad Stretch

Stand on one leg and pull the other heel to your seat. Hold 30 seconds each side.

## The Routine

| # | Stretch | Time |
|---|---|---|
| 1 | Neck rolls | 30s |
| 2 | Child's pose | 45s |
| 3 | Hip flexor kneeling | 45s each |
| 4 | Quad stretch | 30s each |
| 5 | Hamstring seated | 60s |
"""


@pytest.mark.parametrize("text", [ROWS, HEADED])
def test_a_dose_the_row_above_shares_is_planted_in_the_rows_own_section_or_not_at_all(tmp_path, text):
    # "5 mins" of Half Happy Baby is first found in Frog Stretch's row, and a cell quoted with its
    # column's label ("Time: 45s each") runs past the row: a second hold added there would be a fault
    # of another section, which no finding in this one's could catch
    view = view_of(tmp_path, "rows.md", text)
    found = [p for p in planted.plants(view, planted.load_plan(), seed=1, per_page=3)
             if p.fault in ("second-hold", "hold-unit")]
    assert found
    for p in found:
        start, end = changed_span(view.text, p.text)
        assert p.where[0] <= start and end <= p.where[1], (p.fault, p.stretch)

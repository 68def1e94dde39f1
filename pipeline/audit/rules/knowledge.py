"""Claims the knowledge base contradicts: kb-conflict."""
from __future__ import annotations

from collections.abc import Iterator

from ...records import Quote, Stretch
from ..registry import Context, Hit, rule


@rule("kb-conflict", "warning")
def kb_conflict(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """A claim the knowledge base contradicts: swapped cat/cow shapes, a static stretch said to
    strengthen, a stretch started in a position it is never done in."""
    d = ctx.data
    said = [q for q in record.evidence.sentences if q.role != "off_topic"]
    for q in said:
        swapped = _swapped_shape(q, ctx)
        if swapped:
            yield Hit(swapped, (q,))
    # a pose may well strengthen (cobra, bridge); a section that calls itself a stretch may not
    if record.kind == "static-stretch" and d.stretch_name.search(record.name):
        for q in said:
            m = d.strengthen_claim.search(q.text)
            if m and not d.negated(q.text, m.start()):
                yield Hit("a static stretch lengthens muscles; it does not strengthen them (that is strength work)",
                          (q,))
                break
    allowed = d.fixed_positions.get(record.canonical_name or "")
    starts = record.evidence.start_positions
    if allowed and starts and not record.evidence.name_positions:
        first = starts[0]
        if first.label not in allowed and first.label not in record.position_options:
            yield Hit(f"{record.canonical_name} is done {' or '.join(allowed)}, never {first.label}",
                      (first.sentence,))


def _swapped_shape(q: Quote, ctx: Context) -> str | None:
    """'arch your back (the "cat" position)': cat is the rounded back, cow the arched one."""
    d = ctx.data
    for clause in d.clause_breaks.split(q.text):
        named = [pose for pose, rx in d.pose_names.items() if rx.search(clause)]
        if len(named) != 1:
            continue  # no pose named, or both ("cat and cow"): nothing to pin a shape on
        pose = named[0]
        shapes = {shape for shape, patterns in d.shape_words.items()
                  if any((m := rx.search(clause)) and not d.negated(clause, m.start()) for rx in patterns)}
        expected = d.shape_of_pose[pose]
        if shapes and expected not in shapes:
            wrong = shapes.pop()
            return (f"the {pose} pose is described with the {_shape_name(wrong)} back; "
                    f"{pose} is the {_shape_name(expected)} back")
    return None


def _shape_name(shape: str) -> str:
    return {"round": "rounded", "arch": "arched"}.get(shape, shape)

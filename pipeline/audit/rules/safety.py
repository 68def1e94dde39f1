"""Instructions that risk injury: safety."""
from __future__ import annotations

from collections.abc import Iterator

from ...records import Stretch
from ..registry import Context, Hit, rule


@rule("safety", "warning")
def safety(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """An instruction that risks injury: bouncing in a static stretch, holding the breath, pushing
    into pain, locking the knees."""
    heading = record.evidence.heading.text if record.evidence.heading else record.name
    if ctx.data.negated(heading, len(heading)):
        return  # "Stretches to avoid", "Common mistakes": a section about what not to do
    for pattern in ctx.data.safety:
        if pattern.kinds and record.kind not in pattern.kinds:
            continue
        for q in record.evidence.sentences:
            if q.role == "off_topic":
                continue
            m = pattern.pattern.search(q.text)
            if m and not ctx.data.negated(q.text, m.start()):
                yield Hit(pattern.message, (q,))
                break

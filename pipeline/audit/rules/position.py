"""Where the reader is and which way they turn: position-conflict, direction-conflict."""
from __future__ import annotations

from collections.abc import Iterator

from ...knowledge import name_key
from ...records import PositionMention, Quote, Stretch
from ..registry import Context, Hit, rule


@rule("position-conflict", "error")
def position_conflict(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """The name implies one position and the steps another, or the steps start in two."""
    starts = own_starts(record, ctx)
    allowed = record.evidence.name_positions
    # "Stand tall" under a kneeling name is the torso kept upright, not a start on the feet
    named = [m for m in starts if not (set(allowed) & ctx.data.upright_in and ctx.data.upright_cue.match(m.sentence.text))]
    labels = list(dict.fromkeys(m.label for m in named))
    # the name may say where the stretch is held ("Reclined ...": sit, then lie back), not where it
    # starts: the text's held position excuses the start, but a position read off the name itself
    # (extraction's fallback when the text's start looks like a posture) is the claim being checked
    held = record.position if record.value_sources.position != "heading" else None
    if allowed and labels and labels[0] not in allowed and held not in allowed \
            and not set(allowed) & set(record.position_options):
        first = next(m for m in named if m.label == labels[0])
        yield Hit(f"the name says {' or '.join(allowed)} but the steps start {labels[0]}", (first.sentence,))
    # a step that puts the reader in two positions at once: "Stand on your back", "Stand face down"
    for q in _steps(record):
        for verb, phrase, rx in ctx.data.placed_twice:
            m = rx.search(q.text)
            if m and not ctx.data.negated(q.text, m.start()):
                yield Hit(f"the step places the reader {verb} and {phrase} at once: “{m.group(0)}”", (q,),
                          severity="warning")
                return
        # "Sit in mountain pose": a pose the knowledge base knows is done in another position
        for verb, rx in ctx.data.placed_in_pose:
            m = rx.search(q.text)
            pose = next((e for e in ctx.kb.find_mentions(m["pose"]) if e.position), None) if m else None
            if pose is not None and not _compatible(verb, pose.position, ctx) and not ctx.data.negated(q.text, m.start()):
                yield Hit(f"the step says {verb} in {pose.canonical_name}, which is done {pose.position}", (q,),
                          severity="warning")
                return
    # two instructed starts: which cue is a start and which the way into the pose is inferred, so a warning
    instructed = [m for m in starts if _instructs(m.sentence, ctx)]
    labels = list(dict.fromkeys(m.label for m in instructed))
    if len(labels) > 1:
        quotes = tuple(next(m.sentence for m in instructed if m.label == lab) for lab in labels)
        # a sub-heading, or a list of its own, starts another exercise (a workout filed as one section)
        if not _heading_between(quotes[0].end, quotes[-1].start, ctx) and not _other_lists(quotes, ctx):
            yield Hit(f"the steps give two starting positions: {' and then '.join(labels)}", quotes,
                      severity="warning")


def _instructs(q: Quote, ctx: Context) -> bool:
    """A step that tells the reader where to be: not an explanation ("Sitting all day shortens...") and
    not the move within the pose ("Kneel. Sit back on your heels")."""
    d = ctx.data
    if d.not_a_start.match(q.text):
        return False
    if d.position_label.match(q.text):
        return True  # "Type: Standing" states the position outright
    # a step that places the reader, or any line that opens with the placing verb ("Sit up, then:")
    return q.role == "step" and bool(d.placing.search(q.text)) or bool(d.placing_opener.match(q.text)) \
        and q.role not in ("off_topic", "aside", "benefit")


@rule("direction-conflict", "error")
def direction_conflict(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """Left/right instructions that contradict each other inside one step."""
    d = ctx.data
    steps = _steps(record)
    names = f"{record.name} {record.canonical_name or ''}"
    said = " ".join(q.text for q in record.evidence.sentences)
    pairs = [p for p in d.side_pairs if (p.names is None or p.names.search(names))
             and (p.context is None or p.context.search(said))]
    reported = False
    for i, q in enumerate(steps):
        twist = d.direction["twist_toward"].search(q.text)
        cross = d.direction["arm_across"].search(q.text)
        if twist and cross:
            side, arm, target = twist["side"].lower(), cross["arm"].lower(), cross["target"].lower()
            # twisting toward a side, the opposite arm crosses to the outside of that side's thigh
            if arm == side or target != side:
                yield Hit(f"twisting to the {side}, the {d.sides[side]} arm crosses to the {side} thigh; "
                          f"the step crosses the {arm} arm to the {target} thigh", (q,))
        # sides a body's shape ties together: inferred, so a warning; a step and the next one are
        # read together ("Bend the left knee." "Keep the right leg straight."), once per section
        following = steps[i + 1:i + 2]
        for quotes in ((q,), (q, *following)) if not reported else ():
            text = " ".join(x.text for x in quotes)
            for pair in pairs:
                m = pair.pattern.search(text)
                if m and (m["a"].lower() == m["b"].lower()) != pair.same and not d.negated(text, m.start()):
                    cited = quotes if m.end() > len(q.text) else (q,)
                    yield Hit(pair.message.format(a=m["a"].lower(), b=m["b"].lower()), cited, severity="warning")
                    reported = True
                    break
            if reported:
                break
        bend = d.direction["bend_toward"].search(q.text)
        felt = d.direction["felt_side"].search(q.text)
        if bend and felt and bend["side"].lower() == felt["side"].lower():
            side = bend["side"].lower()
            yield Hit(f"bending to the {side} stretches the {d.sides[side]} side, not the {side}", (q,))


def _compatible(a: str, b: str, ctx: Context) -> bool:
    return a == b or b in ctx.data.refines.get(a, ()) or a in ctx.data.refines.get(b, ())


def _heading_between(start: int, end: int, ctx: Context) -> bool:
    return ctx.doc is not None and any(b.kind == "heading" and start <= b.start < end for b in ctx.doc.blocks)


def _other_lists(quotes: tuple[Quote, ...], ctx: Context) -> bool:
    if ctx.doc is None:
        return False
    blocks = [next((b for b in ctx.doc.blocks if b.start <= q.start < b.end), None) for q in quotes]
    groups = {getattr(b, "group", None) for b in blocks if b is not None and b.kind == "list_item"}
    return len(blocks) == sum(1 for b in blocks if b is not None and b.kind == "list_item") and len(groups) > 1


def own_starts(record: Stretch, ctx: Context) -> list[PositionMention]:
    """The first start of each sentence ("Sit upright" is one start, not seated and standing), leaving
    out sentences that name another exercise (a sequence: "Standing side bend", "Seated twist")."""
    out, seen = [], set()
    own = name_key(record.name)
    for m in record.evidence.start_positions:
        if m.sentence.start in seen:
            continue
        seen.add(m.sentence.start)
        # (a stretch named: "Sit up" is also what the knowledge base calls a crunch, and says nothing of a sequence)
        # (the record's own name holding the one named is the record itself: "legs up wall" under
        # "Legs-Up-the-Wall (Parasympathetic)", whatever the knowledge base linked the heading to)
        others = [e for e in ctx.kb.find_mentions(m.sentence.text) if e.canonical_name != record.canonical_name
                  and e.kind != "strength" and name_key(e.canonical_name) not in own]
        if not others:
            out.append(m)
    return out


def _steps(record: Stretch) -> list[Quote]:
    return [q for q in record.evidence.sentences if q.role == "step"]

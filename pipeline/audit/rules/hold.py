"""How long a position is held: missing-hold, hold-conflict, implausible-hold."""
from __future__ import annotations

import re
from collections.abc import Iterator

from rapidfuzz import fuzz

from ...config import EXTRACT
from ...knowledge import name_key
from ...nlp import lemma
from ...quantities import find_times
from ...records import HoldTime, Quote, Stretch
from ..registry import Context, Hit, format_note, is_stretch, rule


@rule("missing-hold", "warning")
def missing_hold(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """A stretch with steps but no hold time, duration, breaths or repetitions (and no vague amount
    such as "a few breaths"), where the page's other stretches give one."""
    if not _lacks_hold(record, ctx):
        return
    lacking = ctx.page_format("hold", lambda r: _lacks_hold(r, ctx))
    if lacking:
        yield from format_note(record, lacking, "no hold time")
        return
    steps = [q for q in record.evidence.sentences if q.role == "step"]
    yield Hit("no hold time, duration, breath count or repetitions is given", tuple(steps[-1:]))


def _lacks_hold(record: Stretch, ctx: Context) -> bool:
    if not is_stretch(record) or not record.steps or record.hold or record.duration or record.breaths \
            or record.repetitions:
        return False
    # "hold for a few breaths", "as long as is comfortable": the page gives an amount, just not a number
    if any(ctx.data.vague_amount.search(q.text) for q in record.evidence.sentences):
        return False
    if ctx.doc is not None:
        if record.source.span and find_times(ctx.doc.text[record.source.span[0]:record.source.span[1]]):
            return False  # a dose in the section ("20s × 2") that extraction did not read as the hold
        if _shared_hold(ctx):
            return False  # "Hold each stretch for 30 seconds" once for the page
    return True


def _shared_hold(ctx: Context) -> bool:
    """A rule for every stretch outside the sections ("Hold each stretch for 30 seconds", "Hold each
    stretch to the edge of comfort"), read once per page."""
    if "shared_hold" not in ctx.notes:
        spans = [r.source.span for r in ctx.article.records if r.source.span]
        d = ctx.data
        ctx.notes["shared_hold"] = any(
            d.hold_article_rule.search(b.text) and not d.hold_article_exception.search(b.text)
            and not any(s <= b.start < e for s, e in spans) for b in ctx.doc.blocks)
    return ctx.notes["shared_hold"]


@rule("hold-conflict", "warning")
def hold_conflict(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """Two holds that cannot both be right: two in one section, or the article's rule against a section."""
    if not is_stretch(record):
        return
    order = {q.start: i for i, q in enumerate(record.evidence.sentences)}
    # each variant's holds against each other (a beginner's 20 s and an advanced 60 s are two variants,
    # but a variant, or a part under a label such as "Standing:", may contradict itself)
    for variant in sorted({q.variant for q in record.evidence.sentences}):
        own = _holds([q for q in record.evidence.sentences if q.variant == variant], ctx, variant=variant)
        distinct = {(h.min_seconds, h.max_seconds) for _, h in own}
        for (qa, a), (qb, b) in zip(own, own[1:]):
            if not _disjoint(a, b) or _apart(qa, qb, ctx):
                continue
            # more than two holds is a programme or a table, unless two of them follow each other at once
            # ("Hold 20-30 seconds. Hold this position for 60 seconds.") and the second is no further stage
            if len(distinct) == 2 or order.get(qb.start, -9) - order.get(qa.start, 0) == 1 \
                    and ctx.data.hold_again.match(qb.text) and not ctx.data.hold_staged.search(qb.text):
                yield Hit(f"the section gives two holds: {a.text} and then {b.text}", (qa, qb))
                return
    holds = _holds(record.evidence.sentences, ctx)
    distinct = {(h.min_seconds, h.max_seconds) for _, h in holds}
    # the hold the section gives (read by extraction from a dose line, a field, a step) against a
    # hold instruction of its own steps: "Hold 20-30 seconds." ... "Stay here for 60 seconds."
    for given in _given_holds(record, ctx):
        for q, h in holds:
            if q.start != given[0].start and _disjoint(given[1], h) and len(distinct) <= 2 \
                    and not _apart(given[0], q, ctx):
                yield Hit(f"the section gives two holds: {given[1].text} and then {h.text}",
                          tuple(sorted((given[0], q), key=lambda x: x.start)))
                return
    summary = _summary_hold(record, ctx)
    if summary and holds and _disjoint(summary[1], holds[0][1]):
        yield Hit(f"the summary table says {summary[1].text} but the section says {holds[0][1].text}",
                  (holds[0][0], summary[0]))
        return
    # "Hold each stretch for 30 seconds" (not "... unless a stretch says otherwise")
    rules = _holds([q for q in ctx.intro if ctx.data.hold_article_rule.search(q.text)
                    and not ctx.data.hold_article_exception.search(q.text)], ctx)
    if rules and holds:
        q_rule, general = rules[0]
        q_own, own = holds[0]
        if _disjoint(general, own):
            yield Hit(f"the article says to hold each stretch {general.text} but this one says {own.text}",
                      (q_own, q_rule))


@rule("implausible-hold", "warning")
def implausible_hold(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """A hold outside the plausible range for its kind, most often a unit slip: "30 minutes" where
    the page's other stretches hold for seconds, or a hold of minutes repeated ten times."""
    hold, d = record.hold, ctx.data
    if hold is None or record.duration and record.duration == hold:
        return
    if record.canonical_name in d.restorative:
        low, high = d.restorative_seconds
    elif record.kind in d.hold_plausible:
        low, high = d.hold_plausible[record.kind]
    else:
        return
    if record.repetitions:  # a hold done again and again is short, and may be very short (nerve glides)
        low, high = min(low, 1.0), min(high, d.repeated_hold_max)
    top = hold.max_seconds if hold.max_seconds is not None else hold.min_seconds
    bottom = hold.min_seconds if hold.min_seconds is not None else hold.max_seconds
    if top is None or bottom is None:
        return
    quote = next((q for q in record.evidence.sentences if hold.text in q.text), None)
    if quote is not None and d.not_a_hold.search(quote.text):
        return  # "every 20-40 minutes", "5 sec in, 7 sec out": a frequency or a breath, not the hold
    quotes = (quote,) if quote else ()
    longest, shortest = _page_holds(ctx, record)
    if top < low and not (shortest is not None and shortest <= top):
        yield Hit(f"a hold of {hold.text} is too short for a {record.kind.replace('-', ' ')} "
                  f"(at least {_secs(low)}); minutes meant?", quotes)
    elif bottom > high and not (longest is not None and longest >= bottom):
        # a page that holds its other stretches as long (a yin or restorative class) means it
        yield Hit(f"a hold of {hold.text} is longer than is plausible (at most {_secs(high)}); seconds meant?", quotes)


def _page_holds(ctx: Context, record: Stretch) -> tuple[float | None, float | None]:
    """The longest and the shortest hold of the page's other stretches."""
    if "page_holds" not in ctx.notes:  # once per article: each stretch's, and all of them in order
        own = {}
        for r in ctx.article.records:
            if r.hold and is_stretch(r):
                top = r.hold.max_seconds if r.hold.max_seconds is not None else r.hold.min_seconds
                if top is not None:
                    own[id(r)] = top
        ctx.notes["page_holds"] = (own, sorted(own.values()))
    own, tops = ctx.notes["page_holds"]
    if id(record) not in own:
        return (tops[-1], tops[0]) if tops else (None, None)
    if len(tops) < 2:
        return None, None
    mine = own[id(record)]  # the others' holds: all but one of this length
    return tops[-2] if mine == tops[-1] else tops[-1], tops[1] if mine == tops[0] else tops[0]


def _given_holds(record: Stretch, ctx: Context) -> list[tuple[Quote, HoldTime]]:
    """The holds the section gives outside its hold instructions: the one extraction read, and a
    labelled dose line ("Dose: 30 seconds each side", "Daily Prescription: 1-2 minutes per side")."""
    out = []
    hold = record.hold
    if hold is not None:
        q = next((q for q in record.evidence.sentences if hold.text in q.text and not q.variant), None)
        if q is not None:
            out.append((q, hold))
    d = ctx.data
    for q in record.evidence.sentences:
        if q.variant or q.role == "off_topic" or any(q.start == o.start for o, _ in out):
            continue
        # "Dose: 30 seconds each side"; a bare dose line of a programme: "30 sec per side", "2×30 s/side"
        if d.dose_label.match(q.text) or d.dose_line.search(q.text) and len(q.text.split()) <= d.dose_line_words:
            times = find_times(q.text)
            if len(times) == 1:
                out.append((q, times[0]))
    return out


def _apart(a: Quote, b: Quote, ctx: Context) -> bool:
    """Two quotes that belong to two exercises filed under one heading: a sub-heading between them, or
    each in a list of its own ("Figure 4:" 1-4, "Pigeon:" 1-4)."""
    if ctx.doc is None:
        return False
    lo, hi = sorted((a, b), key=lambda q: q.start)
    if any(blk.kind == "heading" and lo.end <= blk.start < hi.start for blk in ctx.doc.blocks):
        return True
    blocks = [next((blk for blk in ctx.doc.blocks if blk.start <= q.start < blk.end), None) for q in (lo, hi)]
    return all(blk is not None and blk.kind == "list_item" for blk in blocks) and blocks[0].group != blocks[1].group


def _summary_hold(record: Stretch, ctx: Context) -> tuple[Quote, HoldTime] | None:
    """The hold a summary table above the sections gives this stretch (a row naming it, with one time)."""
    if ctx.doc is None or not ctx.article.records:
        return None
    if "summary_rows" not in ctx.notes:  # once per article, not once per record
        first = min(r.source.span[0] for r in ctx.article.records)
        rows: dict[tuple[int, int], list] = {}
        for b in ctx.doc.blocks:
            if b.kind == "cell" and not b.header and b.end <= first:
                rows.setdefault((b.group, b.row), []).append(b)
        for cells in rows.values():
            cells.sort(key=lambda b: b.col)
        ctx.notes["summary_rows"] = [(name_key(cells[0].text), cells) for cells in rows.values()]
    own = name_key(record.name)
    for key, cells in ctx.notes["summary_rows"]:
        if fuzz.token_sort_ratio(key, own) < EXTRACT.list_match_score:
            continue
        for cell in cells[1:]:
            times = find_times(cell.text)
            if len(times) == 1:
                return Quote(cell.text, cell.start, cell.end, "summary"), times[0]
    return None


def _secs(value: float) -> str:
    return f"{value / 60:g} minutes" if value >= 120 else f"{value:g} seconds"


def _holds(quotes: list[Quote], ctx: Context, variant: int = 0) -> list[tuple[Quote, HoldTime]]:
    """The hold each sentence of the main text (or of one variant) instructs (not a rest, a movement,
    or a progression)."""
    hold_verbs = set(ctx.kb.lexicon["hold_verbs"])
    movement = ctx.kb.lexicon["movement_cues"]
    out = []
    for q in quotes:
        if q.variant != variant or q.role not in ("step", "intro"):
            continue
        low = q.text.lower()
        if any(c in low for c in movement) or ctx.data.hold_progression.search(low) or ctx.data.hold_rest.search(low):
            continue
        if not {lemma(w) for w in re.findall(r"[a-z]+", low)} & hold_verbs:
            continue
        times = find_times(q.text)
        if len(times) == 1:  # "hold 30 seconds, then 60" is a progression, not one hold
            out.append((q, times[0]))
    return out


def _disjoint(a: HoldTime, b: HoldTime) -> bool:
    def bounds(h: HoldTime) -> tuple[float, float] | None:
        lo = h.min_seconds if h.min_seconds is not None else h.max_seconds
        hi = h.max_seconds if h.max_seconds is not None else h.min_seconds
        return (lo, hi) if lo is not None and hi is not None else None
    ba, bb = bounds(a), bounds(b)
    return bool(ba and bb) and (ba[1] < bb[0] or bb[1] < ba[0])

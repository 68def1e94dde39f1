"""Claims the knowledge base contradicts: kb-conflict."""
from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterator

from ...knowledge import name_key
from ...records import Quote, Stretch
from ..locate import SourceMap
from ..registry import Context, Hit, rule
from .position import own_starts


@rule("kb-conflict", "warning")
def kb_conflict(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """A claim the knowledge base contradicts: swapped cat/cow shapes, a stretch said to strengthen,
    a body part's action stated backwards (the pelvic tilt that "lengthens" the lower back by arching
    it), a stretch started in a position it is never done in, an image caption naming another one."""
    d = ctx.data
    said = [q for q in record.evidence.sentences if q.role != "off_topic"]
    for q in said:
        swapped = _swapped_shape(q, ctx)
        if swapped:
            yield Hit(swapped, (q,))
        for fact in d.anatomy:  # a body part's action stated against how it works
            m = fact.pattern.search(q.text)
            if m and not d.negated(q.text, m.start()):
                yield Hit(fact.message, (q,))
                break
    # a pose may well strengthen (cobra, bridge); a section that calls itself a stretch may not
    if record.kind.endswith("stretch") and d.stretch_name.search(record.name):
        for q in said:
            m = d.strengthen_claim.search(q.text)
            if m and not d.negated(q.text, m.start()):
                yield Hit("a stretch lengthens muscles; it does not strengthen them (that is strength work)", (q,))
                break
    yield from _captions(record, ctx)
    allowed = d.fixed_positions.get(record.canonical_name or "")
    # a start in a sentence that names another exercise is that one's ("come to all fours for Cat-Cow"
    # in a flow that ends in cobra)
    starts = own_starts(record, ctx)
    if allowed and starts and not record.evidence.name_positions:
        # the first step that starts somewhere ("Category: Prone" above the steps is a label, not a start)
        first = next((m for m in starts if m.sentence.role == "step"), starts[0])
        # "Lying face-down" is prone, whatever "lying" suggests; "Stand face down" is no prone start
        said_allowed = any(rx.search(first.sentence.text) for p in allowed
                           if p == first.label or p in d.refines.get(first.label, ())
                           for rx in d.position_phrases.get(p, ()))
        if first.label not in allowed and first.label not in record.position_options and record.position not in allowed \
                and not said_allowed:  # "Lying face-down" is prone, whatever "lying" suggests
            yield Hit(f"{record.canonical_name} is done {' or '.join(allowed)}, never {first.label}",
                      (first.sentence,))
    yield from _name_against_kb(record, ctx)


def _name_against_kb(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """A name that puts an exercise done in one position elsewhere ("Standing Cobra"): the name without
    its position words is the exercise the knowledge base knows, unless the whole name is a variant it
    knows too ("Seated Figure Four"), or the page's own text starts it where the name says (a chair
    version the knowledge base does not list)."""
    named = record.evidence.name_positions
    heading = record.evidence.heading
    if not named or heading is None:
        return
    whole, _ = ctx.kb.match_exercise(record.name)
    if whole is not None and any(_compatible(p, whole.position, ctx) for p in named if whole.position):
        return
    base = _without_position_words(record.name, ctx)
    entry, _ = ctx.kb.match_exercise(base) if base else (None, 0.0)
    allowed = ctx.data.fixed_positions.get(entry.canonical_name) if entry is not None else None
    if not allowed or any(_compatible(p, a, ctx) for p in named for a in allowed):
        return
    stated = {m.label for m in own_starts(record, ctx)}
    if record.position and record.value_sources.position != "heading":
        stated.add(record.position)
    if any(_compatible(p, s, ctx) for p in named for s in stated):
        return
    yield Hit(f"the name says {' or '.join(named)}, but {entry.canonical_name} is done {' or '.join(allowed)}",
              (heading,))


def _without_position_words(name: str, ctx: Context) -> str:
    positions = ctx.kb.positions
    words = set(positions["name_word_families"]) | {w for cues in positions["name_words"].values() for w in cues}
    return " ".join(w for w in re.findall(r"[\w'’/-]+", name) if w.lower() not in words)


def _compatible(a: str, b: str | None, ctx: Context) -> bool:
    return b is not None and (a == b or b in ctx.data.refines.get(a, ()) or a in ctx.data.refines.get(b, ()))


def _captions(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """An image caption in the section (a kept `caption` block inside the section's span, or a
    caption or bare name label the clean stage removed between its blocks) that names another
    exercise than the section's."""
    if ctx.doc is None or not record.canonical_name:
        return
    start, end = record.source.span
    if "caption_blocks" not in ctx.notes:  # once per article, not once per record
        ctx.notes["caption_blocks"] = [b for b in ctx.doc.blocks if b.kind == "caption"]
    captions = [(b.text, Quote(b.text, b.start, b.end, "caption")) for b in ctx.notes["caption_blocks"]
                if start <= b.start < end]
    bounds = _section_bounds(ctx).get(start)
    if bounds is not None:
        captions += [(r.text, None) for r in _removed_between(ctx, *bounds)
                     if r.reason.endswith("caption") or r.reason.endswith("outside_main_content")
                     and len(r.text.split()) <= 6 and ctx.kb.match_exercise(r.text)[0]]
    own = name_key(record.canonical_name)
    for text, quote in captions:
        named = ctx.kb.find_mentions(text) or [e for e in (ctx.kb.match_exercise(text)[0],) if e]
        others = [e for e in named if own not in name_key(e.canonical_name) and name_key(e.canonical_name) not in own]
        if others:
            yield Hit(f"the image caption names {others[0].canonical_name}, not {record.canonical_name}",
                      (quote,) if quote else (), () if quote else (text,))
    heading = record.evidence.heading
    for alt, next_name in _image_alts(record, ctx):
        named = ctx.kb.find_mentions(alt) or [e for e in (ctx.kb.match_exercise(alt)[0],) if e and len(alt.split()) <= 6]
        keys = [name_key(e.canonical_name) for e in named]
        if not keys or any(own in k or k in own or k in name_key(record.name) for k in keys):
            continue  # nothing named, or the section's own stretch among what is named
        if next_name is not None and keys[0] == name_key(next_name):
            continue  # an image at the very end of a section, naming the next one: it sits above its heading
        yield Hit(f"the image's alt text “{alt}” names {named[0].canonical_name}, not {record.canonical_name}",
                  (heading,) if heading else (), (alt,))


_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_MD_IMG = re.compile(r"!\[([^\]\n]{1,300})\]\(")
_TAG = re.compile(r"<[^>]*>")


def _image_alts(record: Stretch, ctx: Context) -> list[tuple[str, str | None]]:
    """The alt texts of the images between this section's heading and the next section's in the page
    as read (HTML <img alt>, Markdown ![alt]()), each with the next section's exercise when the image
    is the last thing in the section (nothing visible after it)."""
    sections = _section_sources(ctx)
    if record.evidence.heading is None or record.evidence.heading.start not in sections:
        return []
    start, end, following = sections[record.evidence.heading.start]
    text = ctx.page.text
    out = []
    if ctx.page.format == "html":
        found = [(m.end(), a) for m in _IMG.finditer(text, start, end) if (a := _alt(m.group(0)))]
    else:
        found = [(m.end(), m.group(1)) for m in _MD_IMG.finditer(text, start, end)]
    for after, alt in found:
        alt = " ".join(html.unescape(alt).split())
        if not re.search(r"[^\W\d_]{3}", alt):
            continue
        trailing = not re.search(r"[^\W_]", _TAG.sub(" ", re.sub(r"\([^)]*\)", " ", text[after:end])))
        out.append((alt, following if trailing else None))
    return out


def _alt(tag: str) -> str | None:
    m = _ALT.search(tag)
    return next((g for g in m.groups() if g), None) if m else None


def _section_sources(ctx: Context) -> dict[int, tuple[int, int, str | None]]:
    """Where each record's section runs in the page as read (from its heading to the next record's),
    with the next record's exercise; computed once per page, and only for a page with images."""
    if "section_sources" in ctx.notes:
        return ctx.notes["section_sources"]
    out: dict[int, tuple[int, int, str | None]] = {}
    page = ctx.page
    if page is not None and ctx.doc is not None and page.format in ("html", "markdown") \
            and ("<img" in page.text.lower() or "![" in page.text):
        smap = SourceMap(page.text, ctx.doc)
        heads = sorted(((r.evidence.heading.start, smap.locate_span(r.evidence.heading.start, r.evidence.heading.end),
                         r) for r in ctx.article.records if r.evidence.heading is not None), key=lambda h: h[:2])
        for i, (key, at, _) in enumerate(heads):
            nxt = heads[i + 1] if i + 1 < len(heads) else None
            end = nxt[1] if nxt is not None else len(page.text)
            if end > at:
                out[key] = (at, end, (nxt[2].canonical_name or nxt[2].name) if nxt else None)
    ctx.notes["section_sources"] = out
    return out


def _removed_between(ctx: Context, low: int, high: float) -> list:
    """The removed blocks whose place in the page is in [low, high), in the article's order; by
    bisection when that order is the page's (a scan of every removed block per record otherwise)."""
    if "removed_at" not in ctx.notes:  # once per article
        at = [r.index for r in ctx.article.removed]
        ctx.notes["removed_at"] = at if all(a <= b for a, b in zip(at, at[1:])) else None
    at = ctx.notes["removed_at"]
    if at is None:
        return [r for r in ctx.article.removed if low <= r.index < high]
    return ctx.article.removed[bisect.bisect_left(at, low):bisect.bisect_left(at, high)]


def _section_bounds(ctx: Context) -> dict[int, tuple[int, float]]:
    """Each section's range in the page's block sequence, computed once per article (every record's
    caption check reads it; recomputing it per record was cubic in the sections, issue 19)."""
    if "section_bounds" not in ctx.notes:
        ctx.notes["section_bounds"] = section_bounds(ctx)
    return ctx.notes["section_bounds"]


def section_bounds(ctx: Context) -> dict[int, tuple[int, float]]:
    """Each section's range in the page's block sequence (kept and removed blocks together), by the
    start of its heading in the cleaned text. The kept blocks fill, in order, the positions that no
    removed block takes."""
    removed = {r.index for r in ctx.article.removed}
    total = len(ctx.doc.blocks) + len(removed)
    kept = [i for i in range(total) if i not in removed]
    if len(kept) != len(ctx.doc.blocks):
        return {}
    position = {b.start: kept[k] for k, b in enumerate(ctx.doc.blocks)}
    starts = sorted(position[r.source.span[0]] for r in ctx.article.records if r.source.span[0] in position)
    out: dict[int, tuple[int, float]] = {}
    for r in ctx.article.records:
        at = position.get(r.source.span[0])
        if at is not None:
            i = bisect.bisect_right(starts, at)
            out[r.source.span[0]] = (at, starts[i] if i < len(starts) else float("inf"))
    return out


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

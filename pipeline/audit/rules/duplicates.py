"""The same thing twice: duplicate-content (text repeated), duplicate-exercise (one stretch, two sections)."""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from itertools import combinations

from rapidfuzz import fuzz, process

from ...knowledge import name_key
from ...records import Quote, RemovedBlock, Stretch
from ..registry import Context, Hit, rule


@rule("duplicate-content", "warning", scope="article")
def duplicate_content(ctx: Context) -> Iterator[Hit]:
    """The body pasted twice, or a paragraph repeated (what the clean stage removed as duplicates, and
    steps a section restates)."""
    article, d = ctx.article, ctx.data
    if not article.records:
        return  # a page with no exercise sections: repeated widgets and menus are not an article's fault
    kept_words = len(ctx.doc.text.split()) if ctx.doc else 0
    reported: set[str] = set()
    for run in _duplicate_runs(article.removed):
        original = _find(ctx, run[0].text)
        where = (original,) if original else ()
        words = sum(len(r.text.split()) for r in run)
        if kept_words and words * 2 >= kept_words and len(run) > 1:
            yield Hit(f"the article body appears twice: {len(run)} blocks repeat earlier text "
                      "(the clean stage removed the copy)", where, (run[0].text,))
        elif (named := next((n for b in run[:3] if (n := _section_named(b.text, ctx))), None)
              or _pasted_under_heading(run[0].index, ctx)) is not None:
            # a section pasted again after itself: its heading or named item comes back word for word
            reported.add(named.name)
            # it points at the section's own heading: the removed text's first match may be a line
            # every card repeats ("Last updated 3 mins ago")
            at = (named.evidence.heading,) if named.evidence.heading is not None else where
            yield Hit(f"the section “{named.name}” appears twice (the clean stage removed the copy)",
                      at, (run[0].text,), stretch=named.name)
        elif len(run) >= d.body_run:
            yield Hit(f"a passage of {len(run)} blocks is repeated (the clean stage removed the copy)",
                      where, (run[0].text,))
        else:
            for block in run:
                if len(block.text.split()) < d.paragraph_min_words:
                    continue  # "Repeat with the other arm." under two exercises is no fault
                found = _find(ctx, block.text)
                yield Hit("a paragraph is repeated (the clean stage removed the copy)",
                          (found,) if found else (), (block.text,))
    for record, copy in _pasted_sections(ctx):
        if record.name not in reported:
            reported.add(record.name)
            yield Hit(f"the section “{record.name}” appears twice, the copy right after the original",
                      (copy,), stretch=record.name)
    for record in article.records:
        # restating the hold ("Hold this pose for 20 seconds") is emphasis, the other side's steps
        # ("Kneel on the right leg..." after "...the left leg") a mirror; restating the moves is a repeat
        moves = []
        for q in record.evidence.restated:
            if d.non_entry_step.match(q.text):
                continue
            earlier = _restated_original(record, q)
            if earlier is not None and not _mirrored(q.text, earlier.text, d) \
                    and not _heading_between(earlier.end, q.start, ctx):
                moves.append((q, earlier))
        # at least one says an earlier step again nearly word for word: a run of the next moves that
        # share words with the first ones (an exercise's steps after another's, merged) is no repeat
        verbatim = any(fuzz.token_set_ratio(q.text, e.text) >= d.restated_similarity for q, e in moves)
        if len(moves) >= d.restated_min and verbatim:
            first, earlier = moves[0]
            n = len(moves)
            yield Hit(f"{n} sentences restate steps the section already gave", (first, earlier), stretch=record.name)


@rule("duplicate-exercise", "warning", scope="article")
def duplicate_exercise(ctx: Context) -> Iterator[Hit]:
    """Two sections that describe one stretch under different names."""
    d = ctx.data
    records = ctx.article.records
    # what a pair reads of each record is read once per record
    names = [name_key(r.name) for r in records]
    # the moves, not the dose: "Hold for 30 seconds and repeat with the other leg" under every photo
    moves = [[s for s in r.steps if not d.non_entry_step.match(s)] for r in records]
    steps = [" ".join(m) for m in moves]
    texts = [" ".join(q.text for q in r.evidence.sentences) for r in records]
    described = [_descriptions(r) for r in records]
    for i, j in _pairs_worth_reading(names, moves, steps, described, d):
        a, b = records[i], records[j]
        alike = len(moves[i]) >= 2 and len(moves[j]) >= 2 and \
            fuzz.token_sort_ratio(steps[i], steps[j]) >= d.steps_similarity
        reason, quotes = None, ()
        # the same name and text twice: pasted again (right after itself, even a one-line item)
        # (or its copy's text, removed by the clean stage as a duplicate, gone from under the heading)
        if names[i] == names[j] and names[i] and (alike or texts[i] == texts[j] and (
                len(texts[i].split()) >= 8 or j == i + 1) or j == i + 1 and texts[i] and not texts[j]):
            reason = "the same section appears twice"
        elif names[i] in names[j] or names[j] in names[i]:
            continue  # "Child's Pose with Side Stretch" is a variant of "Child's Pose"
        elif alike:
            # two names the knowledge base files under one exercise ("Single" and "Double Knee to Chest")
            # are variants unless their moves are the same
            reason = f"both are {a.canonical_name}" if a.canonical_name and a.canonical_name == b.canonical_name \
                else "their steps are nearly the same"
        else:
            said = _describes_as(described[i], names[j], d) or _describes_as(described[j], names[i], d)
            if said:
                reason, quotes = "one describes itself as the other", (said,)
        if reason:
            heads = tuple(q for q in (a.evidence.heading, b.evidence.heading) if q)
            yield Hit(f"“{a.name}” and “{b.name}” look like one exercise: {reason}", quotes + heads, stretch=b.name,
                      records=(a, b))


def _pairs_worth_reading(names: list[str], moves: list[list[str]], steps: list[str],
                         described: list[list[tuple[Quote, str]]], d) -> list[tuple[int, int]]:
    """The pairs of records (i < j, in order) that can be one exercise, found without reading every
    pair (a page of 1,000 stretches has half a million): the same name; steps alike (each record's
    against all, in rapidfuzz's C loop, at the same score the pair test asks); or a name that one
    record's description gives word for word (the self-description pattern puts white space
    before the other name and a word boundary after it, so only whole words of the description
    can be it). A pair outside these has no reason to be reported."""
    n = len(names)
    pairs: set[tuple[int, int]] = set()
    by_name: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if name:
            by_name.setdefault(name, []).append(i)
    for same in by_name.values():
        pairs.update(combinations(same, 2))
    stepped = [i for i in range(n) if len(moves[i]) >= 2]
    if len(stepped) > 1:
        choices = [steps[i] for i in stepped]
        for i in stepped:
            # (a hair under the pair test's score: the pair test itself has the last word)
            for _, _, k in process.extract(steps[i], choices, scorer=fuzz.token_sort_ratio,
                                           score_cutoff=max(0.0, d.steps_similarity - 0.5), limit=None):
                if stepped[k] != i:
                    pairs.add((min(i, stepped[k]), max(i, stepped[k])))
    longest = max((len(name.split()) for name in by_name), default=0)
    for i in range(n):
        for _, key in described[i]:
            words = key.split()
            for start in range(len(words)):
                for end in range(start + 1, min(len(words), start + longest) + 1):
                    for j in by_name.get(" ".join(words[start:end]), ()):
                        if j != i:
                            pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)


def _descriptions(record: Stretch) -> list[tuple[Quote, str]]:
    """The sentences of a record that may say what it is (not steps, not off-topic), with name keys."""
    return [(q, name_key(q.text)) for q in record.evidence.sentences if q.role not in ("off_topic", "step")]


def _describes_as(sentences: list[tuple[Quote, str]], other: str, d) -> Quote | None:
    """'Seated Twist exercise is an easy spinal twist...' in the section of Seated Twist, beside a
    section called Spinal Twist (`other`, its name key); 'is a gentler version of X' is a variant,
    not the same exercise."""
    sentences = [(q, key) for q, key in sentences if other in key]  # the pattern ends in the other name
    if not sentences:
        return None  # (and the pattern, new for every name, is not compiled)
    target = re.compile(d.self_description + r"(" + re.escape(other) + r")\b")
    for q, key in sentences:
        m = target.search(key)
        if m and not d.variant_words.search(m.group(0)):
            return q
    return None


def _block_sequence(ctx: Context) -> list[tuple[str, Quote | None]]:
    """The page's blocks in reading order, kept and removed together (the kept ones fill the places
    no removed block takes): each block's words, and where a kept one sits in the cleaned text."""
    removed = {r.index: r for r in ctx.article.removed}
    total = len(ctx.doc.blocks) + len(removed)
    if any(i >= total for i in removed):
        return []  # the removed blocks' places do not fit the page's blocks: no sequence to read
    blocks = iter(ctx.doc.blocks)
    out = []
    for i in range(total):
        if i in removed:
            out.append((_words(removed[i].text), None))
        else:
            b = next(blocks)
            out.append((_words(b.text), Quote(b.text, b.start, b.end, "copy")))
    return out


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def _pasted_sections(ctx: Context) -> Iterator[tuple[Stretch, Quote]]:
    """Sections pasted again right after themselves: the run of blocks from a record's heading up to
    the next block that repeats the heading comes again at once, block for block, whether the clean
    stage kept the copy or removed it as a duplicate (and whether extraction kept one record for the
    two or two). The page's own blocks are the measure, not the records."""
    if ctx.doc is None or not ctx.article.records:
        return
    seq = _block_sequence(ctx)
    words = [w for w, _ in seq]
    at = {q.start: i for i, (_, q) in enumerate(seq) if q is not None}
    starts = sorted(at)
    for record in ctx.article.records:
        heading = record.evidence.heading
        if heading is None:
            continue
        k = bisect.bisect_right(starts, heading.start) - 1
        if k < 0:
            continue
        h = at[starts[k]]
        if not words[h]:
            continue
        for first in _repeat_starts(words, h):
            length = abs(h - first)
            lo = min(h, first)
            if words[lo:lo + length] == words[lo + length:lo + 2 * length]:
                copy = next((q for _, q in seq[lo + length:lo + 2 * length] if q is not None),
                            next((q for _, q in seq[lo:lo + length] if q is not None), None))
                if copy is not None:
                    yield record, copy
                break


def _repeat_starts(words: list[str], h: int, reach: int = 40) -> list[int]:
    """The nearest block after and before `h` (within `reach` blocks) that repeats its words."""
    after = next((j for j in range(h + 1, min(len(words), h + reach)) if words[j] == words[h]), None)
    before = next((j for j in range(h - 1, max(-1, h - reach), -1) if words[j] == words[h]), None)
    return [j for j in (after, before) if j is not None]


def _duplicate_runs(removed: list[RemovedBlock]) -> list[list[RemovedBlock]]:
    """Removed duplicates, grouped into runs of neighbouring blocks (other removed blocks may sit between)."""
    removed_at = {r.index for r in removed}
    runs: list[list[RemovedBlock]] = []
    last = None
    for r in removed:
        if not r.reason.startswith("duplicate"):
            continue
        if last is not None and all(i in removed_at for i in range(last + 1, r.index)):
            runs[-1].append(r)
        else:
            runs.append([r])
        last = r.index
    return runs


def _section_named(text: str, ctx: Context) -> Stretch | None:
    """The record whose heading (or named list item) a removed block repeats: the first whose name
    is the block's words or their first words."""
    if "section_names" not in ctx.notes:  # once per article, not once per removed block
        first: dict[str, int] = {}
        for i, r in enumerate(ctx.article.records):
            heading = r.evidence.heading.text if r.evidence.heading else r.name
            own = name_key(heading) or name_key(r.name)
            if own:
                first.setdefault(own, i)
        ctx.notes["section_names"] = first
    first = ctx.notes["section_names"]
    words = name_key(text).split()  # a name key's words are one space apart: its prefixes are these
    found = [first[k] for k in (" ".join(words[:m]) for m in range(1, len(words) + 1)) if k in first]
    return ctx.article.records[min(found)] if found else None


def _pasted_under_heading(index: int, ctx: Context) -> Stretch | None:
    """The record whose heading is repeated right above a removed duplicate (the copy's heading
    stays, its body goes): a section pasted again, heading and all."""
    if ctx.doc is None:
        return None
    if "kept_positions" not in ctx.notes:  # once per article, not once per removed run
        removed = {r.index for r in ctx.article.removed}
        ctx.notes["kept_positions"] = [i for i in range(len(ctx.doc.blocks) + len(removed)) if i not in removed]
    kept = ctx.notes["kept_positions"]
    if len(kept) != len(ctx.doc.blocks):
        return None
    k = bisect.bisect_left(kept, index) - 1
    block = ctx.doc.blocks[k] if k >= 0 else None
    if block is None or block.kind != "heading":
        return None
    named = _section_named(block.text, ctx)
    if named is not None and named.evidence.heading is not None and named.evidence.heading.start != block.start:
        return named
    return None


def _find(ctx: Context, text: str) -> Quote | None:
    """Where the kept original of a removed duplicate sits in the cleaned text."""
    if ctx.doc is None:
        return None
    at = ctx.doc.text.find(text)
    if at < 0:
        return None
    return Quote(text, at, at + len(text), "original")


def _mirrored(a: str, b: str, d) -> bool:
    """Two sentences that differ in their side words only ("left" for "right", "other" for "one")."""
    wa, wb = re.findall(r"[a-z]+", a.lower()), re.findall(r"[a-z]+", b.lower())
    if len(wa) != len(wb):
        return False
    changed = {w for x, y in zip(wa, wb) if x != y for w in (x, y)}
    return bool(changed) and changed <= d.side_words


def _heading_between(start: int, end: int, ctx: Context) -> bool:
    return ctx.doc is not None and any(b.kind == "heading" and start <= b.start < end for b in ctx.doc.blocks)


def _restated_original(record: Stretch, restated: Quote) -> Quote | None:
    words = set(re.findall(r"[a-z]+", restated.text.lower()))
    earlier = [q for q in record.evidence.sentences if q.role == "step" and q.end <= restated.start]
    best = max(earlier, key=lambda q: len(words & set(re.findall(r"[a-z]+", q.text.lower()))), default=None)
    return best

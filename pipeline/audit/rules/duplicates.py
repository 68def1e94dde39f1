"""The same thing twice: duplicate-content (text repeated), duplicate-exercise (one stretch, two sections)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import combinations

from rapidfuzz import fuzz

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
    for run in _duplicate_runs(article.removed):
        original = _find(ctx, run[0].text)
        where = (original,) if original else ()
        words = sum(len(r.text.split()) for r in run)
        if kept_words and words * 2 >= kept_words:
            yield Hit(f"the article body appears twice: {len(run)} blocks repeat earlier text "
                      "(the clean stage removed the copy)", where, (run[0].text,))
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
    for record in article.records:
        restated = record.evidence.restated
        # restating the hold ("Hold this pose for 20 seconds") is emphasis; restating the moves is a repeat
        moves = [q for q in restated if not d.non_entry_step.match(q.text)]
        if len(restated) >= d.restated_min and moves:
            first = restated[0]
            earlier = _restated_original(record, first)
            yield Hit(f"{len(restated)} sentences restate steps the section already gave",
                      (first,) + ((earlier,) if earlier else ()), stretch=record.name)


@rule("duplicate-exercise", "warning", scope="article")
def duplicate_exercise(ctx: Context) -> Iterator[Hit]:
    """Two sections that describe one stretch under different names."""
    d = ctx.data
    records = ctx.article.records
    # every pair of records is compared: what a pair reads of each record is read once per record
    names = [name_key(r.name) for r in records]
    steps = [" ".join(r.steps) for r in records]
    described = [_descriptions(r) for r in records]
    for i, j in combinations(range(len(records)), 2):
        a, b = records[i], records[j]
        if names[i] in names[j] or names[j] in names[i]:
            continue  # "Child's Pose with Side Stretch" is a variant of "Child's Pose"
        reason, quotes = None, ()
        if a.canonical_name and a.canonical_name == b.canonical_name:
            reason = f"both are {a.canonical_name}"
        elif len(a.steps) >= 2 and len(b.steps) >= 2 and \
                fuzz.token_sort_ratio(steps[i], steps[j]) >= d.steps_similarity:
            reason = "their steps are nearly the same"
        else:
            said = _describes_as(described[i], names[j], d) or _describes_as(described[j], names[i], d)
            if said:
                reason, quotes = "one describes itself as the other", (said,)
        if reason:
            heads = tuple(q for q in (a.evidence.heading, b.evidence.heading) if q)
            yield Hit(f"“{a.name}” and “{b.name}” look like one exercise: {reason}", quotes + heads, stretch=b.name)


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


def _find(ctx: Context, text: str) -> Quote | None:
    """Where the kept original of a removed duplicate sits in the cleaned text."""
    if ctx.doc is None:
        return None
    at = ctx.doc.text.find(text)
    if at < 0:
        return None
    return Quote(text, at, at + len(text), "original")


def _restated_original(record: Stretch, restated: Quote) -> Quote | None:
    words = set(re.findall(r"[a-z]+", restated.text.lower()))
    earlier = [q for q in record.evidence.sentences if q.role == "step" and q.end <= restated.start]
    best = max(earlier, key=lambda q: len(words & set(re.findall(r"[a-z]+", q.text.lower()))), default=None)
    return best

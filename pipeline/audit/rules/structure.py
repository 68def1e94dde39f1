"""What an article and its sections are made of: count-mismatch, list-mismatch, no-exercises,
missing-steps, missing-entry."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator

from rapidfuzz import fuzz

from ...config import EXTRACT
from ...knowledge import name_key
from ...records import Quote, Stretch
from ..registry import Context, Hit, format_note, is_stretch, rule


@rule("missing-steps", "warning")
def missing_steps(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """A section that never tells the reader what to do, where the page's other sections do."""
    said = _described(record)
    if record.steps or not said or _fragments(said, ctx):
        return
    def described_only(r: Stretch) -> bool:
        return not r.steps and bool(_described(r)) and not _fragments(_described(r), ctx)
    lacking = ctx.page_format("steps", described_only, among=lambda r: True)
    # most of the page's sections give no steps, described or bare ("Sanskrit name: Balasana" rows
    # beside a list of one-line blurbs): the page never teaches how, so one blurb is no slip either
    if lacking is None and ctx.page_format("any-steps", lambda r: not r.steps, among=lambda r: True):
        lacking = [r for r in ctx.article.records if described_only(r)]
    if lacking:  # cards of benefits, a gallery of photos: the page's format, not a slip
        yield from format_note(record, lacking, "no instruction sentences")
        return
    yield Hit("no instruction sentences: the section describes the exercise but never says how to do it",
              tuple(said[:2]))


def _fragments(said: list, ctx: Context) -> bool:
    """Steps written as fragments ("Knees wide, hips back to heels"): instructions all the same."""
    d = ctx.data
    return any(d.telegraphic.search(q.text) and not d.description_opener.match(q.text) for q in said)


def _described(record: Stretch) -> list:
    # a routine's bare list ("Glute stretch: 30 sec each") names exercises; it does not describe them
    # ("2 - 4 reps, each side" is a dose, not a description: words are counted, not numbers)
    return [q for q in record.evidence.sentences if q.role != "off_topic" and len(_WORDS.findall(q.text)) >= 6]


_WORDS = re.compile(r"[^\W\d_]{2,}")


@rule("missing-entry", "warning")
def missing_entry(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """The steps say how to hold or leave the position but never how to get into it."""
    hit = _no_entry(record, ctx)
    if hit is None:
        return
    lacking = ctx.page_format("entry", lambda r: _no_entry(r, ctx) is not None)
    if lacking:  # a table of photos with a dose under each: the picture shows the way in
        yield from format_note(record, lacking, "no way into the position")
        return
    yield hit


def _no_entry(record: Stretch, ctx: Context) -> Hit | None:
    ev = record.evidence
    if not is_stretch(record) or not record.steps or ev.start_positions:
        return None
    steps = [q for q in ev.sentences if q.role == "step"]
    if any(not m.start and not _is_exit(m.sentence.text, ctx) and m.sentence.role == "step" for m in ev.positions):
        return None  # a position is instructed, just not phrased as the start
    if any(not ctx.data.non_entry_step.match(q.text) for q in steps):
        return None  # some step moves the body into place
    if any(e is not None for q in steps for e in ctx.kb.find_mentions(q.text)):
        return None  # "In the child's pose position, walk your hands...": entered by reference
    exits = [q for q in steps if _is_exit(q.text, ctx)]
    if exits:
        return Hit("the steps only say how to come out of the position, never how to get into it", tuple(exits))
    if all(ctx.data.hold_only_step.match(q.text) for q in steps):
        return Hit("the steps only say to hold the position, never how to get into it", tuple(steps[:1]))
    return None


def _is_exit(text: str, ctx: Context) -> bool:
    low = text.lower()
    return any(cue in low for cue in ctx.data.exit_cues)


@rule("count-mismatch", "error", scope="article")
def count_mismatch(ctx: Context) -> Iterator[Hit]:
    """The title or intro claims N exercises and the article's own structure holds another number:
    its numbered items (an error: two quoted spans disagree), or else its exercise headings (a warning).

    The article's structure is the measure, not how many records extraction produced: a page whose
    sections were merged or missed by extraction is not at fault. A number that is not a count
    ("90/90", "3 minutes each") claims nothing; where the structure is unclear, nothing is said."""
    article, doc = ctx.article, ctx.doc
    if not article.records or doc is None:
        return
    # every place the page states its count (the <title>, the visible heading, the intro), each held
    # against the structure: a count changed in one of them is as wrong as a count changed in all
    claims = [(n, c) for n in _stated_counts(ctx) if (c := _count_claim(ctx, n)) is not None]
    for n, claim in claims:
        hits = list(_against_structure(ctx, n, claim))
        if hits:
            yield from hits
            return


def _stated_counts(ctx: Context) -> list[int]:
    """The counts the title and the headings before the first section state ("6 Gentle Yoga Poses",
    "Six gentle poses"), the extracted claim first."""
    words = ctx.kb.lexicon["number_words"]
    nouns = "|".join(sorted((re.escape(n) for n in ctx.kb.lexicon["count_nouns"] if n.endswith("s")),
                            key=len, reverse=True))
    rx = re.compile(r"\b(\d{1,3}|" + "|".join(re.escape(w) for w in words if len(w) > 2) + r")\s+"
                    r"(?:(?!\d)[\w'’-]+\s+){0,4}?(?:" + nouns + r")\b", re.I)
    first = min((r.source.span[0] for r in ctx.article.records if r.source.span), default=len(ctx.doc.text))
    texts = _titles(ctx) + [b.text for b in ctx.doc.blocks if b.kind == "heading" and b.start < first]
    # the intro's announcements too ("Here are four stretches"; not "I tried 3 exercises last week"):
    # a count changed there alone is as wrong as one changed in the title
    announced = _announced(ctx)
    found = [ctx.article.claimed_count] + [
        int(m.group(1)) if m.group(1).isdigit() else int(words[m.group(1).lower()])
        for b in ctx.doc.blocks if b.kind == "paragraph" and b.start < first for m in announced.finditer(b.text)]
    for text in texts:
        for m in rx.finditer(text):
            token = m.group(1).lower()
            found.append(int(token) if token.isdigit() else int(words[token]))
    return [n for n in dict.fromkeys(found) if n and n > 1]


def _against_structure(ctx: Context, n: int, claim: tuple[Quote | None, str, int]) -> Iterator[Hit]:
    quote, said, after = claim
    where = (quote,) if quote else ()
    numbered = _numbered_items(ctx, after)
    if numbered is not None:
        if len(numbered) != n:
            last = numbered[-1]
            yield Hit(f"the article claims {n} but has {len(numbered)} exercise sections: “{said}” against "
                      f"items numbered 1 to {len(numbered)}",
                      where + (Quote(last.text, last.start, last.end, "numbered"),), () if quote else (said,))
        return
    headed = _exercise_headings(ctx, after)
    if headed is not None and len(headed) != n:
        yield Hit(f"the article claims {n} but has {len(headed)} exercise sections: “{said}” against "
                  f"{len(headed)} exercise headings", where, () if quote else (said,), severity="warning")


def _announced(ctx: Context) -> re.Pattern:
    """An intro's announcement of the count ("Here are four stretches", "This guide covers 12 poses";
    not "I tried 3 exercises last week"): a number after an announcing phrase, a plural noun after it."""
    words = ctx.kb.lexicon["number_words"]
    nouns = "|".join(sorted((re.escape(n) for n in ctx.kb.lexicon["count_nouns"] if n.endswith("s")),
                            key=len, reverse=True))
    phrases = ctx.kb.lexicon["count_announcements"] + ctx.data.raw["count_announcements"]
    announce = "|".join(sorted(map(re.escape, phrases), key=len, reverse=True))
    number = r"(\d{1,3}|" + "|".join(re.escape(w) for w in words if len(w) > 2 and words[w] > 1) + r")"
    return re.compile(rf"\b(?:{announce})\s+{number}\s+(?:(?!\d)[\w'’-]+\s+){{0,4}}?(?:{nouns})\b", re.I)


def _count_claim(ctx: Context, n: int) -> tuple[Quote | None, str, int] | None:
    """Where the page states its count as a count: the quote (None for a title kept outside the
    text), the words, and the index of the block it sits in (-1: the title)."""
    d = ctx.data
    tokens = [str(n)] + [w for w, v in ctx.kb.lexicon["number_words"].items() if v == n and len(w) > 2]
    nouns = "|".join(sorted((re.escape(w) for w in ctx.kb.lexicon["count_nouns"]), key=len, reverse=True))
    # the number, then up to four words and the thing counted ("6 Gentle Yoga Poses", "Six gentle poses")
    rx = re.compile(r"(?<![\d/.:×])\b(?:" + "|".join(map(re.escape, tokens)) + r")\b(?![/.:×]\d)"
                    r"(?!\s*(?:x\b|×|%|-\s*\d))(?!\s+" + d.count_not_units + r")"
                    r"(?=\s+(?:(?!\d)[\w'’-]+\s+){0,4}?(?:" + nouns + r")\b)", re.I)
    first = min((r.source.span[0] for r in ctx.article.records if r.source.span), default=len(ctx.doc.text))
    # the intro, however long, and never a section's own heading ("Figure Four Stretch" claims nothing)
    blocks = [b for b in ctx.doc.blocks if b.start < first]
    for i, b in enumerate(blocks):
        if b.kind in ("heading", "paragraph") and (m := rx.search(b.text)):
            line = b.text[max(0, m.start() - 40):m.end() + 40].strip()
            if b.kind == "heading" or i == 0:
                return Quote(b.text, b.start, b.end, "claim"), b.text, i
            return Quote(b.text, b.start, b.end, "claim"), line, i
    for title in _titles(ctx):
        if rx.search(title):
            return None, title, -1
    return None


def _titles(ctx: Context) -> list[str]:
    """The article's title and the page's own <title> when it differs (readers see both)."""
    meta = ctx.article.metadata
    found = [ctx.article.title, meta.title if meta else None, ctx.doc.title if ctx.doc else None] + [
        r.text for r in ctx.article.removed if r.reason == "title"] + [  # the <title> the clean stage set aside
        _title_element(ctx)]  # the browser's title, which the page's own heading may have replaced
    return [t for t in dict.fromkeys(found) if t]


_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)


def _title_element(ctx: Context) -> str | None:
    """The text of an HTML page's <title> element (in its head, so within its first 100,000 characters)."""
    page = ctx.page
    if page is None or page.format != "html":
        return None
    m = _TITLE.search(page.text, 0, 100_000)
    return " ".join(html.unescape(m.group(1)).split()) or None if m else None


def _numbered_items(ctx: Context, after: int) -> list | None:
    """The article's numbered exercise items after the claim: a run numbered 1, 2, 3... of headings of
    one level or items of one list that spreads over at least two exercise sections; None if none."""
    groups: dict[tuple, list] = {}
    for b in ctx.doc.blocks[after + 1:]:
        if b.number is None:
            continue
        if b.kind == "heading":
            groups.setdefault(("heading", b.level), []).append(b)
        elif b.kind == "list_item" and b.depth == 0:
            groups.setdefault(("list", b.group), []).append(b)
    spans = [r.source.span for r in ctx.article.records if r.source.span]
    best = None
    for blocks in groups.values():
        if [b.number for b in blocks] != list(range(1, len(blocks) + 1)) or len(blocks) < 2:
            continue
        touched = {k for b in blocks for k, (s, e) in enumerate(spans) if s <= b.start < e or b.start <= s < b.end}
        if len(touched) >= 2 and (best is None or len(blocks) > len(best)):
            best = blocks
    return best


def _exercise_headings(ctx: Context, after: int) -> list | None:
    """The exercise headings after the claim, when the records' headings share one level and every
    heading of that level there heads an exercise; None when the page's headings do not say."""
    starts = {r.evidence.heading.start for r in ctx.article.records if r.evidence.heading}
    if len(starts) != len(ctx.article.records):
        return None
    heads = [b for b in ctx.doc.blocks[after + 1:] if b.kind == "heading"]
    levels = {b.level for b in heads if any(b.start <= s < b.end for s in starts)}
    if len(levels) != 1:
        return None
    same = [b for b in heads if b.level in levels]
    if not all(any(b.start <= s < b.end for s in starts) for b in same):
        return None  # "Benefits", "Conclusion" beside the exercises: which headings count is a guess
    return same


@rule("list-mismatch", "warning", scope="article")
def list_mismatch(ctx: Context) -> Iterator[Hit]:
    """The summary list and the section headings name different exercises or order."""
    article, kb = ctx.article, ctx.kb
    if not article.summary_list or not article.records:
        return
    headings = [r.name for r in article.records]
    quote = {r.name: r.evidence.heading for r in article.records}

    def matches(a: str, b: str) -> bool:
        return fuzz.token_sort_ratio(name_key(a), name_key(b)) >= EXTRACT.list_match_score

    # a table of contents also lists "Benefits" or "FAQ": only exercises can be missing sections
    missing = [item for item in article.summary_list
               if not any(matches(item, h) for h in headings) and kb.looks_like_exercise(item)]
    extra = [h for h in headings if not any(matches(h, item) for item in article.summary_list)]
    if missing:
        yield Hit("listed but without a section: " + "; ".join(missing), texts=tuple(missing))
    if extra:
        yield Hit("a section that the summary list leaves out: " + "; ".join(extra),
                  tuple(q for h in extra if (q := quote.get(h))), tuple(h for h in extra if not quote.get(h)))
    listed = [item for item in article.summary_list if any(matches(item, h) for h in headings)]
    if not missing and not extra and len(headings) == len(listed):
        order = [i for i, (a, b) in enumerate(zip(listed, headings)) if not matches(a, b)]
        if order:
            i = order[0]
            yield Hit("the summary list and the sections are in a different order",
                      tuple(q for q in (quote.get(headings[i]),) if q), (listed[i],))


@rule("no-exercises", "info", scope="article")
def no_exercises(ctx: Context) -> Iterator[Hit]:
    """The page holds no exercise sections that extraction could find (a note, not a fault of the page:
    its stretches may be in prose, nested lists or cards)."""
    if not ctx.article.records:
        yield Hit("no exercise sections were found", texts=(ctx.article.title or "",))

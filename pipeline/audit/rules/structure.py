"""What an article and its sections are made of: count-mismatch, list-mismatch, no-exercises,
missing-steps, missing-entry."""
from __future__ import annotations

from collections.abc import Iterator

from rapidfuzz import fuzz

from ...config import EXTRACT
from ...knowledge import name_key
from ...records import Stretch
from ..registry import Context, Hit, is_stretch, rule


@rule("missing-steps", "warning")
def missing_steps(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """A section that never tells the reader what to do."""
    # a routine's bare list ("Glute stretch: 30 sec each") names exercises; it does not describe them
    said = [q for q in record.evidence.sentences if q.role != "off_topic" and len(q.text.split()) >= 6]
    if not record.steps and said:
        yield Hit("no instruction sentences: the section describes the exercise but never says how to do it",
                  tuple(said[:2]))


@rule("missing-entry", "warning")
def missing_entry(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """The steps say how to hold or leave the position but never how to get into it."""
    ev = record.evidence
    if not is_stretch(record) or not record.steps or ev.start_positions:
        return
    steps = [q for q in ev.sentences if q.role == "step"]
    if any(not m.start and not _is_exit(m.sentence.text, ctx) and m.sentence.role == "step" for m in ev.positions):
        return  # a position is instructed, just not phrased as the start
    if any(not ctx.data.non_entry_step.match(q.text) for q in steps):
        return  # some step moves the body into place
    if any(e is not None for q in steps for e in ctx.kb.find_mentions(q.text)):
        return  # "In the child's pose position, walk your hands...": entered by reference
    exits = [q for q in steps if _is_exit(q.text, ctx)]
    if exits:
        yield Hit("the steps only say how to come out of the position, never how to get into it", tuple(exits))
    elif all(ctx.data.hold_only_step.match(q.text) for q in steps):
        yield Hit("the steps only say to hold the position, never how to get into it", tuple(steps[:1]))


def _is_exit(text: str, ctx: Context) -> bool:
    low = text.lower()
    return any(cue in low for cue in ctx.data.exit_cues)


@rule("count-mismatch", "error", scope="article")
def count_mismatch(ctx: Context) -> Iterator[Hit]:
    """The title claims N exercises and the article has another number of sections."""
    article = ctx.article
    # the claim may count a section the evidence gate set aside ("Warrior II" with its steps missed)
    named = len(article.records) + len(article.non_exercise_sections)
    if article.claimed_count is not None and article.records and article.claimed_count not in (len(article.records),
                                                                                               named):
        yield Hit(f"the article claims {article.claimed_count} but has {len(article.records)} exercise sections",
                  texts=(article.title or "",))


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


@rule("no-exercises", "warning", scope="article")
def no_exercises(ctx: Context) -> Iterator[Hit]:
    """The page holds no exercise sections at all."""
    if not ctx.article.records:
        yield Hit("no exercise sections were found", texts=(ctx.article.title or "",))

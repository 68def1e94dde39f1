"""Stage 4, audit: a registry of rules that flag contradictions and defects.

A rule is a function registered with `@rule(id, severity, scope)`; record rules take
(record, article, kb) and article rules take (article, kb); both return Flags. Adding a rule
is adding one decorated function; `RULES` lists them for the docs and the CLI.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz

from .config import EXTRACT
from .knowledge import Knowledge, load_knowledge, name_key
from .records import Article, Flag, Severity, Stretch


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    scope: str  # "record" or "article"
    description: str
    check: Callable


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, scope: str = "record"):
    def register(fn: Callable) -> Callable:
        RULES[rule_id] = Rule(rule_id, severity, scope, (fn.__doc__ or "").strip().splitlines()[0], fn)
        return fn
    return register


def audit_article(article: Article, kb: Knowledge | None = None, disabled: frozenset[str] = frozenset()) -> Article:
    """Attach flags to each record and to the article; returns the same article."""
    kb = kb or load_knowledge()
    for r in RULES.values():
        if r.id in disabled:
            continue
        if r.scope == "record":
            for record in article.records:
                for message, evidence in r.check(record, article, kb):
                    record.flags.append(Flag(r.id, r.severity, message, evidence, record.name))
        else:
            for message, evidence in r.check(article, kb):
                article.flags.append(Flag(r.id, r.severity, message, evidence, None))
    return article


def all_flags(article: Article) -> list[Flag]:
    return list(article.flags) + [f for r in article.records for f in r.flags]


# --------------------------------------------------------------------------- record rules

def _is_stretch(record: Stretch) -> bool:
    return record.kind in ("static-stretch", "dynamic-stretch")


@rule("position-conflict", "error")
def position_conflict(record: Stretch, article: Article, kb: Knowledge) -> Iterator[tuple[str, list[str]]]:
    """The name implies one position and the steps another, or the steps start in two."""
    starts = [(m.label, m.sentence.text) for m in record.evidence.start_positions]
    allowed = record.evidence.name_positions
    labels = list(dict.fromkeys(label for label, _ in starts))
    if allowed and labels and labels[0] not in allowed and not set(allowed) & set(record.position_options):
        evidence = [s for label, s in starts if label == labels[0]][:1]
        yield (f"the name says {' or '.join(allowed)} but the steps start {labels[0]}", evidence)
    if len(labels) > 1:
        evidence = [next(s for label, s in starts if label == lab) for lab in labels]
        yield (f"the steps give two starting positions: {' and then '.join(labels)}", evidence)


@rule("off-topic", "warning")
def off_topic(record: Stretch, article: Article, kb: Knowledge) -> Iterator[tuple[str, list[str]]]:
    """Sentences about other exercises or goals inside a stretch's section."""
    sentences = [q.text for q in record.evidence.off_topic]
    if sentences:
        yield (f"{len(sentences)} sentence(s) about other exercises or goals", sentences)


@rule("missing-steps", "error")
def missing_steps(record: Stretch, article: Article, kb: Knowledge) -> Iterator[tuple[str, list[str]]]:
    """A section that never tells the reader what to do."""
    if not record.steps:
        yield ("no instruction sentences: the section describes the exercise but never says how to do it",
               record.benefits[:2])


@rule("missing-hold", "warning")
def missing_hold(record: Stretch, article: Article, kb: Knowledge) -> Iterator[tuple[str, list[str]]]:
    """A stretch with steps but no hold time, duration, breaths or repetitions."""
    if _is_stretch(record) and record.steps and not (record.hold or record.duration or record.breaths
                                                     or record.repetitions):
        yield ("no hold time, duration, breath count or repetitions is given", [])


@rule("target-mismatch", "warning")
def target_mismatch(record: Stretch, article: Article, kb: Knowledge) -> Iterator[tuple[str, list[str]]]:
    """A stretch whose stated targets all lie outside the article's topic."""
    if not article.topic or not record.targets or record.targets_source != "text":
        return
    on_topic = set().union(*(kb.related_areas(t) for t in article.topic))
    if not set(record.targets) & on_topic:
        yield (f"targets {', '.join(record.targets)} lie outside the article's topic ({', '.join(article.topic)})",
               [])


# --------------------------------------------------------------------------- article rules

@rule("count-mismatch", "error", scope="article")
def count_mismatch(article: Article, kb: Knowledge) -> Iterator[tuple[str, list[str]]]:
    """The title claims N exercises and the article has another number of sections."""
    if article.claimed_count is not None and article.claimed_count != len(article.records):
        yield (f"the article claims {article.claimed_count} but has {len(article.records)} exercise sections",
               [article.title or ""])


@rule("list-mismatch", "warning", scope="article")
def list_mismatch(article: Article, kb: Knowledge) -> Iterator[tuple[str, list[str]]]:
    """The summary list and the section headings name different exercises or order."""
    if not article.summary_list:
        return
    headings = [r.name for r in article.records]

    def matches(a: str, b: str) -> bool:
        return fuzz.token_sort_ratio(name_key(a), name_key(b)) >= EXTRACT.list_match_score

    # a table of contents also lists "Benefits" or "FAQ": only exercises can be missing sections
    missing = [item for item in article.summary_list
               if not any(matches(item, h) for h in headings) and kb.looks_like_exercise(item)]
    extra = [h for h in headings if not any(matches(h, item) for item in article.summary_list)]
    if missing:
        yield ("listed but without a section: " + "; ".join(missing), missing)
    if extra:
        yield ("a section that the summary list leaves out: " + "; ".join(extra), extra)
    listed = [item for item in article.summary_list if any(matches(item, h) for h in headings)]
    if not missing and not extra and len(headings) == len(listed):
        order = [i for i, (a, b) in enumerate(zip(listed, headings)) if not matches(a, b)]
        if order:
            yield ("the summary list and the sections are in a different order", [listed[order[0]], headings[order[0]]])


@rule("no-exercises", "error", scope="article")
def no_exercises(article: Article, kb: Knowledge) -> Iterator[tuple[str, list[str]]]:
    """The page holds no exercise sections at all."""
    if not article.records:
        yield ("no exercise sections were found", [article.title or ""])

"""The rule registry: `@rule(id, severity, scope)` registers a check; `audit_article` runs them.

A record rule is `check(record, ctx)`, an article rule `check(ctx)`; both yield `Hit`s (a message
and the quotes it is about). The registry turns hits into `Flag`s with the rule's id and severity.
Rules read only public fields: the article, its records and their `evidence`, the cleaned document
when given, the knowledge base and the audit's own data file.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..knowledge import Knowledge, load_knowledge
from ..records import Article, CleanDocument, Flag, Page, Quote, Severity, Stretch
from .data import AuditData, load_audit_data

SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")


@dataclass(frozen=True)
class Hit:
    """One finding of a rule: what is wrong, and the quotes it is about (first one is where it points)."""

    message: str
    quotes: tuple[Quote, ...] = ()
    texts: tuple[str, ...] = ()  # evidence with no place in the cleaned text (a removed block, the title)
    stretch: str | None = None  # for an article rule's hit about one record
    records: tuple[Stretch, ...] = ()  # the records an article rule's hit is about, in order (Flag.related)
    severity: Severity | None = None  # lower than the rule's own: an inferred case, or a page's format said once


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    scope: str  # "record" or "article"
    family: str  # the module under audit/rules that holds it
    summary: str  # first line of the check's docstring
    check: Callable[..., Iterable[Hit]]


@dataclass
class Context:
    """What a rule may read."""

    article: Article
    kb: Knowledge
    data: AuditData
    doc: CleanDocument | None = None
    page: Page | None = None  # the page as read, when given: what its markup says (image alt text, <title>)
    _intro: list[Quote] | None = field(default=None, repr=False)
    _formats: dict[str, list[Stretch]] = field(default_factory=dict, repr=False)
    notes: dict = field(default_factory=dict, repr=False)  # what a rule computes once per page

    @property
    def intro(self) -> list[Quote]:
        """Sentences of the cleaned text before the first exercise section (title excluded)."""
        if self._intro is None:
            self._intro = intro_sentences(self.doc, self.article) if self.doc else []
        return self._intro


    def page_format(self, what: str, lacks: Callable[[Stretch], bool],
                    among: Callable[[Stretch], bool] | None = None) -> list[Stretch] | None:
        """The page's stretches that lack `what`, when so many do that it is how the page is written
        (an image-led routine, a card gallery, a programme table); else None. Computed once per page."""
        if what not in self._formats:
            stretches = [r for r in self.article.records if (among or is_stretch)(r)]
            self._formats[what] = [r for r in stretches if lacks(r)]
            lacking = self._formats[what]
            if len(lacking) < self.data.format_min or len(lacking) < self.data.format_share * len(stretches):
                self._formats[what] = []
        return self._formats[what] or None


def format_note(record: Stretch, lacking: list[Stretch], said: str) -> Iterator[Hit]:
    """A page's format said once, at info, on the first record that shows it."""
    if record is lacking[0]:
        stretches = "stretch gives" if len(lacking) == 1 else "stretches give"
        yield Hit(f"{len(lacking)} {stretches} {said}: that is how this page is written, so it is noted once",
                  severity="info")


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, scope: str = "record"):
    """Register a check under `rule_id`; the docstring's first line is its summary."""
    def register(fn: Callable) -> Callable:
        if rule_id in RULES:
            raise ValueError(f"audit rule {rule_id!r} registered twice")
        family = fn.__module__.rsplit(".", 1)[-1]
        summary = " ".join((fn.__doc__ or "").strip().split("\n\n")[0].split())  # the first paragraph
        RULES[rule_id] = Rule(rule_id, severity, scope, family, summary, fn)
        return fn
    return register


def audit_article(article: Article, kb: Knowledge | None = None, doc: CleanDocument | None = None,
                  page: Page | None = None) -> Article:
    """Attach flags to each record and to the article; returns the same article. With the page as
    read, rules may also read what its markup says (an image's alt text, the <title>)."""
    from . import rules  # noqa: F401  (registers the rule families)

    ctx = Context(article, kb or load_knowledge(), load_audit_data(), doc, page)
    # where the extraction model doubts a record is an exercise, what the record lacks is no fault of the page
    heard = [r for r in article.records if not _unsure(r, ctx.data)]
    for r in RULES.values():
        if r.scope == "record":
            for record in heard:
                for hit in r.check(record, ctx):
                    record.flags.append(_flag(r, hit, record.name))
        else:
            for hit in r.check(ctx):
                flag = _flag(r, hit, hit.stretch)
                flag.related_positions = [next(i for i, x in enumerate(article.records) if x is record)
                                          for record in hit.records]
                article.flags.append(flag)
    return article


def _unsure(record: Stretch, d: AuditData) -> bool:
    confidence = getattr(record, "confidence", None)  # the extraction model's, when it gives one
    return confidence is not None and confidence < d.quiet_below_confidence


def _flag(r: Rule, hit: Hit, stretch: str | None) -> Flag:
    evidence = [q.text for q in hit.quotes] + list(hit.texts)
    spans = [(q.start, q.end) for q in hit.quotes]
    severity = r.severity
    if hit.severity is not None and SEVERITIES.index(hit.severity) < SEVERITIES.index(r.severity):
        severity = hit.severity
    return Flag(r.id, severity, hit.message, evidence, stretch, spans)


def all_flags(article: Article) -> list[Flag]:
    return list(article.flags) + [f for r in article.records for f in r.flags]


def is_stretch(record: Stretch) -> bool:
    return record.kind in ("static-stretch", "dynamic-stretch")


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9\"“‘(])|\n+")


def split_sentences(text: str, offset: int = 0, role: str = "") -> Iterator[Quote]:
    """Sentences of a stretch of cleaned text with their spans (for text outside the sections)."""
    pos = 0
    for m in list(_SENTENCE_END.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        stripped = chunk.strip()
        if stripped:
            start = pos + chunk.index(stripped)
            yield Quote(stripped, offset + start, offset + start + len(stripped), role)
        pos = m.end() if m else len(text)


def intro_sentences(doc: CleanDocument, article: Article) -> list[Quote]:
    first = min((r.source.span[0] for r in article.records), default=len(doc.text))
    return list(split_sentences(doc.text[:first], 0, "intro"))

"""Whether the text stays on its subject: off-topic, topic-drift, target-mismatch."""
from __future__ import annotations

from collections.abc import Iterator

from ...records import Stretch
from ..registry import Context, Hit, rule


@rule("off-topic", "warning")
def off_topic(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """Sentences about other exercises or goals inside a stretch's section."""
    quotes = record.evidence.off_topic
    if quotes:
        yield Hit(f"{len(quotes)} sentence(s) about other exercises or goals", tuple(quotes))


@rule("topic-drift", "warning", scope="article")
def topic_drift(ctx: Context) -> Iterator[Hit]:
    """The title or intro promises something else (strength, workouts) than the article delivers."""
    article, d = ctx.article, ctx.data
    if not article.records:
        return
    stretches = article.stretches
    if article.title and d.stretch_title.search(article.title) and len(stretches) * 2 > len(article.records):
        promises = []
        for q in ctx.intro:
            for rx in d.strength_promise:
                m = rx.search(q.text)
                if m and not d.negated(q.text, m.start()):
                    promises.append((q, m.group(0)))
                    break
        if promises:
            words = ", ".join(dict.fromkeys(f"“{w}”" for _, w in promises))
            yield Hit(f"the intro promises strength work ({words}) but the article's exercises are stretches",
                      tuple(q for q, _ in promises[:4]))
    if article.title and d.stretch_title.search(article.title):
        strength = [r for r in article.records if _kb_kind(r, ctx) == "strength"]
        for r in strength:
            yield Hit(f"“{r.name}” is a strength exercise in an article of stretches",
                      tuple(q for q in (r.evidence.heading,) if q))


def _kb_kind(record: Stretch, ctx: Context) -> str | None:
    """What the knowledge base says the exercise is (the text's guess is extraction's, not a fact)."""
    if not record.canonical_name:
        return None
    entry, _ = ctx.kb.match_exercise(record.canonical_name)
    return entry.kind if entry else None


@rule("target-mismatch", "warning")
def target_mismatch(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """A stretch whose stated targets all lie outside the article's topic."""
    article, kb = ctx.article, ctx.kb
    if not article.topic or not record.targets or record.targets_source != "text":
        return
    on_topic = set().union(*(kb.related_areas(t) for t in article.topic))
    if not set(record.targets) & on_topic:
        said = [q for q in record.evidence.sentences if q.role != "off_topic"
                and any(t in q.text.lower() for t in record.targets)][:1]
        yield Hit(f"targets {', '.join(record.targets)} lie outside the article's topic ({', '.join(article.topic)})",
                  tuple(said))

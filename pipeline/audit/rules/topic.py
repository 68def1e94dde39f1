"""Whether the text stays on its subject: off-topic, topic-drift, target-mismatch."""
from __future__ import annotations

from collections.abc import Iterator

from ...knowledge import name_key
from ...records import Quote, Stretch
from ..registry import Context, Hit, is_stretch, rule


@rule("off-topic", "warning")
def off_topic(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """Sentences about other exercises inside a stretch's section: a strength move it tells the reader
    to do ("then do 15 push-ups"), or another exercise it names outside an instruction.

    What a pose builds ("builds leg strength", "great for balance") describes the stretch itself, and
    a strength exercise's own section is no stretch's: neither is reported."""
    if record.kind == "strength":
        return
    off = {q.start for q in record.evidence.off_topic}
    quotes = [q for q in record.evidence.sentences if (q.start in off and _names_other(q, record, ctx))
              or _strength_instruction(q, record, ctx)]
    if quotes:
        n = len(quotes)
        yield Hit(f"{n} {'sentence' if n == 1 else 'sentences'} about other exercises", tuple(quotes))


def _names_other(q: Quote, record: Stretch, ctx: Context) -> bool:
    """Another exercise than the record's own named, or a dose given to something else."""
    own = record.canonical_name
    if any(e.canonical_name != own for e in ctx.kb.find_mentions(q.text)):
        return True
    return bool(ctx.data.strength_moves.search(q.text)) or bool(ctx.data.dose.search(q.text))


def _strength_instruction(q: Quote, record: Stretch, ctx: Context) -> bool:
    """"Then do 15 push-ups", "Finish with 10 burpees": a strength move with a dose, told to the reader."""
    d = ctx.data
    if not d.dose.search(q.text):
        return False
    own = {name_key(record.name)} | ({name_key(record.canonical_name)} if record.canonical_name else set())
    moves = [e for e in ctx.kb.find_mentions(q.text) if e.kind == "strength"
             and not any(name_key(e.canonical_name) in o or o in name_key(e.canonical_name) for o in own)]
    m = d.strength_moves.search(q.text)
    if m and any(name_key(m.group(0)) in o for o in own):
        m = None  # "Lunge stretch": the lunge is the stretch
    return bool(moves or m)


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
        if strength:  # a routine that mixes in strength work is one choice of the page: said once
            names = ", ".join(f"“{r.name}”" for r in strength)
            verb = "is a strength exercise" if len(strength) == 1 else "are strength exercises"
            yield Hit(f"{names} {verb} in an article of stretches",
                      tuple(r.evidence.heading for r in strength if r.evidence.heading),
                      stretch=strength[0].name if len(strength) == 1 else None)


def _kb_kind(record: Stretch, ctx: Context) -> str | None:
    """What the knowledge base says the exercise is (the text's guess is extraction's, not a fact)."""
    if not record.canonical_name:
        return None
    entry, _ = ctx.kb.match_exercise(record.canonical_name)
    return entry.kind if entry else None


@rule("target-mismatch", "warning")
def target_mismatch(record: Stretch, ctx: Context) -> Iterator[Hit]:
    """A stretch whose stated targets all lie outside the article's topic, where the article's other
    stretches keep to it (when most do not, the title names a goal such as recovery, not one area)."""
    if not _off_target(record, ctx):
        return
    if "off_target" not in ctx.notes:
        # every stretch's targets, stated or known from the knowledge base, say what the article is about
        known = [r for r in ctx.article.records if is_stretch(r) and r.targets]
        ctx.notes["off_target"] = sum(1 for r in known if _off_target(r, ctx, stated=False)) * 2 > len(known)
    if ctx.notes["off_target"]:
        return
    said = [q for q in record.evidence.sentences if q.role != "off_topic"
            and any(t in q.text.lower() for t in record.targets)][:1]
    yield Hit(f"targets {', '.join(record.targets)} lie outside the article's topic ({', '.join(ctx.article.topic)})",
              tuple(said))


def _off_target(record: Stretch, ctx: Context, stated: bool = True) -> bool:
    article, kb = ctx.article, ctx.kb
    if not article.topic or not record.targets or stated and record.targets_source != "text":
        return False
    on_topic = set().union(*(kb.related_areas(t) for t in article.topic))
    return not set(record.targets) & on_topic

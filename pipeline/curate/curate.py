"""Stage 6, curate: one dataset row per canonical stretch, across all kept articles.

Records are grouped by their knowledge-base link (`canonical_name`), or by their normalised
heading when they have none. Each row keeps the names seen, a consensus position with its votes,
the hold range across sources, per-side by majority, targets with how many sources name each,
the clearest steps with the record they come from, and every source record as provenance.
Where sources disagree (on the position, or on the shape a shared name stands for) the row gets
a `source-conflict` flag naming the records on each side.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..knowledge import Knowledge, load_knowledge, name_key
from ..records import KINDS, POSITIONS, Article, Flag, Stretch

CONFLICT = "source-conflict"


@dataclass
class Vote:
    value: str
    votes: int = field(metadata={"minimum": 1})


@dataclass
class NameSeen:
    name: str
    count: int = field(metadata={"minimum": 1, "doc": "records headed with this name"})


@dataclass
class TargetCount:
    target: str
    sources: int = field(metadata={"minimum": 1, "doc": "records that name this target"})


@dataclass
class HoldRange:
    """The hold range across sources: the smallest minimum and the largest maximum stated."""

    min_seconds: float | None = field(metadata={"minimum": 0})
    max_seconds: float | None = field(metadata={"minimum": 0})
    sources: int = field(metadata={"minimum": 1, "doc": "records that state a hold"})


@dataclass
class SourceRecord:
    """One record that went into a dataset row."""

    record_id: str
    article_id: str
    name: str
    position: str | None = field(metadata={"enum": POSITIONS})
    shape: str | None = field(metadata={"doc": "the body shape its steps describe, when they name one"})
    url: str | None
    path: str | None
    title: str | None


@dataclass
class DatasetRow:
    """One canonical stretch across all articles."""

    id: str = field(metadata={"doc": "slug of the canonical name (or of the heading when unlinked)"})
    canonical_name: str | None = field(metadata={"doc": "knowledge-base entry; null when no source links one"})
    name: str = field(metadata={"min_length": 1, "doc": "the canonical name, else the most used heading"})
    kind: str = field(metadata={"enum": KINDS})
    names: list[NameSeen] = field(metadata={"doc": "every heading used for it, with counts"})
    aliases: list[str] = field(metadata={"doc": "the knowledge base's other names for it"})
    position: str | None = field(metadata={"enum": POSITIONS, "doc": "the position most sources give"})
    position_votes: list[Vote]
    hold: HoldRange | None
    per_side: bool | None = field(metadata={"doc": "what most sources say; null on a tie"})
    per_side_votes: list[Vote]
    targets: list[TargetCount]
    steps: list[str] = field(metadata={"doc": "the clearest steps among the sources"})
    steps_source: str | None = field(metadata={"doc": "record id the steps come from"})
    source_count: int = field(metadata={"minimum": 1})
    article_count: int = field(metadata={"minimum": 1})
    sources: list[SourceRecord]
    flags: list[Flag]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name_key(text)).strip("-") or "unnamed"


def _votes(counts: Counter) -> list[Vote]:
    return [Vote(v, n) for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _winner(votes: list[Vote]) -> str | None:
    """The value with most votes; none on a tie at the top."""
    if not votes or len(votes) > 1 and votes[0].votes == votes[1].votes:
        return None
    return votes[0].value


def shape_of(record: Stretch, kb: Knowledge) -> str | None:
    """The body shape the steps describe ("spinal flexion", "spinal extension"), from the shape
    cues in positions.json; none when the steps name no shape or name several."""
    text = " ".join(record.steps).lower()
    found = {shape for shape, pattern in _shape_patterns(kb).items() if pattern.search(text)}
    return found.pop() if len(found) == 1 else None


_SHAPES: dict[int, dict[str, re.Pattern]] = {}


def _shape_patterns(kb: Knowledge) -> dict[str, re.Pattern]:
    if id(kb) not in _SHAPES:
        cues = kb.positions.get("shape_cues", {})
        _SHAPES[id(kb)] = {shape: re.compile(r"\b(" + "|".join(map(re.escape, phrases)) + r")\b")
                           for shape, phrases in sorted(cues.items()) if not shape.startswith("_") and phrases}
    return _SHAPES[id(kb)]


def clarity(record: Stretch) -> tuple:
    """Sort key: the clearest steps first. No error flag on the record, a stated position, a
    workable number of steps (2-8), then more steps, then the record id for a stable choice."""
    errors = any(f.severity == "error" for f in record.flags)
    return (errors, not record.steps, record.position is None, not 2 <= len(record.steps) <= 8,
            -len(record.steps), record.id)


def group_key(record: Stretch) -> str:
    return record.canonical_name or name_key(record.name)


def curate(articles: list[Article], kb: Knowledge | None = None) -> list[DatasetRow]:
    """The dataset rows of the kept articles' stretch records, sorted by id."""
    return curate_records([r for a in articles for r in a.stretches], kb)


def curate_records(stretches, kb: Knowledge | None = None) -> list[DatasetRow]:
    curator = Curator(kb)
    for record in stretches:
        curator.add(record)
    return curator.rows()


@dataclass
class _Group:
    """What one dataset row needs of its records, gathered one record at a time: the provenance
    row of each record (which the dataset keeps anyway), the counts, and only the steps of the
    clearest record so far, so a large run never holds its records themselves."""

    sources: list[SourceRecord] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)  # record id -> kind
    canonical: dict[str, str | None] = field(default_factory=dict)  # record id -> canonical name
    names: Counter = field(default_factory=Counter)
    positions: Counter = field(default_factory=Counter)
    per_side: Counter = field(default_factory=Counter)  # "true" / "false"
    hold_mins: list[float] = field(default_factory=list)
    hold_maxes: list[float] = field(default_factory=list)
    holds: int = 0
    text_targets: Counter = field(default_factory=Counter)
    all_targets: Counter = field(default_factory=Counter)
    clearest: tuple | None = None  # (clarity key, steps) of the clearest record so far


class Curator:
    """Builds the dataset rows from stretch records given one at a time (in any order)."""

    def __init__(self, kb: Knowledge | None = None):
        self.kb = kb or load_knowledge()
        self._groups: dict[str, _Group] = {}

    def add(self, record: Stretch) -> None:
        g = self._groups.setdefault(group_key(record), _Group())
        g.sources.append(SourceRecord(record.id, record.article_id, record.name, record.position,
                                      shape_of(record, self.kb), record.source.url, record.source.path,
                                      record.source.title))
        g.kinds[record.id] = record.kind
        g.canonical[record.id] = record.canonical_name
        g.names[record.name] += 1
        if record.position:
            g.positions[record.position] += 1
        g.per_side["true" if record.per_side else "false"] += 1
        if record.hold:
            g.holds += 1
            if record.hold.min_seconds is not None:
                g.hold_mins.append(record.hold.min_seconds)
            top = record.hold.max_seconds if record.hold.max_seconds is not None else record.hold.min_seconds
            if top is not None:
                g.hold_maxes.append(top)
        if record.targets_source == "text":
            g.text_targets.update(record.targets)
        g.all_targets.update(record.targets)
        key = clarity(record)
        if g.clearest is None or key < g.clearest[0]:
            g.clearest = (key, list(record.steps))

    def rows(self) -> list[DatasetRow]:
        entries = {e.canonical_name: e for e in self.kb.exercises}
        rows = [_row(g, entries) for g in self._groups.values()]
        _unique_ids(rows)
        for row in rows:
            row.flags = _conflicts(row)
        return sorted(rows, key=lambda r: r.id)


def _row(g: _Group, entries: dict) -> DatasetRow:
    g.sources.sort(key=lambda s: s.record_id)
    first = g.sources[0].record_id
    canonical = g.canonical[first]
    entry = entries.get(canonical)
    names = [NameSeen(n, c) for n, c in sorted(g.names.items(), key=lambda kv: (-kv[1], kv[0]))]
    position_votes, per_side_votes = _votes(g.positions), _votes(g.per_side)
    per_side = _winner(per_side_votes)
    hold = None
    if g.holds:
        hold = HoldRange(min(g.hold_mins) if g.hold_mins else None, max(g.hold_maxes) if g.hold_maxes else None,
                         g.holds)
    # no source states targets: the knowledge base's, counted once per record
    targets = g.text_targets or g.all_targets
    key, steps = g.clearest
    steps_id = key[-1]  # clarity's last element is the record id
    return DatasetRow(
        id=slug(canonical or names[0].name),
        canonical_name=canonical,
        name=canonical or names[0].name,
        kind=Counter(g.kinds[s.record_id] for s in g.sources).most_common(1)[0][0],  # ties: the lowest record id
        names=names,
        aliases=sorted(entry.aliases) if entry else [],
        position=_winner(position_votes),
        position_votes=position_votes,
        hold=hold,
        per_side=None if per_side is None else per_side == "true",
        per_side_votes=per_side_votes,
        targets=[TargetCount(t, n) for t, n in sorted(targets.items(), key=lambda kv: (-kv[1], kv[0]))],
        steps=steps,
        steps_source=steps_id if steps else None,
        source_count=len(g.sources),
        article_count=len({s.article_id for s in g.sources}),
        sources=list(g.sources),
        flags=[],
    )


def _conflicts(row: DatasetRow) -> list[Flag]:
    flags = []
    for label in ("position", "shape"):
        sides: dict[str, list[SourceRecord]] = {}
        for s in row.sources:
            value = getattr(s, label)
            if value:
                sides.setdefault(value, []).append(s)
        articles = {v: {s.article_id for s in ss} for v, ss in sides.items()}
        if len(sides) < 2 or len(set().union(*articles.values())) < 2:
            continue  # one article giving two answers is the audit's business, not curation's
        tally = ", ".join(f"{v} ({len(ss)})" for v, ss in sorted(sides.items(), key=lambda kv: (-len(kv[1]), kv[0])))
        evidence = [f"{v}: {s.record_id} {s.name!r} in {s.path or s.url}"
                    for v, ss in sorted(sides.items()) for s in ss]
        flags.append(Flag(CONFLICT, "warning", f"sources disagree on the {label} of {row.name}: {tally}",
                          evidence, row.name, id=f"{row.id}-{CONFLICT}-{label}", dataset_id=row.id))
    return flags


def _unique_ids(rows: list[DatasetRow]) -> None:
    """A heading slug can equal a canonical slug ("Cobra" unlinked vs linked): number the later ones."""
    seen: Counter[str] = Counter()
    for row in sorted(rows, key=lambda r: (r.id, r.canonical_name is None, r.name)):
        seen[row.id] += 1
        if seen[row.id] > 1:
            row.id = f"{row.id}-{seen[row.id]}"

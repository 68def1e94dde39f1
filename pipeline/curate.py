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

from .knowledge import Knowledge, load_knowledge, name_key
from .records import KINDS, POSITIONS, Article, Flag, Stretch

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


def _votes(values: list[str]) -> list[Vote]:
    counts = Counter(values)
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


def curate_records(stretches: list[Stretch], kb: Knowledge | None = None) -> list[DatasetRow]:
    kb = kb or load_knowledge()
    entries = {e.canonical_name: e for e in kb.exercises}
    groups: dict[str, list[Stretch]] = {}
    for record in stretches:
        groups.setdefault(group_key(record), []).append(record)
    built = [_row(sorted(records, key=lambda r: r.id), entries.get(records[0].canonical_name), kb)
             for records in groups.values()]
    _unique_ids([row for row, _ in built])
    for row, records in built:
        row.flags = _conflicts(row, records, {s.record_id: s.shape for s in row.sources})
    return sorted((row for row, _ in built), key=lambda r: r.id)


def _row(records: list[Stretch], entry, kb: Knowledge) -> tuple[DatasetRow, list[Stretch]]:
    names = [NameSeen(n, c) for n, c in sorted(Counter(r.name for r in records).items(),
                                                 key=lambda kv: (-kv[1], kv[0]))]
    canonical = records[0].canonical_name
    position_votes = _votes([r.position for r in records if r.position])
    per_side_votes = _votes(["true" if r.per_side else "false" for r in records])
    per_side = _winner(per_side_votes)
    holds = [r.hold for r in records if r.hold]
    hold = None
    if holds:
        mins = [h.min_seconds for h in holds if h.min_seconds is not None]
        maxes = [h.max_seconds if h.max_seconds is not None else h.min_seconds for h in holds]
        maxes = [m for m in maxes if m is not None]
        hold = HoldRange(min(mins) if mins else None, max(maxes) if maxes else None, len(holds))
    targets = Counter(t for r in records if r.targets_source == "text" for t in r.targets)
    if not targets:  # no source states targets: the knowledge base's, counted once per record
        targets = Counter(t for r in records for t in r.targets)
    clearest = min(records, key=clarity)
    shapes = {r.id: shape_of(r, kb) for r in records}
    row = DatasetRow(
        id=slug(canonical or names[0].name),
        canonical_name=canonical,
        name=canonical or names[0].name,
        kind=Counter(r.kind for r in records).most_common(1)[0][0],
        names=names,
        aliases=sorted(entry.aliases) if entry else [],
        position=_winner(position_votes),
        position_votes=position_votes,
        hold=hold,
        per_side=None if per_side is None else per_side == "true",
        per_side_votes=per_side_votes,
        targets=[TargetCount(t, n) for t, n in sorted(targets.items(), key=lambda kv: (-kv[1], kv[0]))],
        steps=list(clearest.steps),
        steps_source=clearest.id if clearest.steps else None,
        source_count=len(records),
        article_count=len({r.article_id for r in records}),
        sources=[SourceRecord(r.id, r.article_id, r.name, r.position, shapes[r.id], r.source.url, r.source.path,
                              r.source.title) for r in records],
        flags=[],
    )
    return row, records


def _conflicts(row: DatasetRow, records: list[Stretch], shapes: dict[str, str | None]) -> list[Flag]:
    flags = []
    for label, values in (("position", {r.id: r.position for r in records}), ("shape", shapes)):
        sides: dict[str, list[Stretch]] = {}
        for r in records:
            if values[r.id]:
                sides.setdefault(values[r.id], []).append(r)
        articles = {v: {r.article_id for r in rs} for v, rs in sides.items()}
        if len(sides) < 2 or len(set().union(*articles.values())) < 2:
            continue  # one article giving two answers is the audit's business, not curation's
        tally = ", ".join(f"{v} ({len(rs)})" for v, rs in sorted(sides.items(), key=lambda kv: (-len(kv[1]), kv[0])))
        evidence = [f"{v}: {r.id} {r.name!r} in {r.source.path or r.source.url}"
                    for v, rs in sorted(sides.items()) for r in rs]
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

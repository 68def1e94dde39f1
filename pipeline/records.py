"""Typed records that flow between the stages.

acquire -> Page -> clean -> CleanDocument -> extract -> Article (with Stretch records)
-> audit (adds Flag objects) -> emit.

Every record converts to plain JSON-able data with `to_dict()`; the field order here is the
field order of the output files, so keep it stable.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Format = Literal["text", "html", "markdown"]
Severity = Literal["error", "warning", "info"]
POSITIONS = ("supine", "prone", "side-lying", "seated", "kneeling", "quadruped", "standing")
KINDS = ("static-stretch", "dynamic-stretch", "strength", "balance", "other")


@dataclass(frozen=True)
class HowTo:
    """A schema.org HowTo (or ExercisePlan) in a page's JSON-LD: its name and step texts."""

    name: str
    steps: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "steps": list(self.steps)}


@dataclass(frozen=True)
class PageMetadata:
    """What an HTML page says about itself (acquire/metadata.py); JSON-LD values win where present."""

    canonical_url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD
    updated: str | None = None  # YYYY-MM-DD, when it differs from `published`
    language: str | None = None  # BCP 47 tag as the page declares it
    site_name: str | None = None
    json_ld_types: tuple[str, ...] = ()  # schema.org types found, sorted
    howto: tuple[HowTo, ...] = ()  # HowTo / ExercisePlan objects with steps
    json_ld_broken: int = 0  # JSON-LD blocks that could not be parsed even tolerantly

    def to_dict(self) -> dict[str, Any]:
        return {"canonical_url": self.canonical_url, "title": self.title, "author": self.author,
                "published": self.published, "updated": self.updated, "language": self.language,
                "site_name": self.site_name, "json_ld_types": list(self.json_ld_types),
                "howto": [h.to_dict() for h in self.howto], "json_ld_broken": self.json_ld_broken}


@dataclass(frozen=True)
class Page:
    """One input document, decoded to text, before any cleaning."""

    source: str  # path, URL or "<stdin>"
    format: Format
    text: str
    encoding: str = "utf-8"  # WHATWG encoding name
    encoding_rule: str | None = None  # which step decided it (acquire.decode.RULES)
    url: str | None = None  # where the page was fetched from (WARC records, stretchpipe fetch)
    fetched_at: str | None = None  # ISO 8601 UTC time of the fetch, when known
    metadata: PageMetadata | None = None  # HTML pages: canonical URL, title, author, dates, JSON-LD


BlockKind = Literal["heading", "paragraph", "list_item", "cell", "field", "caption"]


@dataclass
class Block:
    """A leaf of the document tree (heading, paragraph, list item, table cell, labelled field,
    caption), in reading order. The tree is rebuilt from these by `pipeline.clean.tree`: headings
    nest sections by level, `group`/`depth` put items in their lists, `group`/`row`/`col` put cells
    in their tables."""

    text: str
    kind: BlockKind = "paragraph"
    level: int = 0  # heading level (1-6); 0 for non-headings
    tag: str = ""  # the HTML element the block came from ("h3", "li", "td", "p", "div"...); "" for text dumps
    chrome: str = ""  # boilerplate reason inherited from the element's ancestry (<nav>, .sidebar...); "" for none
    chrome_by_tag: bool = False  # the reason comes from a tag (<nav>, <footer>), not only from a class name
    link_density: float = 0.0  # share of the text that sits inside links
    list_marker: str = ""  # "1." / "•" / "-" for list items and numbered lines
    number: int | None = None  # a list item's number (<ol start=...> honoured, continued lists joined)
    depth: int = 0  # list nesting depth: 0 for a top-level item, 1 for an item of a sub-list...
    group: int = -1  # id of the list or table the block belongs to (-1: none)
    row: int = -1  # table cells: row and column index within the table, and whether it is a header cell
    col: int = -1
    header: bool = False
    key: str = ""  # labelled fields ("Type: Seated", <dt>/<dd>, front-matter data): the label
    source_line: int = 0  # 1-based line of the element (HTML) or line (text, Markdown) in the input; 0 unknown
    kept: str = ""  # why the cleaner kept the block ("main_content", "exercise_section"...), set by clean_page
    start: int = -1  # character span in the cleaned text, set by the cleaner
    end: int = -1

    @property
    def value(self) -> str:
        """A labelled field's value ("Seated" for "Type: Seated"); the whole text otherwise."""
        if self.key and self.text.startswith(self.key):
            return self.text[len(self.key):].lstrip(" :\t")
        return self.text


@dataclass(frozen=True)
class RemovedBlock:
    index: int  # position of the block in the page's block sequence
    reason: str  # e.g. "boilerplate:credit", "duplicate"
    text: str
    source_line: int = 0  # 1-based line in the input; 0 unknown

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


NodeKind = Literal["document", "section", "heading", "paragraph", "field", "list", "item", "table", "row", "cell",
                   "caption"]


@dataclass
class Node:
    """A node of the cleaned document tree. Leaves carry their Block; inner nodes (document,
    section, list, item, table, row) carry their children. A section's first child is its heading;
    an item's first child is its own text, then its sub-lists."""

    kind: NodeKind
    block: Block | None = None
    children: list[Node] = field(default_factory=list)
    level: int = 0  # sections: the heading level (0 for the document)

    @property
    def start(self) -> int:
        return self.block.start if self.block else min((c.start for c in self.children), default=-1)

    @property
    def end(self) -> int:
        return self.block.end if self.block else max((c.end for c in self.children), default=-1)

    @property
    def heading(self) -> Block | None:
        """A section's heading block."""
        first = self.children[0] if self.children else None
        return first.block if first is not None and first.kind == "heading" else None

    def iter(self, kind: str | None = None):
        """This node and every node below it, in reading order (optionally only one kind)."""
        stack = [self]
        while stack:
            node = stack.pop()
            if kind is None or node.kind == kind:
                yield node
            stack.extend(reversed(node.children))

    def leaves(self) -> list[Block]:
        return [n.block for n in self.iter() if n.block is not None]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "span": [self.start, self.end]}
        b = self.block
        if b is not None:
            d["text"] = b.text
            for name, default in (("key", ""), ("number", None), ("level", 0), ("row", -1), ("col", -1),
                                  ("header", False), ("source_line", 0)):
                value = getattr(b, name)
                if value != default:
                    d[name] = value
            d["kept"] = b.kept
        elif self.level:
            d["level"] = self.level
        if self.children:
            d["children"] = [c.to_dict() for c in self.children]
        return d


@dataclass
class CleanDocument:
    source: str
    title: str | None
    blocks: list[Block]  # kept blocks (the tree's leaves, in reading order), with spans into `text`
    removed: list[RemovedBlock]
    text: str  # the kept blocks joined by blank lines
    format: Format = "text"
    tree: Node | None = None  # sections nested by heading level; lists, tables and fields inside them

    def to_dict(self, tree: bool = False) -> dict[str, Any]:
        """What `stretchpipe clean --format jsonl` writes for one input."""
        d: dict[str, Any] = {"source": self.source, "title": self.title, "format": self.format, "text": self.text,
                             "removed": [r.to_dict() for r in self.removed]}
        if tree and self.tree is not None:
            d["tree"] = self.tree.to_dict()
        return d


@dataclass(frozen=True)
class Range:
    """A numeric range read from text: `min`/`max` may be None when open-ended."""

    min: float | None
    max: float | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"min": _num(self.min), "max": _num(self.max), "text": self.text}


@dataclass(frozen=True)
class HoldTime:
    """How long a position is held (or a movement continued), in seconds."""

    min_seconds: float | None
    max_seconds: float | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"min_seconds": _num(self.min_seconds), "max_seconds": _num(self.max_seconds), "text": self.text}


@dataclass
class Flag:
    rule: str
    severity: Severity
    message: str
    evidence: list[str] = field(default_factory=list)
    stretch: str | None = None  # the record's name; None for article-level flags
    # character spans in the cleaned text of the evidence quotes that have one (for locations and
    # the report); not emitted
    spans: list[tuple[int, int]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "message": self.message,
                "evidence": list(self.evidence), "stretch": self.stretch}


@dataclass(frozen=True)
class Quote:
    """A sentence (or phrase) of the cleaned text with its character span and, for sentences of a
    section, the role extraction gave it (step, aside, benefit, off_topic, description, target_line)."""

    text: str
    start: int  # character span in the cleaned text
    end: int
    role: str = ""
    variant: int = 0  # 0 for the main text; 1, 2... inside "Beginner:", "Advanced:" variants

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PositionMention:
    """A position the text puts the reader in: `start` when it instructs the starting position,
    `option` when offered as a choice ("seated or standing")."""

    label: str  # one of POSITIONS
    cue: str  # the words that say it ("lie on your back")
    start: bool
    option: bool
    sentence: Quote

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "cue": self.cue, "start": self.start, "option": self.option,
                "sentence": self.sentence.to_dict()}


@dataclass
class Evidence:
    """What extraction read in a section, public for the audit and the report: every quote carries
    its span in the cleaned text, so a finding can point at the words it is about."""

    heading: Quote | None = None  # the section's name as headed
    sentences: list[Quote] = field(default_factory=list)  # every body sentence, in order, with its role
    positions: list[PositionMention] = field(default_factory=list)  # every position cue, in order
    start_positions: list[PositionMention] = field(default_factory=list)  # the starts that set `position`
    name_positions: list[str] = field(default_factory=list)  # positions the name allows ("Seated ..." -> seated)
    off_topic: list[Quote] = field(default_factory=list)  # sentences about other exercises or goals
    restated: list[Quote] = field(default_factory=list)  # steps dropped as restatements of earlier ones

    def to_dict(self) -> dict[str, Any]:
        return {
            "heading": self.heading.to_dict() if self.heading else None,
            "sentences": [q.to_dict() for q in self.sentences],
            "positions": [p.to_dict() for p in self.positions],
            "start_positions": [p.to_dict() for p in self.start_positions],
            "name_positions": list(self.name_positions),
            "off_topic": [q.to_dict() for q in self.off_topic],
            "restated": [q.to_dict() for q in self.restated],
        }


@dataclass
class Source:
    path: str
    title: str | None
    span: tuple[int, int]  # character span of the section in the cleaned text

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "title": self.title, "span": list(self.span)}


@dataclass
class Stretch:
    """One exercise section of an article (a stretch, or another kind of exercise)."""

    name: str
    number: int | None
    kind: str
    canonical_name: str | None
    position: str | None
    position_options: list[str]
    steps: list[str]
    hold: HoldTime | None
    duration: HoldTime | None
    breaths: Range | None
    repetitions: Range | None
    frequency: str | None
    per_side: bool
    targets: list[str]
    targets_source: str | None  # "text", "knowledge_base" or None
    benefits: list[str]
    source: Source
    flags: list[Flag] = field(default_factory=list)
    name_source: str = "heading"  # "heading": as the page names it; "derived": shown on the page unnamed
    # what extraction read, with spans, for the audit and the report; not part of the emitted record
    evidence: Evidence = field(default_factory=Evidence, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "name_source": self.name_source,
            "number": self.number,
            "kind": self.kind,
            "canonical_name": self.canonical_name,
            "position": self.position,
            "position_options": self.position_options,
            "steps": self.steps,
            "hold": self.hold.to_dict() if self.hold else None,
            "duration": self.duration.to_dict() if self.duration else None,
            "breaths": self.breaths.to_dict() if self.breaths else None,
            "repetitions": self.repetitions.to_dict() if self.repetitions else None,
            "frequency": self.frequency,
            "per_side": self.per_side,
            "targets": self.targets,
            "targets_source": self.targets_source,
            "benefits": self.benefits,
            "source": self.source.to_dict(),
            "flags": [f.to_dict() for f in self.flags],
        }


@dataclass
class Article:
    source: str
    title: str | None
    topic: list[str]  # body areas the title is about, e.g. ["lower back"]
    claimed_count: int | None
    summary_list: list[str]
    records: list[Stretch]  # every exercise section, whatever its kind
    removed: list[RemovedBlock]
    flags: list[Flag] = field(default_factory=list)
    non_exercise_sections: list[str] = field(default_factory=list)  # headed sections with no exercise in them
    metadata: PageMetadata | None = None  # what the page says about itself (HTML pages), from acquire

    @property
    def stretches(self) -> list[Stretch]:
        return [r for r in self.records if r.kind in ("static-stretch", "dynamic-stretch")]

    @property
    def other_exercises(self) -> list[Stretch]:
        return [r for r in self.records if r.kind not in ("static-stretch", "dynamic-stretch")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "title": self.title,
            "topic": self.topic,
            "claimed_count": self.claimed_count,
            "record_count": len(self.stretches),
            "summary_list": self.summary_list,
            "other_exercises": [{"name": r.name, "kind": r.kind, "canonical_name": r.canonical_name}
                                for r in self.other_exercises],
            "non_exercise_sections": self.non_exercise_sections,
            "removed": [r.to_dict() for r in self.removed],
            "flags": [f.to_dict() for f in self.flags],
            "metadata": self.metadata.to_dict() if self.metadata else None,
        }


@dataclass
class ManifestEntry:
    source: str
    status: Literal["processed", "skipped", "failed"]
    reason: str | None = None
    code: str | None = None
    format: str | None = None
    encoding: str | None = None
    records: int = 0
    encoding_rule: str | None = None  # which decoding step decided `encoding` (bom, transport, meta, ...)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _num(value: float | None) -> int | float | None:
    """Whole numbers print as ints so that 30.0 reads as 30 in JSON and CSV."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 2)

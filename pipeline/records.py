"""Typed records that flow between the stages.

acquire -> Page -> clean -> CleanDocument -> extract -> Article (with Stretch records)
-> audit (adds Flag objects) -> emit.

The dataclasses here are the one definition of the output records: `to_dict()`, the JSON
Schemas, the Parquet and CSV columns and the Data Package are all generated from their fields
by `pipeline.schema` (field metadata adds vocabularies and limits). The field order here is the
field order of the output files, so keep it stable; `emit=False` marks working data.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal

from .schema import to_data
from .vocab import BODY_AREAS, POSITIONS  # the controlled vocabularies (data/vocabularies.json)

Format = Literal["text", "html", "markdown"]
Severity = Literal["error", "warning", "info"]
KINDS = ("static-stretch", "dynamic-stretch", "strength", "balance", "other")
# where on the page a field's value was stated (issue 15): the record's own text, a rule shared by its
# group or routine ("hold each for 30 s" above a list), a column of its table row, or its heading (the name)
VALUE_SOURCES = ("own text", "group rule", "table column", "heading")


@dataclass(frozen=True)
class HowTo:
    """A schema.org HowTo (or ExercisePlan) in a page's JSON-LD: its name and step texts."""

    name: str
    steps: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return to_data(self)


@dataclass(frozen=True)
class PageMetadata:
    """What an HTML page says about itself (acquire/metadata.py); JSON-LD values win where present."""

    canonical_url: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = field(default=None, metadata={"format": "date"})  # YYYY-MM-DD
    updated: str | None = field(default=None, metadata={"format": "date"})  # YYYY-MM-DD, when it differs from `published`
    language: str | None = None  # BCP 47 tag as the page declares it
    site_name: str | None = None
    json_ld_types: tuple[str, ...] = ()  # schema.org types found, sorted
    howto: tuple[HowTo, ...] = ()  # HowTo / ExercisePlan objects with steps
    json_ld_broken: int = 0  # JSON-LD blocks that could not be parsed even tolerantly

    def to_dict(self) -> dict[str, Any]:
        return to_data(self)


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
    """A block the cleaner removed, with the reason."""

    index: int = field(metadata={"doc": "position of the block in the page's block sequence"})
    reason: str = field(metadata={"doc": 'e.g. "boilerplate:credit", "duplicate"'})
    text: str
    source_line: int = 0  # 1-based line in the input; 0 unknown

    def to_dict(self) -> dict[str, Any]:
        return to_data(self)


NodeKind = Literal["document", "section", "heading", "paragraph", "field", "list", "item", "table", "row", "cell",
                   "caption"]


@dataclass
class Node:
    """A node of the cleaned document tree. Leaves carry their Block; inner nodes (document,
    section, list, item, table, row) carry their children. A section's first child is its heading;
    an item's first child is its own text, then its further paragraphs and its sub-lists."""

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

    @cached_property
    def first_list_item(self) -> dict[int, int]:
        """The index in `blocks` of each list's first item, by the list's group: looked up once a
        document, not by a scan of every block for every section (a page of many lists)."""
        first: dict[int, int] = {}
        for i, b in enumerate(self.blocks):
            if b.kind == "list_item":
                first.setdefault(b.group, i)
        return first

    def to_dict(self, tree: bool = False) -> dict[str, Any]:
        """What `stretchpipe clean --format jsonl` writes for one input."""
        d: dict[str, Any] = {"source": self.source, "title": self.title, "format": self.format, "text": self.text,
                             "removed": [r.to_dict() for r in self.removed]}
        if tree and self.tree is not None:
            d["tree"] = self.tree.to_dict()
        return d


_COUNT = {"minimum": 0}
_TEXT = {"min_length": 1}


@dataclass(frozen=True)
class Range:
    """A count read from text (breaths, repetitions, sets): `min`/`max` may be None when open-ended."""

    min: int | None = field(metadata=_COUNT)
    max: int | None = field(metadata=_COUNT)
    text: str = field(metadata=_TEXT)

    def __post_init__(self) -> None:
        # a count is a whole number in every format (the number parser gives floats: "2" -> 2.0)
        for name in ("min", "max"):
            value = getattr(self, name)
            if isinstance(value, float):
                object.__setattr__(self, name, round(value))

    def to_dict(self) -> dict[str, Any]:
        return to_data(self)


@dataclass(frozen=True)
class HoldTime:
    """How long a position is held (or a movement continued), in seconds."""

    min_seconds: float | None = field(metadata=_COUNT)
    max_seconds: float | None = field(metadata=_COUNT)
    text: str = field(metadata=_TEXT)

    def to_dict(self) -> dict[str, Any]:
        return to_data(self)


_SOURCE = {"enum": VALUE_SOURCES}


@dataclass
class ValueSources:
    """Where on the page each stated field value came from; null where the field is null."""

    position: str | None = field(default=None, metadata=_SOURCE)
    hold: str | None = field(default=None, metadata=_SOURCE)
    repetitions: str | None = field(default=None, metadata=_SOURCE)
    sets: str | None = field(default=None, metadata=_SOURCE)
    per_side: str | None = field(default=None, metadata=_SOURCE)
    targets: str | None = field(default=None, metadata=_SOURCE)
    steps: str | None = field(default=None, metadata=_SOURCE)

    def to_dict(self) -> dict[str, Any]:
        return to_data(self)


@dataclass
class Flag:
    """An audit finding on a record or an article (or, from curation, on a dataset row)."""

    # ids are set once the article has its identity (pipeline.identity); kw_only keeps
    # `Flag(rule, severity, message, evidence, stretch)` working while the id columns come first
    id: str = field(default="", kw_only=True, metadata={"doc": "unique id of the flag"})
    article_id: str | None = field(default=None, kw_only=True, metadata={"doc": "the article it belongs to"})
    record_id: str | None = field(default=None, kw_only=True,
                                  metadata={"doc": "the stretch record it belongs to; null for article-level flags"})
    dataset_id: str | None = field(default=None, kw_only=True,
                                   metadata={"doc": "the dataset row it belongs to (source-conflict flags)"})
    rule: str = field(metadata={"pattern": "^[a-z]+(-[a-z]+)*$"})
    severity: Severity
    message: str
    evidence: list[str] = field(default_factory=list)
    stretch: str | None = field(default=None, metadata={"doc": "the record's name; null for article-level flags"})
    related: list[str] = field(default_factory=list, kw_only=True, metadata={
        "doc": "ids of the records the finding is about, in order (duplicate-exercise: the earlier section, then "
               "the one that repeats it); empty when it is about its owner only"})
    # character spans in the cleaned text of the evidence quotes that have one (for locations and
    # the report); not emitted
    spans: list[tuple[int, int]] = field(default_factory=list, repr=False, metadata={"emit": False})
    # positions in the article's records of the records in `related`, set by the audit before ids exist
    related_positions: list[int] = field(default_factory=list, kw_only=True, repr=False, metadata={"emit": False})

    def to_dict(self) -> dict[str, Any]:
        return to_data(self)


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
class ArticleSource:
    """Where an article comes from."""

    url: str | None = field(default=None, metadata={"doc": "the page's URL when known"})
    path: str | None = field(default=None, metadata={
        "doc": "the input file relative to the input root given (the file name for a file given directly)"})
    title: str | None = None
    author: str | None = field(default=None, metadata={"doc": "when the page names one"})
    date: str | None = field(default=None, metadata={"doc": "publication date when the page gives one (YYYY-MM-DD)",
                                                      "format": "date"})

    def to_dict(self) -> dict[str, Any]:
        return to_data(self)


@dataclass(frozen=True)
class Span:
    """A character span in the cleaned text; unpacks and indexes as the pair (start, end)."""

    start: int = field(metadata={"minimum": 0})
    end: int = field(metadata={"minimum": 0})

    def __iter__(self):
        return iter((self.start, self.end))

    def __getitem__(self, index: int) -> int:
        return (self.start, self.end)[index]


@dataclass
class Source(ArticleSource):
    """Where a record comes from: its article's source and the section's place in the cleaned text."""

    span: Span | None = field(default=None, metadata={"doc": "character span of the section in the cleaned text"})

    def __post_init__(self) -> None:
        if isinstance(self.span, (tuple, list)):
            self.span = Span(*self.span)


@dataclass
class Stretch:
    """One exercise section of an article (a stretch, or another kind of exercise)."""

    id: str = field(default="", kw_only=True, metadata={"doc": "article id + the section's position, e.g. 3f2a9c1b0d4e-02"})
    article_id: str = field(default="", kw_only=True, metadata={"doc": "the article the record comes from"})
    name: str = field(metadata={**_TEXT, "doc": "as headed in the article"})
    name_source: str = field(default="heading", kw_only=True, metadata={
        "enum": ("heading", "derived"), "doc": "heading: as the page names it; derived: shown on the page unnamed"})
    number: int | None = field(metadata={"minimum": 1})
    kind: str = field(metadata={"enum": KINDS})
    canonical_name: str | None = field(metadata={"doc": "knowledge-base entry linked by alias or fuzzy match"})
    position: str | None = field(metadata={"enum": POSITIONS})
    position_options: list[str] = field(metadata={"item_enum": POSITIONS, "unique": True})
    steps: list[str] = field(metadata={"item_min_length": 1})
    hold: HoldTime | None
    duration: HoldTime | None
    breaths: Range | None
    repetitions: Range | None
    sets: Range | None = field(metadata={"doc": "\"2 sets of 5\": sets 2 (repetitions 5)"})
    frequency: str | None
    per_side: bool | None = field(metadata={"doc": "done on each side; null when the page does not say"})
    targets: list[str] = field(metadata={"unique": True})
    target_areas: list[str] = field(default_factory=list, kw_only=True, metadata={
        "item_enum": BODY_AREAS, "unique": True,
        "doc": "the targets as body-area ids of data/vocabularies.json (lower-back, hamstrings...), whose hierarchy "
               "rolls them up (lower-back in back, hamstrings in thighs)"})
    targets_source: str | None = field(metadata={"enum": ("text", "knowledge_base")})
    benefits: list[str]
    source: Source
    value_sources: ValueSources = field(default_factory=ValueSources, metadata={
        "doc": "where on the page each field value was stated: own text, group rule, table column or heading"})
    flags: list[Flag] = field(default_factory=list)
    confidence: float | None = field(default=None, kw_only=True, metadata={
        "minimum": 0, "maximum": 1, "doc": "the record decision's probability that this candidate is a stretch "
                                           "record (pipeline/extract/model.py); null when the rules decided"})
    # what extraction read, with spans, for the audit and the report; not part of the emitted record
    evidence: Evidence = field(default_factory=Evidence, repr=False, metadata={"emit": False})

    def to_dict(self) -> dict[str, Any]:
        return to_data(self)


@dataclass
class Article:
    id: str = field(default="", kw_only=True)
    source: ArticleSource
    title: str | None
    topic: list[str]  # body areas the title is about, e.g. ["lower back"]
    claimed_count: int | None
    summary_list: list[str]
    records: list[Stretch]  # every exercise section, whatever its kind
    removed: list[RemovedBlock]
    flags: list[Flag] = field(default_factory=list)
    non_exercise_sections: list[str] = field(default_factory=list)  # headed sections with no exercise in them
    metadata: PageMetadata | None = None  # what the page says about itself (HTML pages), from acquire
    text: str = field(default="", repr=False)  # the cleaned text, for finding duplicate articles

    @property
    def stretches(self) -> list[Stretch]:
        return [r for r in self.records if r.kind in ("static-stretch", "dynamic-stretch")]

    @property
    def other_exercises(self) -> list[Stretch]:
        return [r for r in self.records if r.kind not in ("static-stretch", "dynamic-stretch")]

    def row(self) -> ArticleRow:
        return ArticleRow(
            id=self.id, source=self.source, title=self.title, topic=self.topic, claimed_count=self.claimed_count,
            record_count=len(self.stretches), summary_list=self.summary_list,
            other_exercises=[ExerciseRef(r.id, r.name, r.kind, r.canonical_name, r.flags)
                             for r in self.other_exercises],
            non_exercise_sections=self.non_exercise_sections, removed=self.removed, flags=self.flags,
            metadata=self.metadata)

    def to_dict(self) -> dict[str, Any]:
        return to_data(self.row())


@dataclass
class ExerciseRef:
    """An exercise section of another kind (strength, balance, other): not a stretch record."""

    id: str
    name: str
    kind: str = field(metadata={"enum": KINDS})
    canonical_name: str | None
    flags: list[Flag]


@dataclass
class ArticleRow:
    """One article: where it comes from, what it claims, what was set aside and why."""

    id: str = field(metadata={"doc": "stable id from the normalised source (URL, else relative path)"})
    source: ArticleSource
    title: str | None
    topic: list[str] = field(metadata={"doc": "body areas the title is about"})
    claimed_count: int | None = field(metadata={"doc": 'the count in the title ("13 stretches")', "minimum": 0})
    record_count: int = field(metadata={"doc": "stretch records kept", "minimum": 0})
    summary_list: list[str]
    other_exercises: list[ExerciseRef]
    non_exercise_sections: list[str] = field(metadata={"doc": "headed sections with no exercise in them"})
    removed: list[RemovedBlock] = field(metadata={"doc": "blocks the cleaner removed, with reasons"})
    flags: list[Flag] = field(metadata={"doc": "article-level flags"})
    metadata: PageMetadata | None = field(metadata={"doc": "what an HTML page says about itself (JSON-LD first)"})


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

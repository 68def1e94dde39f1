"""Stage 6, curate: one dataset row per distinct stretch, across all kept articles.

A row groups the records that are the same stretch, on evidence, never on a placeholder:
- the same knowledge-base entry (`canonical_name`), when the record's name is that entry's name or
  alias (or the text names it), or a fuzzy match that changes no word of it for another: "Cat Cows"
  and "STANDING SQAD STRETCH" join their entries, "Lat Stretch", one letter from "Cat Stretch", does
  not (a short known word close to a different word of the entry is another exercise);
- the same name after normalisation (case and punctuation, plurals and other inflections by the
  English lemma table, body-part spellings the vocabulary knows ("Tricep"/"Triceps",
  "Glute"/"Glutes", "Calfs"), a word one letter off a word of the knowledge base ("Buttefly"),
  the generic words every name may carry ("stretch", "pose")), for names the page gives; a
  derived name (`name_source: derived`, "Stretch 3" of an unnamed routine) never joins by its text;
- steps that say the same (the same words in the same order, at least `STEPS_MIN_WORDS` of them
  of four letters or more: a hold and a repeat are not a description);
- the audit's finding that two sections of one article are one exercise (`duplicate-exercise`):
  the second joins the first's row on that evidence alone (for derived names, only when both
  have steps that can identify a stretch).
Joins are transitive (a union-find over records and their keys); each source record says which
keys it shares with others of its row (`joined_by`). Each row keeps the names seen, the position
votes, the hold range across sources, per-side by majority, targets with how many sources name
each, the clearest steps with the record they come from, how complete it is, and every source
record as provenance. A `source-conflict` flag marks a real disagreement only: a position outside
the few the knowledge base allows for an exercise (a stretch done seated, standing or lying is
variety), or two shapes for one name.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from ..knowledge import Knowledge, load_knowledge, name_key
from ..lemmas import lemma, lemma_table
from ..records import KINDS, POSITIONS, Article, Flag, Stretch
from ..vocab import target_areas

CONFLICT = "source-conflict"
JOIN_REASONS = ("knowledge-base", "knowledge-base-fuzzy", "name", "steps", "duplicate-exercise")
# a fuzzy knowledge-base link is taken as a join only when it swaps no word of the name for another:
# a known word this short, this close to a different word of the entry ("lat"/"cat", "arm"/"hip"), names
# another exercise, while a longer or unknown word near it is a misspelling ("sqad"/"quad")
SHORT_WORD_LENGTH = 5
SWAP_MAX_EDITS = 2
# steps with fewer words of four letters or more say too little to identify a stretch: "Hold for 30 seconds
# and repeat with the opposite leg" (5) is a dose any stretch may share; an instruction has a dozen
STEPS_MIN_WORDS = 12
SPELLING_MIN_LENGTH = 5  # shorter words are too close to each other for a one-letter fix


@dataclass
class Join:
    """Why a source record is in its row: a key it shares with another record of the row."""

    by: str = field(metadata={"enum": JOIN_REASONS})
    value: str = field(metadata={"doc": "the entry (knowledge-base: by name, alias or the text naming it; "
                                        "knowledge-base-fuzzy: by a close spelling), the normalised name, or the "
                                        "record it shares its steps or an audit finding with"})


@dataclass
class Completeness:
    """How much a row rests on, for filtering: does any source give steps, a position, a hold."""

    has_steps: bool
    has_position: bool = field(metadata={"doc": "a source states the position"})
    has_hold: bool = field(metadata={"doc": "a source states a hold or a duration"})
    score: int = field(metadata={"minimum": 0, "maximum": 3, "doc": "how many of the three"})


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
    name_source: str = field(metadata={"enum": ("heading", "derived")})
    position: str | None = field(metadata={"enum": POSITIONS})
    shape: str | None = field(metadata={"doc": "the body shape its steps describe, when they name one"})
    url: str | None
    path: str | None
    title: str | None
    joined_by: list[Join] = field(metadata={"doc": "the keys it shares with other records of the row; empty "
                                                   "when it is the row's only record"})


@dataclass
class DatasetRow:
    """One canonical stretch across all articles."""

    id: str = field(metadata={"doc": "slug of the canonical name, else of the name; a row of derived names "
                                     "only adds its first record's id"})
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
    target_areas: list[TargetCount] = field(metadata={
        "doc": "the same counts by body-area id of the vocabulary (`target`: an id of data/vocabularies.json)"})
    steps: list[str] = field(metadata={"doc": "the clearest steps among the sources"})
    steps_source: str | None = field(metadata={"doc": "record id the steps come from"})
    source_count: int = field(metadata={"minimum": 1})
    article_count: int = field(metadata={"minimum": 1})
    completeness: Completeness
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


def name_identity(name: str, kb: Knowledge) -> str:
    """The key two names of one stretch share (see the module's docstring); "" when nothing is left."""
    return _name_identity(name, kb)


@lru_cache(maxsize=65536)
def _name_identity(name: str, kb: Knowledge) -> str:
    words = [_spelled(w, kb) for w in name_key(name).split()]
    areas = _body_index(kb)
    longest = max((len(k.split()) for k in areas), default=1)
    tokens, i = [], 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            area = areas.get(" ".join(words[i:i + n]))
            if area:
                tokens.append(area)
                i += n
                break
        else:
            tokens.append(lemma(words[i]))
            i += 1
    generic = _generic_words(kb)
    kept = [t for t in tokens if t not in generic]
    return " ".join(kept or tokens)


@lru_cache(maxsize=4)
def _body_index(kb: Knowledge) -> dict[str, str]:
    """Body-part phrases of the vocabulary, as name keys, to their area ("tricep" -> "triceps")."""
    return {name_key(phrase): area for phrase, area in kb.body_synonyms.items() if name_key(phrase)}


@lru_cache(maxsize=4)
def _generic_words(kb: Knowledge) -> frozenset[str]:
    return frozenset(lemma(w) for w in kb.lexicon["generic_name_words"]) | frozenset(kb.lexicon["generic_name_words"])


@lru_cache(maxsize=4)
def _known_words(kb: Knowledge) -> dict[str, list[str]]:
    """Words of the knowledge base's names and the body-part vocabulary, by first letter."""
    words = {w for e in kb.exercises for n in (e.canonical_name, *e.aliases) for w in name_key(n).split()}
    words |= {w for phrase in _body_index(kb) for w in phrase.split()}
    by_letter: dict[str, list[str]] = {}
    for w in sorted(words):
        by_letter.setdefault(w[0], []).append(w)
    return by_letter


def _spelled(word: str, kb: Knowledge) -> str:
    """A word one edit away from exactly one word of the knowledge base, when it is no known word
    itself (nor an inflection of one): "buttefly" -> "butterfly", "achillies" -> "achilles"."""
    known = _known_words(kb)
    if len(word) < SPELLING_MIN_LENGTH or not word.isalpha():
        return word
    same_letter = known.get(word[0], [])
    if word in same_letter or lemma(word) in same_letter:
        return word
    close = [w for w in same_letter if abs(len(w) - len(word)) <= 1 and Levenshtein.distance(w, word, score_cutoff=1) <= 1]
    return close[0] if len(close) == 1 else word


def knowledge_link(record: Stretch, kb: Knowledge) -> tuple[str | None, str]:
    """The knowledge-base entry a record's row may be joined on, and how: ("...", "knowledge-base")
    for the entry's own name or alias, or an entry the text names (extraction's link, when the
    name does not match it); ("...", "knowledge-base-fuzzy") for a close spelling that swaps no word
    of the name for another; (None, "") when there is no link or the fuzzy link would change the
    exercise ("Lat Stretch" is not "Cat Stretch")."""
    canonical = record.canonical_name
    if not canonical:
        return None, ""
    entry, score = kb.match_exercise(record.name)
    if entry is None or entry.canonical_name != canonical or score >= EXACT_LINK_SCORE:
        return canonical, "knowledge-base"
    if _swaps_a_word(record.name, entry, kb):
        return None, ""
    return canonical, "knowledge-base-fuzzy"


# Knowledge.match_exercise: 100 for a name or alias, 99 for one without its generic words ("... stretch")
EXACT_LINK_SCORE = 99.0


def _swaps_a_word(name: str, entry, kb: Knowledge) -> bool:
    """Whether a word of `name` (its identity words: spelling, body area, lemma) that the entry's
    names lack is a short known word within a couple of edits of a word they have."""
    theirs = {w for n in (entry.canonical_name, *entry.aliases) for w in name_identity(n, kb).split()}
    for word in set(name_identity(name, kb).split()) - theirs:
        if len(word) > SHORT_WORD_LENGTH or not word.isalpha() or not _is_word(word, kb):
            continue
        if any(OSA.distance(word, other, score_cutoff=SWAP_MAX_EDITS) <= SWAP_MAX_EDITS
               for other in theirs if other.isalpha()):
            return True
    return False


@lru_cache(maxsize=4)
def _words_known(kb: Knowledge) -> frozenset[str]:
    table = lemma_table()
    known = {w for words in _known_words(kb).values() for w in words}
    return frozenset(table) | frozenset(table.values()) | frozenset(known) | frozenset(_body_index(kb).values())


def _is_word(word: str, kb: Knowledge) -> bool:
    """An English word (the lemma table's), a word of the knowledge base, or a body area."""
    return word in _words_known(kb)


def steps_identity(steps: list[str]) -> str | None:
    """A digest of the steps' words (lemmas, in order); None when they are too short to identify a stretch."""
    words = [lemma(w) for w in re.findall(r"[a-z]+", " ".join(steps).lower())]
    if sum(len(w) >= 4 for w in words) < STEPS_MIN_WORDS:
        return None
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:16]


def same_exercise_pairs(records: list[Stretch], flags: list[Flag]) -> dict[str, str]:
    """{record id: id of the earlier record it is one exercise with}, from an article's
    `duplicate-exercise` findings, which name the pair by record id in `related`, the earlier first
    (pipeline/audit/rules/duplicates.py)."""
    same: dict[str, str] = {}
    by_id = {r.id: r for r in records}
    for flag in flags:
        if flag.rule != "duplicate-exercise" or len(flag.related or ()) != 2:
            continue
        earlier, later = (by_id.get(record_id) for record_id in flag.related)
        if earlier is None or later is None or earlier is later:
            continue  # one of the two is not a stretch record
        if "derived" in (earlier.name_source, later.name_source) and \
                not (steps_identity(earlier.steps) and steps_identity(later.steps)):
            continue  # unnamed sections alike in their dose only ("Hold 30 seconds. Repeat 2 times")
        first, second = earlier.id, later.id
        while first in same:
            first = same[first]
        if second not in same and first != second:
            same[second] = first
    return same


def curate(articles: list[Article], kb: Knowledge | None = None) -> list[DatasetRow]:
    """The dataset rows of the kept articles' stretch records, sorted by id."""
    curator = Curator(kb)
    for article in articles:
        curator.add_article(article)
    return curator.rows()


def curate_records(stretches, kb: Knowledge | None = None, flags=()) -> list[DatasetRow]:
    """Rows from stretch records (and the article flags that say two of them are one exercise)."""
    stretches = list(stretches)
    by_article: dict[str, list[Stretch]] = {}
    for r in stretches:
        by_article.setdefault(r.article_id, []).append(r)
    same: dict[str, str] = {}
    article_flags: dict[str, list[Flag]] = {}
    for f in flags:
        if f.record_id is None and f.article_id:
            article_flags.setdefault(f.article_id, []).append(f)
    for article_id, fs in article_flags.items():
        same.update(same_exercise_pairs(by_article.get(article_id, []), fs))
    curator = Curator(kb)
    for record in stretches:
        curator.add(record, same_as=same.get(record.id))
    return curator.rows()


@dataclass
class _Member:
    """What a row needs of one record (its steps are kept only while they are its group's clearest)."""

    source: SourceRecord
    kind: str
    canonical: str | None
    per_side: bool | None
    hold: tuple[float | None, float | None] | None
    stated_hold: bool
    targets: tuple[str, ...]
    areas: tuple[str, ...]
    targets_from_text: bool
    has_steps: bool
    keys: list[tuple[str, str, str]]  # (reason, value, union-find node)
    same_as: str | None


class Curator:
    """Builds the dataset rows from stretch records given one at a time (in any order): a
    union-find joins each record to its keys, and each group keeps only its clearest steps."""

    def __init__(self, kb: Knowledge | None = None):
        self.kb = kb or load_knowledge()
        self._members: dict[str, _Member] = {}
        self._parent: dict[str, str] = {}
        self._clearest: dict[str, tuple] = {}  # root -> (clarity key, steps)

    def add_article(self, article: Article) -> None:
        same = same_exercise_pairs(article.stretches, article.flags)
        for record in article.stretches:
            self.add(record, same_as=same.get(record.id))

    def add(self, record: Stretch, same_as: str | None = None) -> None:
        """`same_as`: the id of a record of the same article that the audit found to be the same
        exercise; the record then joins that record's row on that evidence alone."""
        keys: list[tuple[str, str, str]] = []
        canonical, link = knowledge_link(record, self.kb)
        if same_as is None:
            if canonical:
                keys.append((link, canonical, "k:" + canonical))
            if record.name_source != "derived":
                key = name_identity(record.name, self.kb)
                if key:
                    keys.append(("name", key, "n:" + key))
            digest = steps_identity(record.steps)
            if digest:
                keys.append(("steps", digest, "s:" + digest))
        hold = None
        if record.hold:
            top = record.hold.max_seconds if record.hold.max_seconds is not None else record.hold.min_seconds
            hold = (record.hold.min_seconds, top)
        self._members[record.id] = _Member(
            SourceRecord(record.id, record.article_id, record.name, record.name_source, record.position,
                         shape_of(record, self.kb), record.source.url, record.source.path, record.source.title, []),
            record.kind, canonical, record.per_side, hold,
            record.hold is not None or record.duration is not None, tuple(record.targets),
            tuple(target_areas(record.targets)), record.targets_source == "text", bool(record.steps), keys, same_as)
        node = "r:" + record.id
        self._parent.setdefault(node, node)
        self._clearest[node] = (clarity(record), list(record.steps))
        for _, _, key_node in keys:
            self._union(node, key_node)
        if same_as is not None:
            self._union(node, "r:" + same_as)

    def _find(self, node: str) -> str:
        self._parent.setdefault(node, node)
        root = node
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[node] != root:
            self._parent[node], node = root, self._parent[node]
        return root

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        if rb < ra:  # the smaller node is the root: the same roots whatever the order
            ra, rb = rb, ra
        self._parent[rb] = ra
        best = [c for c in (self._clearest.pop(ra, None), self._clearest.pop(rb, None)) if c is not None]
        if best:
            self._clearest[ra] = min(best, key=lambda c: c[0])

    def rows(self) -> list[DatasetRow]:
        entries = {e.canonical_name: e for e in self.kb.exercises}
        groups: dict[str, list[_Member]] = {}
        for record_id in sorted(self._members):
            groups.setdefault(self._find("r:" + record_id), []).append(self._members[record_id])
        fixed = _fixed_positions(self.kb) if groups else {}  # (the audit's data: not loaded for no row)
        rows = [_row(members, self._clearest[root], entries) for root, members in groups.items()]
        _unique_ids(rows)
        for row in rows:
            row.flags = _conflicts(row, fixed.get(row.canonical_name or ""))
        return sorted(rows, key=lambda r: r.id)


def _row(members: list[_Member], clearest: tuple, entries: dict) -> DatasetRow:
    _joins(members)
    sources = [m.source for m in members]
    canonicals = Counter(m.canonical for m in members if m.canonical)
    canonical = canonicals.most_common(1)[0][0] if canonicals else None  # ties: the lowest record id's
    entry = entries.get(canonical)
    names_seen = Counter(s.name for s in sources)
    names = [NameSeen(n, c) for n, c in sorted(names_seen.items(), key=lambda kv: (-kv[1], kv[0]))]
    headed = Counter(s.name for s in sources if s.name_source != "derived")
    if canonical:
        name, row_id = canonical, slug(canonical)
    elif headed:
        name = sorted(headed.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        row_id = slug(name)
    else:  # placeholders only ("Stretch 3"): the row is as particular as its first record
        name = sources[0].name
        row_id = f"{slug(name)}-{sources[0].record_id}"
    position_votes = _votes(Counter(s.position for s in sources if s.position))
    per_side_votes = _votes(Counter("true" if m.per_side else "false" for m in members if m.per_side is not None))
    per_side = _winner(per_side_votes)
    holds = [m.hold for m in members if m.hold]
    hold = None
    if holds:
        mins = [h[0] for h in holds if h[0] is not None]
        maxes = [h[1] for h in holds if h[1] is not None]
        hold = HoldRange(min(mins) if mins else None, max(maxes) if maxes else None, len(holds))
    # no source states targets: the knowledge base's entry (records hold only what their page
    # states), counted once per record
    from_text = [m for m in members if m.targets_from_text and m.targets]
    if from_text:
        targets = Counter(t for m in from_text for t in m.targets)
        areas = Counter(a for m in from_text for a in m.areas)
    else:
        kb_targets = list(dict.fromkeys(entry.primary_targets + entry.secondary_targets)) if entry else []
        targets = Counter(t for _ in members for t in kb_targets)
        areas = Counter(a for _ in members for a in target_areas(kb_targets))
    key, steps = clearest
    has = (any(m.has_steps for m in members), bool(position_votes), any(m.stated_hold for m in members))
    return DatasetRow(
        id=row_id,
        canonical_name=canonical,
        name=name,
        kind=Counter(m.kind for m in members).most_common(1)[0][0],  # ties: the lowest record id
        names=names,
        aliases=sorted(entry.aliases) if entry else [],
        position=_winner(position_votes),
        position_votes=position_votes,
        hold=hold,
        per_side=None if per_side is None else per_side == "true",
        per_side_votes=per_side_votes,
        targets=[TargetCount(t, n) for t, n in sorted(targets.items(), key=lambda kv: (-kv[1], kv[0]))],
        target_areas=[TargetCount(a, n) for a, n in sorted(areas.items(), key=lambda kv: (-kv[1], kv[0]))],
        steps=steps,
        steps_source=key[-1] if steps else None,  # clarity's last element is the record id
        source_count=len(sources),
        article_count=len({s.article_id for s in sources}),
        completeness=Completeness(*has, sum(has)),
        sources=sources,
        flags=[],
    )


def _joins(members: list[_Member]) -> None:
    """Each source's `joined_by`: the keys it shares with another record of its row, and the audit's
    same-exercise findings (on both records)."""
    holders: dict[str, list[str]] = {}
    for m in members:
        for _, _, node in m.keys:
            holders.setdefault(node, []).append(m.source.record_id)
    by_id = {m.source.record_id: m for m in members}
    for m in members:
        joins = []
        for reason, value, node in m.keys:
            others = [r for r in holders[node] if r != m.source.record_id]
            if others:
                joins.append(Join(reason, others[0] if reason == "steps" else value))
        m.source.joined_by = joins
    for m in members:
        if m.same_as is not None and m.same_as in by_id:
            m.source.joined_by.append(Join("duplicate-exercise", m.same_as))
            by_id[m.same_as].source.joined_by.append(Join("duplicate-exercise", m.source.record_id))


@lru_cache(maxsize=4)
def _fixed_positions(kb: Knowledge) -> dict[str, tuple[str, ...]]:
    """Exercises the knowledge base allows in a few positions only (audit.json `fixed_positions`),
    by canonical name."""
    from ..audit.data import load_audit_data
    fixed: dict[str, tuple[str, ...]] = {}
    for name, positions in load_audit_data().fixed_positions.items():
        entry, score = kb.match_exercise(name, 100.0)
        fixed[entry.canonical_name if entry is not None and score == 100.0 else name] = positions
    return fixed


def _conflicts(row: DatasetRow, allowed: tuple[str, ...] | None) -> list[Flag]:
    """Real disagreements only: a position outside the few the knowledge base allows for the exercise,
    or two shapes for one name, each with sources in two articles at least."""
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
        note = ""
        if label == "position":
            if not allowed or set(sides) <= set(allowed) or not set(sides) & set(allowed):
                continue  # a stretch done in several positions is variety, not a conflict
            note = f" (the knowledge base has it {' or '.join(allowed)})"
        tally = ", ".join(f"{v} ({len(ss)})" for v, ss in sorted(sides.items(), key=lambda kv: (-len(kv[1]), kv[0])))
        evidence = [f"{v}: {s.record_id} {s.name!r} in {s.path or s.url}"
                    for v, ss in sorted(sides.items()) for s in ss]
        flags.append(Flag(CONFLICT, "warning", f"sources disagree on the {label} of {row.name}: {tally}{note}",
                          evidence, row.name, id=f"{row.id}-{CONFLICT}-{label}", dataset_id=row.id))
    return flags


def _unique_ids(rows: list[DatasetRow]) -> None:
    """Two rows whose names slug alike ("Cobra" unlinked and linked): number the later ones."""
    seen: Counter[str] = Counter()
    for row in sorted(rows, key=lambda r: (r.id, r.canonical_name is None, r.name, r.sources[0].record_id)):
        seen[row.id] += 1
        if seen[row.id] > 1:
            row.id = f"{row.id}-{seen[row.id]}"

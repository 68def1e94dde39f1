"""The early exit: can this page hold an exercise section at all? Decided on the page's blocks as
the clean stage reads them (the parse and the walk are handed on to it, so a page that goes on
pays for them once), before its metadata, its main content and the filters are read
(`stretchpipe run`, `extract`).

Only content blocks count: a block the clean stage removes whatever the main-content extractor
says (a <nav>, <footer> or <aside>; a short block made mostly of links) is never read, so menus,
link lists and page chrome cannot let a news page through. In the content blocks an exercise
section needs one of two kinds of evidence, and a page that shows neither is stopped with a
reason (`NO_CUE`):

- a name that names an exercise: a knowledge-base name anywhere in the text, or an exercise word
  ("stretch", "pose", "lunge") or a name the knowledge base links (fuzzily, as the extractor does)
  in a heading, the title, a short line or a lead-in ("Cobra: lie face down");
- instructions for a body: a sentence of a block that opens with an instruction verb ("Lie",
  "Slowly bend", "1. Sit"), with a body part, a position, a time or count ("30 seconds", "10 reps",
  "5 breaths") in its block or in the blocks around it (`evidence_window_blocks` in gate.json).

Knowledge lives in pipeline/data/gate.json, lexicon.json, body_parts.csv, positions.json and
stretches.csv. tests/test_gate.py runs every corpus in ../shared with the exit on and off and
compares the records byte for byte.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from ..config import CLEAN, DATA_DIR
from ..knowledge import Knowledge, name_key
from ..records import Block, Page

NO_CUE = "no-exercise-cue"  # the reason in the manifest (errors.NO_CUE's message names it)


@dataclass(frozen=True)
class Reading:
    """What the gate read of a page, for the clean stage to go on from (clean_page(reading=...)):
    the title, the blocks before any filter and (HTML) the parsed tree the walk stripped."""

    title: str | None
    blocks: list[Block]
    root: object | None


@dataclass(frozen=True)
class _Cues:
    exercise_words: re.Pattern  # an exercise word or a knowledge-base name
    verb: re.Pattern  # an instruction verb ("lie", "bend")
    sentence_opening: re.Pattern  # what may come before it in its block for it to open a sentence
    evidence: re.Pattern  # a body part, a position, a time or count unit
    amount: re.Pattern  # "30s", "2x"
    lead_in: re.Pattern
    max_name_words: int
    window: int  # blocks either side of an instruction's own that may give its evidence
    name_in_heading: tuple[re.Pattern, ...]  # "How to do Pigeon Pose": the name a heading gives
    title_properties: frozenset[str]


def _alternation(phrases) -> str:
    """A regex matching any of the phrases (lower case), as a trie: one scan whatever the number
    of phrases, where a flat alternation of hundreds of words tries each at every position."""
    trie: dict = {}
    for phrase in {p.lower() for p in phrases if p}:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


@lru_cache(maxsize=4)
def _cues(kb: Knowledge) -> _Cues:
    gate = json.loads((DATA_DIR / "gate.json").read_text(encoding="utf-8"))
    lx = kb.lexicon
    names = {name_key(n) for e in kb.exercises for n in (e.canonical_name, *e.aliases) if len(name_key(n)) >= 4}
    words = set(lx["exercise_words"]) | set(lx["stretch_name_words"])
    units = {s for unit in lx["quantities"]["time_units"] for s in unit["spellings"] if len(s) > 1}
    units |= set(lx["repetition_units"]) | set(gate["dosage_words"])
    amounts = {w for w in lx["number_words"] if " " not in w} | set(gate["amount_words"])
    positions = {w for cues in kb.positions["name_words"].values() for w in cues}
    evidence = set(kb.body_synonyms) | positions | set(gate["breath_words"])
    adverbs = _alternation(lx["intro_adverbs"])
    subjects = _alternation(gate["not_instruction_subjects"])
    return _Cues(
        exercise_words=re.compile(rf"\b(?:{_alternation(words | names)})\b"),
        # "have you", "let me": a question or a statement, not an instruction for a body
        verb=re.compile(rf"\b(?:{_alternation(lx['instruction_verbs'])})\b(?!\s+(?:{subjects})\b)"),
        # the block's start (after a list number: "1. Sit"), a sentence's end, a lead-in's colon or dash
        sentence_opening=re.compile(
            rf"(?:^(?:\s*\d{{1,2}}[.)]?)?|[.!?:;)]\s|\s[-–—]\s)\s*(?:(?:{adverbs})\s*,?\s*){{0,3}}$"),
        evidence=re.compile(rf"\b(?:{_alternation(evidence)})\b"),
        # a time or count with its amount ("30 seconds", "ten reps", "a few breaths", "30s", "2x"):
        # a unit alone is an ordinal or a figure of speech ("the second time", "many times")
        amount=re.compile(rf"\b(?:\d+|{_alternation(amounts)})(?:\s*(?:-|to|or)?\s*\d+)?[\s-]*"
                          rf"(?:{_alternation(units)})\b|\b\d+\s?(?:s|x)\b"),
        lead_in=re.compile(r"^\W*([^:.\n–—]{1,60}?)\s*(?::|\.\s|\s[-–—]\s)"),
        max_name_words=int(lx["routine"]["max_name_words"]),
        window=int(gate["evidence_window_blocks"]),
        name_in_heading=tuple(re.compile(p, re.I) for p in lx["name_in_heading_patterns"]),
        title_properties=frozenset(gate["title_meta_properties"]),
    )


def read(page: Page, kb: Knowledge) -> Reading:
    """The page's title and blocks as the clean stage reads them (clean._read)."""
    from . import _read
    return Reading(*_read(page, kb))


def decide(page: Page, kb: Knowledge, reading: Reading | None = None) -> str | None:
    """None when the page may hold an exercise section (run every stage); else the reason it cannot."""
    cues = _cues(kb)
    reading = reading or read(page, kb)
    blocks = _content_blocks(reading.blocks, kb)
    lines = [b.text for b in blocks]
    titles = _titles(reading, cues)
    text = "\n".join(lines)
    if kb.find_mentions(text) or any(kb.find_mentions(t) for t in titles):
        return None  # a knowledge-base exercise named in so many words: a "Step 3" may be that exercise
    lowered = [line.lower() for line in lines]
    if _instructs_a_body(lowered, cues) or _run_ins_name_a_body(lowered, cues):
        return None
    # the costliest test last: a heading, title, short line or lead-in the knowledge base links fuzzily
    names = {n for t in titles for n in _title_names(t, cues)}
    names.update(n for b in blocks for n in _names(b, cues))
    if any(cues.exercise_words.search(n.lower()) for n in names):
        return None
    if any(kb.looks_like_exercise(n) for n in sorted(names)):
        return None
    return NO_CUE


def _content_blocks(blocks: list[Block], kb: Knowledge) -> list[Block]:
    """The blocks the clean stage may keep: not those its strong filters remove whatever the
    main-content extractor says (chrome elements by tag, paragraphs of links; clean_page)."""
    from . import LinkDensityFilter
    links = LinkDensityFilter(kb, CLEAN)
    return [b for b in blocks if not b.chrome_by_tag and links(b) is None]


def _titles(reading: Reading, cues: _Cues) -> list[str]:
    """The page's titles: the one the clean stage reads, the <title> and the social-card titles."""
    titles = [reading.title or ""]
    root = reading.root
    if root is not None:
        titles.extend(el.text_content() for el in root.iter("title"))
        for meta in root.iter("meta"):
            if (meta.get("property") or meta.get("name") or "").lower() in cues.title_properties:
                titles.append(meta.get("content") or "")
    return [t.strip() for t in titles if t and t.strip()]


def _instructs_a_body(lines: list[str], cues: _Cues) -> bool:
    """Whether a sentence of some block opens with an instruction verb and its block, or one of the
    `window` blocks either side, names a body part, a position, a time or a count."""
    for i, line in enumerate(lines):
        for m in cues.verb.finditer(line):
            if cues.sentence_opening.search(line, max(0, m.start() - 48), m.start()):
                near = lines[max(0, i - cues.window): i + cues.window + 1]
                if any(cues.evidence.search(n) or cues.amount.search(n) for n in near):
                    return True
                break  # the block's other sentences have the same blocks around them
    return False


def _run_ins_name_a_body(lines: list[str], cues: _Cues) -> bool:
    """Whether the page opens blocks with the same run-in name twice or more ("Dear Abby: my neck..."),
    which the extractor reads as named items, and one of those blocks names a body part or a position."""
    body: dict[str, bool] = {}
    for line in lines:
        m = cues.lead_in.match(line)
        if m is None or len(m.group(1).split()) > cues.max_name_words:
            continue
        name = m.group(1).strip()
        seen = name in body
        body[name] = body.get(name, False) or bool(cues.evidence.search(line))
        if seen and body[name]:
            return True
    return False


def _names(block: Block, cues: _Cues) -> list[str]:
    """What in one block could name a section as the extractor reads names: a heading (or the name in
    it: "How to do Pigeon Pose"), a short line (a list item, a cell), a lead-in ("Cobra: lie...")."""
    text = block.text.strip()
    if not text or not re.search(r"[A-Za-z]", text):
        return []
    out = [_heading_name(text, cues) if block.kind == "heading" else text]
    m = cues.lead_in.match(text)
    if m and m.group(1).strip() and m.group(1).strip() != text:
        out.append(m.group(1).strip())
    return [n for n in out if _name_shaped(n, cues)]


def _title_names(title: str, cues: _Cues) -> list[str]:
    """The name a page title gives its page ("Runners Stretch | Site" -> "Runners Stretch"), as the
    extractor reads an exercise-library page's title, and the name in it ("How to do a Plank")."""
    name = re.split(r"\s+[|–—:]\s+|\s+-\s+", title.strip())[0].strip()
    return [n for n in {name, _heading_name(name, cues)} if _name_shaped(n, cues)]


def _heading_name(text: str, cues: _Cues) -> str:
    for pattern in cues.name_in_heading:
        m = pattern.match(text)
        if m:
            return m.group("name").strip()
    return text


def _name_shaped(name: str, cues: _Cues) -> bool:
    """Short and no sentence inside: what the extractor takes for a name (extract/routines.is_name_shaped)."""
    return 0 < len(name.split()) <= cues.max_name_words and not re.search(r"[.!?;]\s|https?:|www\.|[.!?]$", name)

"""The early exit: can this page hold an exercise section at all? Decided on its raw text, before
its metadata, its main content and the filters are read (`stretchpipe run`, `extract`).

An exercise section needs one of two kinds of evidence, and a page that shows neither is stopped
with a reason (`NO_CUE`):

- a name that names an exercise: an exercise word ("stretch", "pose", "lunge") or a knowledge-base
  name anywhere in the text, or a heading, title, short line or lead-in ("Cobra: lie face down")
  that the knowledge base links, fuzzily as the extractor does;
- instructions for a body: a clause that opens with an instruction verb ("Lie", "Slowly bend"),
  under a heading whose part of the page (down to the next heading of its level or above) also
  names a body part, a position, a time or count ("30 seconds", "10 reps", "5 breaths") or a
  knowledge-base exercise.

The raw text is read from the page as it is (for HTML: scripts and styles dropped, block
elements as line breaks, headings marked), never from the cleaned blocks: what the filters would
remove can only let more pages through, never fewer. Conservative by construction: every cue
list only lets pages through, and a heading boundary is drawn only where the page marks one
(an HTML `<h1>`-`<h6>`, a Markdown `#` heading), so a part is never smaller than the extractor's
section. Knowledge lives in pipeline/data/gate.json, lexicon.json, body_parts.csv, positions.json
and stretches.csv. tests/test_gate.py runs every corpus in ../shared with the exit on and off and
compares the records byte for byte.
"""
from __future__ import annotations

import html as html_lib
import json
import re
import string
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from ..config import DATA_DIR
from ..knowledge import Knowledge, name_key
from ..records import Page

NO_CUE = "no-exercise-cue"  # the reason in the manifest (errors.NO_CUE's message names it)

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_HEADING = "\x01"  # marks a heading line in the raw text: "\x01<level><text>"


@dataclass(frozen=True)
class _Cues:
    exercise_words: re.Pattern  # an exercise word or a knowledge-base name
    verb: re.Pattern  # an instruction verb ("lie", "bend")
    clause_opening: re.Pattern  # what may come before it for it to open a clause ("- Slowly ", "1. ", "As you exhale, ")
    evidence: re.Pattern  # a body part, a position, a time or count unit
    amount: re.Pattern  # "30s", "2x"
    lead_in: re.Pattern
    max_name_words: int
    hidden: tuple[tuple[str, str], ...]  # (opening, closing) of what a reader never sees
    heading: re.Pattern
    any_tag: re.Pattern
    inline_tag: re.Pattern
    title: re.Pattern
    meta_title: re.Pattern


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
    positions = {w for cues in kb.positions["name_words"].values() for w in cues}
    evidence = set(kb.body_synonyms) | units | positions
    props = "|".join(map(re.escape, gate["title_meta_properties"]))
    return _Cues(
        exercise_words=re.compile(rf"\b(?:{_alternation(words | names)})\b"),
        verb=re.compile(rf"\b(?:{_alternation(lx['instruction_verbs'])})\b"),
        clause_opening=re.compile(rf"(?:^|[^\w\s'’-]|\d|\s[-–—])\s*(?:(?:{_alternation(lx['intro_adverbs'])})\s*,?\s*){{0,3}}$", re.M),
        evidence=re.compile(rf"\b(?:{_alternation(evidence)})\b"),
        amount=re.compile(r"\b\d+\s?(?:s|x)\b"),
        lead_in=re.compile(r"^\W*([^:.\n–—]{1,60}?)\s*(?::|\.\s|\s[-–—]\s)"),
        max_name_words=int(lx["routine"]["max_name_words"]),
        hidden=tuple((f"<{tag}", f"</{tag}") for tag in gate["hidden_tags"]) + (("<!--", "-->"),),
        heading=re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.S | re.I),
        any_tag=re.compile(r"<[^>]*>"),
        inline_tag=re.compile(rf"</?(?:{_alternation(gate['inline_tags'])})\b[^>]*>", re.I),
        title=re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.S | re.I),
        meta_title=re.compile(rf"<meta\b[^>]*?(?:property|name)\s*=\s*[\"']?(?:{props})[\"']?[^>]*>", re.I),
    )


def decide(page: Page, kb: Knowledge) -> str | None:
    """None when the page may hold an exercise section (run every stage); else the reason it cannot."""
    cues = _cues(kb)
    text, titles = _raw_text(page, cues)
    if kb.find_mentions(text) or any(kb.find_mentions(t) for t in titles):
        return None  # a knowledge-base exercise named in so many words: a "Step 3" may be that exercise
    if _instructs_a_body(text.lower(), cues):
        return None
    # the costliest test last: a heading, title, short line or lead-in the knowledge base links fuzzily
    original = text.split("\n")
    names = titles + [n for line in original for n in _names(line, cues)]
    if any(cues.exercise_words.search(n.lower()) for n in names):
        return None
    if any(kb.looks_like_exercise(n) for n in names):
        return None
    return NO_CUE


def _raw_text(page: Page, cues: _Cues) -> tuple[str, list[str]]:
    """The page's text, one line per block (HTML: tags dropped, headings marked with their level),
    and the page's titles."""
    if page.format != "html":
        lines = []
        for line in page.text.split("\n"):
            m = re.match(r"^(#{1,6})\s+(.*)$", line) if page.format == "markdown" else None
            lines.append(f"{_HEADING}{len(m.group(1))}{m.group(2)}" if m else line)
        return "\n".join(lines), []
    raw = page.text
    titles = [m.group(1) for m in cues.title.finditer(raw)]
    for meta in cues.meta_title.finditer(raw):
        content = re.search(r"content\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", meta.group(0), re.I)
        if content:
            titles.append(content.group(1) or content.group(2) or "")
    raw = _drop_hidden(raw, cues.hidden)
    raw = cues.heading.sub(lambda m: f"\n{_HEADING}{m.group(1)}{cues.any_tag.sub(' ', m.group(2))}\n", raw)
    raw = cues.any_tag.sub("\n", cues.inline_tag.sub("", raw))  # a block element's edges are line breaks
    if "&" in raw:
        raw = html_lib.unescape(raw)
        titles = [html_lib.unescape(t) for t in titles]
    return raw, [t.strip() for t in titles if t.strip()]


def _instructs_a_body(text: str, cues: _Cues) -> bool:
    """Whether some part of the page holds both an instruction and a body part, position, time or
    count. A part is the text under a heading down to the next heading of its level or above (a
    heading's part holds its subheadings' parts), or the text before the first heading."""
    instructions = [m.start() for m in cues.verb.finditer(text)
                    if cues.clause_opening.search(text, max(0, m.start() - 48), m.start())]
    if not instructions:
        return False
    heads = [(m.start(), int(text[m.start() + 1])) for m in re.finditer(_HEADING, text)]
    bounds = [(0, heads[0][0] if heads else len(text))]
    for k, (start, level) in enumerate(heads):
        bounds.append((start, next((at for at, lv in heads[k + 1:] if lv <= level), len(text))))
    for start, end in bounds:
        i = bisect_left(instructions, start)
        if i < len(instructions) and instructions[i] < end and (
                cues.evidence.search(text, start, end) or cues.amount.search(text, start, end)):
            return True
    return False


def _drop_hidden(raw: str, hidden: tuple[tuple[str, str], ...]) -> str:
    """The page without its scripts, styles and comments (found with str.find: a regex scan of a
    page whose bytes are mostly script costs more than the rest of the decision)."""
    lowered = raw.lower()
    if len(lowered) != len(raw):  # a few characters lower to two ("İ"): keep the offsets of raw
        lowered = raw.translate(_ASCII_LOWER)
    keep: list[str] = []
    at = 0
    upcoming = {pair: lowered.find(pair[0]) for pair in hidden}  # each kind's next opening
    while True:
        for pair, found in upcoming.items():
            if 0 <= found < at:
                upcoming[pair] = lowered.find(pair[0], at)
        found = [(start, pair[1]) for pair, start in upcoming.items() if start >= 0]
        if not found:
            break
        start, closing = min(found)
        end = lowered.find(closing, start)
        keep.append(raw[at:start])
        if end < 0:
            at = len(raw)
            break
        at = lowered.find(">", end) + 1 or len(raw)
        keep.append("\n")
    keep.append(raw[at:])
    return "".join(keep)


def _names(line: str, cues: _Cues) -> list[str]:
    """What in one line could name a section: a heading, a short line (a list item, a cell), a lead-in."""
    text = line[2:] if line.startswith(_HEADING) else line
    text = text.strip()
    if not text or not re.search(r"[A-Za-z]", text):
        return []
    out = []
    if line.startswith(_HEADING) or len(text.split()) <= cues.max_name_words:
        out.append(text)
    m = cues.lead_in.match(text)
    if m and m.group(1).strip() and m.group(1).strip() != text:
        out.append(m.group(1).strip())
    return out

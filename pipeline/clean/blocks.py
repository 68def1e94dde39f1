"""One line of text -> one Block: the rules shared by the HTML, Markdown and text front doors.

A line is a heading ("1. Cobra Pose", a short unpunctuated line), a list item ("- item", "2) step"),
a labelled field ("Type: Seated", "Hold: 30 seconds") or a paragraph. The words that number a
heading ("Step", "Exercise", "Move") and the field labels come from the lexicon, read on first use
(never at import, so `load_knowledge(data_dir)` applies).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..records import Block

HEADING_MAX_WORDS = 14
FIELD_VALUE_MAX_WORDS = 8
WRAPPED_LINE_MIN_WORDS = 5  # a line this long that stops mid-sentence may be hard-wrapped  # "Level: Beginner": a short value after an unknown label is still a field

ENDS_SENTENCE = re.compile(r"[.!?:;…]['\"”’)]*$")
_DASHES = re.compile(r"[\u2010-\u2015]")
_NON_WORD = re.compile(r"[\W_]+")
# soft hyphen, zero-width joiners, BOM; and the C0/C1 control characters that are not white space
# (ESC, BEL...: from character references such as &#27;, which decoding never sees): dropped, as the
# README promises, so no name or field carries a terminal escape sequence
_INVISIBLE = re.compile("[\u00ad\u200c\u200d\u2060\ufeff\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_BARE_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.I)  # a pasted link: text, never a heading
_LABEL = re.compile(r"^(?P<key>[A-Za-z][\w'’ /&()-]{0,38}?)\s*:\s+(?P<value>\S.*)$")


@dataclass(frozen=True)
class LinePatterns:
    marker: re.Pattern  # "1. Name", "1) Name", "#1 Name", "Step 1:", "• item"
    number_only: re.Pattern  # "Exercise 1", "Move 4": a heading that is only a number
    field_labels: frozenset[str]  # "type", "level", "equipment", "sets": labels of data lines
    step_words: tuple[str, ...]  # "Step 3: Hold..." numbers a step, not a section


@lru_cache(maxsize=4)
def line_patterns(kb=None) -> LinePatterns:
    if kb is None:
        from ..knowledge import load_knowledge
        kb = load_knowledge()
    words = "|".join(map(re.escape, kb.lexicon["heading_number_words"]))
    marker = re.compile(
        rf"^\s*(?P<marker>(?:{words})\.?\s*#?\s*\d{{1,4}}\s*[:.)\-–—]?"
        r"|#?\d{1,4}\s*[.):]|[•\-*–·▪◦●‣])\s+(?P<rest>\S.*)$",
        re.I,
    )
    number_only = re.compile(rf"^\s*(?:{words})\s+(\d{{1,4}})\s*$", re.I)
    return LinePatterns(marker, number_only, frozenset(w.lower() for w in kb.lexicon["field_labels"]),
                        tuple(w.lower() for w in kb.lexicon["step_number_words"]))


def __getattr__(name: str):
    # `from pipeline.clean.blocks import NUMBER_ONLY_TITLE` keeps working, built on first use
    if name == "NUMBER_ONLY_TITLE":
        return line_patterns().number_only
    raise AttributeError(name)


def collapse_ws(text: str) -> str:
    """Runs of white space (any Unicode space, newlines, tabs) as one space; soft hyphens,
    zero-width joiners and control characters removed. str.split() does the white space, five
    times faster than a regex."""
    if not text.isascii():
        text = _INVISIBLE.sub("", text.replace("\u200b", " "))
    text = " ".join(text.split())
    if not text.isprintable():  # white space is gone by now: a control character (ESC from &#27;)
        text = " ".join(_INVISIBLE.sub("", text).split())
    return text


def normalise_text(text: str) -> str:
    """Text as a comparison key: compatibility forms folded, lower case, dashes alike, runs of
    anything but word characters as one space. One key for duplicates, titles and main content."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _NON_WORD.sub(" ", _DASHES.sub("-", text)).strip()


def word_count(text: str) -> int:
    return len(text.split())


def split_marker(line: str) -> tuple[str, str]:
    """"3. Cobra Pose" -> ("3.", "Cobra Pose"); a line without a marker -> ("", line)."""
    m = line_patterns().marker.match(line)
    if not m:
        return "", line
    return collapse_ws(m.group("marker")), m.group("rest").strip()


def marker_number(marker: str) -> int | None:
    m = re.search(r"\d+", marker)
    return int(m.group()) if m else None


def field_label(line: str) -> str:
    """The label of a data line ("Type: Seated" -> "Type"), or "" when the line is not one.

    A known label ("Equipment", "Sets", "Description") makes a field whatever its value; any other
    short label needs a short value, so "Cobra Pose: Lie face down and press up..." stays a
    sentence that opens with a name."""
    m = _LABEL.match(line)
    if not m:
        return ""
    key, value = m.group("key").strip(), m.group("value")
    if key.lower() in line_patterns().field_labels:
        return key
    if len(key.split()) <= 3 and word_count(value) <= FIELD_VALUE_MAX_WORDS and not ENDS_SENTENCE.search(value):
        return key
    return ""


def classify_line(line: str, *, in_list: bool = False, **fields) -> Block | None:
    """A single line of text becomes a heading, list item, labelled field or paragraph block.

    `fields` are passed on to the Block (tag, chrome, link_density, source_line...)."""
    line = collapse_ws(line)
    if not line:
        return None
    marker, rest = split_marker(line)
    numbered = bool(marker) and any(ch.isdigit() for ch in marker)
    short = word_count(rest) <= HEADING_MAX_WORDS and not ENDS_SENTENCE.search(rest)
    if in_list:
        return Block(rest, "list_item", list_marker=marker or "•", number=marker_number(marker), **fields)
    if line_patterns().number_only.match(line):
        return Block(line, "heading", level=3, **fields)
    key = field_label(rest) if not numbered else ""
    if key:
        return Block(rest, "field", key=key, list_marker=marker, **fields)
    if numbered and short and not marker.lower().startswith(line_patterns().step_words):
        return Block(rest, "heading", level=3, list_marker=marker, number=marker_number(marker), **fields)
    if marker:
        return Block(rest, "list_item", list_marker=marker, number=marker_number(marker), **fields)
    if short and not _BARE_URL.match(rest):
        return Block(rest, "heading", level=4, **fields)
    return Block(rest, "paragraph", **fields)


def rejoin_wrapped(lines: list[str]) -> list[str]:
    """Lines hard-wrapped in the middle of a sentence (by <br>, or by a text dump's line length)
    are one sentence: a line that does not end a sentence, followed by one that starts in lower
    case, continues it."""
    out: list[str] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        # a lone lower-case word under a line ("calf", "groin") is an item of a bare list, not a wrap
        # nor is text under a short or numbered title line ("4. Jumping" / "in place, feet forward")
        continues = line[:1].islower() and (word_count(line) >= 3 or ENDS_SENTENCE.search(line))
        if out and continues and not ENDS_SENTENCE.search(out[-1]) and not split_marker(line)[0] \
                and word_count(out[-1]) >= WRAPPED_LINE_MIN_WORDS and not split_marker(out[-1])[0]:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out

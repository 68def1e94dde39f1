"""Main content of an HTML page: trafilatura's decision, kept as a signal over our own blocks.

trafilatura (precision-tuned, well kept, 0.96 F1 on the public benchmark) says which text of a
page is its article; our own walk keeps the page's structure (lists, tables, fields, source
lines) and every block's reason. A block that trafilatura left out is removed as
`outside_main_content`, unless it belongs to an exercise section that a general extractor drops
as "too short" (a heading that names a stretch and the instructions under it).

When trafilatura finds (almost) nothing, its decision is not used: the page keeps what our own
filters keep. trafilatura's `deduplicate` option is never used (it is not deterministic).
"""
from __future__ import annotations

import logging
import re

from ..config import CleanConfig
from ..knowledge import Knowledge
from ..records import Block
from .blocks import normalise_text

log = logging.getLogger("stretchpipe")

OUTSIDE_MAIN_CONTENT = "boilerplate:outside_main_content"

def main_text(root) -> str | None:
    """trafilatura's main text of the page (a parsed lxml tree, which it may change), or None when
    it finds none."""
    try:
        import trafilatura
        text = trafilatura.extract(root, fast=True, include_comments=False, include_tables=True,
                                   include_images=False, include_links=False, deduplicate=False)
    except Exception:  # a page trafilatura cannot read is judged by our own filters alone
        log.debug("trafilatura failed", exc_info=True)
        return None
    return text or None


def main_content_flags(root, blocks: list[Block], kb: Knowledge, config: CleanConfig) -> list[bool] | None:
    """For each block, whether it is part of the page's main content; None when the extractor
    finds (almost) nothing and its decision should not be used."""
    text = main_text(root)
    if text is None:
        return None
    raw_lines = text.split("\n")
    lines = [ln for ln in (normalise_text(ln) for ln in raw_lines) if ln]
    kept_chars = sum(len(ln) for ln in lines)
    page_chars = sum(len(b.text) for b in blocks) or 1
    if kept_chars < config.main_content_min_chars and kept_chars < config.main_content_min_share * page_chars:
        return None
    whole = " " + " ".join(lines) + " "
    line_set = set(lines)
    for raw in raw_lines:  # a table row comes out as "| a | b |": its cells are lines of their own
        if raw.startswith("|"):
            line_set.update(normalise_text(cell) for cell in raw.split("|"))
    inside = [False] * len(blocks)
    for i, block in enumerate(blocks):
        norm = normalise_text(block.text)
        marked = normalise_text(f"{block.list_marker} {block.text}") if block.list_marker else norm  # "1. Wrist Shakes"
        if not norm:
            inside[i] = True
        elif len(norm.split()) <= config.main_content_exact_words:
            inside[i] = norm in line_set or marked in line_set
        else:  # most paragraphs are a line of the main text; the rest may be part of one
            inside[i] = norm in line_set or f" {norm} " in whole
    _rescue_exercise_sections(blocks, inside, kb)
    _rescue_heading_series(blocks, inside, kb)
    _rescue_headings(blocks, inside, kb)  # after: a name may head a section that just came back
    _rescue_captions(blocks, inside, kb)
    return inside


def _rescue_captions(blocks: list[Block], inside: list[bool], kb: Knowledge) -> None:
    """An image's caption between two blocks of the main content, that names an exercise or
    instructs one, is part of it: extractors drop images with their captions, and on a stretch page
    the caption may be the pose's only name. (A news photo's caption stays out.)"""
    verbs = frozenset(kb.lexicon["instruction_verbs"])
    last_inside = False
    for i, block in enumerate(blocks):
        if block.kind != "caption":
            last_inside = inside[i]
            continue
        if not inside[i] and last_inside and not block.chrome \
                and (kb.find_mentions(block.text) or _instructs(block.text, verbs)):
            nxt = next((k for k in range(i + 1, len(blocks)) if blocks[k].kind != "caption"), None)
            if nxt is not None and inside[nxt]:
                inside[i] = True


def _rescue_headings(blocks: list[Block], inside: list[bool], kb: Knowledge) -> None:
    """A heading that names an exercise and heads text the extractor kept comes back: extractors
    drop short headings (a card's title over its kept text; a name over a kept lead-in line "To
    stretch your chest:" and its steps). Other headings stay out: on news pages the extractor is
    right about them more often than not. A name like "Head Turn" is no known exercise: it comes
    back when the text it heads instructs and the name names a body part or the lead-in under it
    speaks of stretching ("You can also stretch your neck by turning your head:")."""
    verbs = frozenset(kb.lexicon["instruction_verbs"])
    for i, head in enumerate(blocks):
        if head.kind != "heading" or inside[i]:
            continue
        j = i + 1
        while j < len(blocks) and blocks[j].kind == "heading" and inside[j] and blocks[j].level >= head.level:
            j += 1  # kept sub-headings or lead-ins between the name and its text
        if j < len(blocks) and blocks[j].kind != "heading" and inside[j] and normalise_text(blocks[j].text) \
                and (kb.looks_like_exercise(head.text, fuzzy=False)
                     or (_instructs(blocks[j].text, verbs)
                         and (_names_body_part(head.text, kb)
                              or any(kb.looks_like_exercise(blocks[k].text, fuzzy=False) for k in range(i + 1, j))))):
            inside[i] = True
            head.kept = "exercise_section"


def _rescue_exercise_sections(blocks: list[Block], inside: list[bool], kb: Knowledge) -> None:
    """A heading that names an exercise, left out by the extractor, comes back with the text under
    it (up to the next heading of its level or above) when that text holds more than a link."""
    verbs = frozenset(kb.lexicon["instruction_verbs"])
    i = 0
    while i < len(blocks):
        head = blocks[i]
        if head.kind != "heading" or inside[i] or head.chrome or not kb.looks_like_exercise(head.text, fuzzy=False):
            i += 1
            continue
        j = i + 1
        while j < len(blocks) and not (blocks[j].kind == "heading" and blocks[j].level <= head.level):
            j += 1
        body = [k for k in range(i + 1, j) if not blocks[k].chrome]
        if any(blocks[k].kind in ("paragraph", "list_item", "field") and blocks[k].link_density < 0.5
               and _instructs(blocks[k].text, verbs) for k in body):
            for k in [i, *body]:
                inside[k] = True
                blocks[k].kept = "exercise_section"
        i = j


def heading_series(blocks: list[Block]) -> list[list[int]]:
    """The page's marked-up headings grouped in series: headings of one level with no heading of a
    higher rank between them (the titles of a card grid, of a gallery, of the sections of one
    list). A deeper heading inside a card does not break its series; a shallower one ends every
    deeper series."""
    series: list[list[int]] = []
    open_by_level: dict[int, list[int]] = {}
    for i, block in enumerate(blocks):
        if block.kind != "heading" or block.tag not in _HEADING_TAGS:
            continue
        level = block.level
        for deeper in [lv for lv in open_by_level if lv > level]:
            series.append(open_by_level.pop(deeper))
        open_by_level.setdefault(level, []).append(i)
    series.extend(open_by_level[lv] for lv in sorted(open_by_level))
    return [s for s in series if len(s) >= 2]


def _rescue_heading_series(blocks: list[Block], inside: list[bool], kb: Knowledge) -> None:
    """Headings of one series share their fate. A series counts when at least two of its headings
    name exercises and at least half name one or head instructions, and it lies in the main
    content (a block the extractor kept comes before it or within it). Its titles are too short
    for an extractor to judge; the text under them is not, so its decision on that text stands:
    - when it kept no member of the series (neither a title nor the text under one), the whole
      series comes back with its text: a grid of pose cards (a title and a one-line blurb each),
      titles over images only;
    - when it kept some, a title comes back when the text under it was kept or there is none:
      a card title no knowledge base knows ("Wall Angel") among known ones. Titles whose text it
      left out stay out (linked teasers of other posts after the article's own sections).
    Chrome stays out."""
    verbs = frozenset(kb.lexicon["instruction_verbs"])
    for series in heading_series(blocks):
        level = blocks[series[0]].level
        end = series[-1] + 1
        while end < len(blocks) and not (blocks[end].kind == "heading" and blocks[end].tag in _HEADING_TAGS
                                         and blocks[end].level <= level):
            end += 1  # the last member's section
        sections = list(zip(series, [*series[1:], end]))
        named = sum(1 for i in series if kb.looks_like_exercise(blocks[i].text, fuzzy=False))
        if named < 2:
            continue
        like = sum(1 for i, nxt in sections if kb.looks_like_exercise(blocks[i].text, fuzzy=False)
                   or any(blocks[k].kind != "heading" and _instructs(blocks[k].text, verbs) for k in range(i + 1, nxt)))
        if 2 * like < len(series):
            continue
        if not any(inside[k] and normalise_text(blocks[k].text) and not blocks[k].chrome for k in range(end)):
            continue
        bodies = [[k for k in range(i + 1, nxt) if blocks[k].kind != "heading" and not blocks[k].chrome
                   and normalise_text(blocks[k].text)] for i, nxt in sections]
        body_kept = [any(inside[k] for k in body) for body in bodies]
        any_kept = any(inside[i] or kept for (i, _), kept in zip(sections, body_kept))
        for (i, nxt), body, kept in zip(sections, bodies, body_kept):
            if blocks[i].chrome or (any_kept and body and not kept):
                continue
            for k in range(i, nxt):
                block = blocks[k]
                if inside[k] or block.chrome or (k > i and block.link_density >= 0.5):
                    continue
                inside[k] = True
                block.kept = "exercise_series"


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_FIRST_WORDS = re.compile(r"[A-Za-z']+")


def _names_body_part(text: str, kb: Knowledge) -> bool:
    words = normalise_text(text).split()
    return any(kb.body_part(" ".join(words[k:k + n])) for n in (1, 2) for k in range(len(words) - n + 1))


def _instructs(text: str, verbs: frozenset[str]) -> bool:
    """A sentence of the block opens with an instruction verb ("Lie on your back...")."""
    for sentence in re.split(r"(?<=[.!?])\s+", text)[:6]:
        first = _FIRST_WORDS.search(sentence)
        if first and first.group().lower() in verbs:
            return True
    return False

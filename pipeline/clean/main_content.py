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

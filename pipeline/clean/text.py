"""Plain-text dumps -> Blocks: chunks split on blank lines, each line classified.

A chunk whose lines are all short or marked ("- item", "3. Name") is a list; any other chunk is a
paragraph hard-wrapped by the dump, its lines joined again. A short caption line ending in ":"
("Jump to:") captions the list below it. Each block keeps the line it starts on.
"""
from __future__ import annotations

import re

from ..records import Block
from .blocks import ENDS_SENTENCE, classify_line, collapse_ws, field_label, split_marker, word_count

_CHUNK = re.compile(r"\n[ \t\u00a0]*\n")


def text_to_blocks(text: str) -> tuple[str | None, list[Block]]:
    blocks: list[Block] = []
    pos = 0
    line_no = 1
    for m in list(_CHUNK.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        blocks.extend(_chunk_blocks(text[pos:end], line_no))
        if m:
            line_no += text[pos:m.end()].count("\n")
            pos = m.end()
    title = None
    if blocks and blocks[0].kind == "heading":
        title = blocks[0].text
        blocks[0].level = 1
    return title, blocks


def _chunk_blocks(chunk: str, line_no: int) -> list[Block]:
    numbered = [(line_no + i, ln) for i, ln in enumerate(chunk.split("\n")) if ln.strip()]
    if not numbered:
        return []
    if len(numbered) == 1:
        block = classify_line(numbered[0][1], source_line=numbered[0][0])
        return [block] if block else []
    lines = [ln for _, ln in numbered]
    caption = lines[0].strip().endswith(":") and word_count(lines[0]) <= 6 and len(lines) > 2
    items = numbered[1:] if caption else numbered  # "Jump to:" captions the list below it
    listy = all(split_marker(collapse_ws(ln))[0] or field_label(collapse_ws(ln))
                or (word_count(ln) <= 8 and not ENDS_SENTENCE.search(ln.strip())) for _, ln in items)
    out: list[Block] = []
    if listy:
        if caption:
            out.append(Block(collapse_ws(lines[0]), "paragraph", source_line=numbered[0][0]))
        for n, ln in items:
            as_field = field_label(collapse_ws(ln)) and not split_marker(collapse_ws(ln))[0]
            block = classify_line(ln, in_list=not as_field, source_line=n)
            if block:
                out.append(block)
        return out
    block = classify_line(" ".join(ln.strip() for ln in lines), source_line=numbered[0][0])  # a wrapped paragraph
    return [block] if block else []

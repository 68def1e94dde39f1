"""Map a span of the cleaned text back to a line and column of the original file.

The clean stage may record each block's `source_line`; when it does, the quote is looked for
from that line on. Otherwise the block's words are looked for in the source in reading order,
allowing markup, entities and punctuation between them (an HTML paragraph's sentence is split by
tags; a Markdown one by emphasis marks).
"""
from __future__ import annotations

import bisect
import re

from ..records import CleanDocument

_WORD = re.compile(r"[^\W_]+")
# between two words of a quote: tags, entities, whitespace, punctuation, markdown marks
_GAP = r"(?:<[^>]{0,400}>|&#?\w{1,8};|[^\w<&]|_){1,80}"
_MAX_WORDS = 8


def _pattern(words: list[str]) -> re.Pattern:
    return re.compile(_GAP.join(re.escape(w) for w in words), re.I)


class SourceMap:
    def __init__(self, source_text: str, doc: CleanDocument | None):
        self.text = source_text
        self.doc = doc
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", source_text)]
        self._block_starts = [b.start for b in doc.blocks] if doc else []
        self._block_offsets: list[int] = []  # source offset of each block, found in reading order

    # -- public
    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset in the source."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def line_end(self, offset: int) -> int:
        """Offset of the end of the line `offset` is on (before its newline)."""
        line = bisect.bisect_right(self._line_starts, offset)
        return self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)

    def locate_span(self, start: int, end: int) -> int:
        """Source offset of the cleaned text's span (start, end)."""
        return self.locate_range(start, end)[0]

    def locate_range(self, start: int, end: int, quote: str | None = None) -> tuple[int, int]:
        """Source offsets where the cleaned text's span (start, end) begins and ends; when the
        words cannot be found, the block's line. `quote` is the text the span should hold: when the
        span says otherwise (its offsets taken from a differently joined text), the quote is looked for."""
        if self.doc is None or not self.doc.blocks:
            return 0, self.line_end(0)
        i = max(0, bisect.bisect_right(self._block_starts, start) - 1)
        anchor = self._block_offset(i)
        text = self.doc.text[start:end]
        if quote and " ".join(quote.split()) != " ".join(text.split()):
            text = quote
        found = self.find_range(text, anchor)
        return found if found is not None else (anchor, self.line_end(anchor))

    def find(self, quote: str, after: int = 0) -> int | None:
        """Offset of `quote` in the source at or after `after`, else anywhere, else None."""
        found = self.find_range(quote, after)
        return found[0] if found else None

    def find_range(self, quote: str, after: int = 0) -> tuple[int, int] | None:
        """Where `quote` starts and ends in the source (at or after `after`, else anywhere): its
        first words locate the start, its last words (after the start) the end."""
        words = _WORD.findall(quote)
        if not words:
            return None
        at = self.text.find(quote, after)
        if at >= 0:
            return at, at + len(quote)
        m = _pattern(words[:_MAX_WORDS]).search(self.text, after) or _pattern(words[:_MAX_WORDS]).search(self.text)
        if m is None:
            return None
        if len(words) <= _MAX_WORDS:
            return m.start(), m.end()
        # markup between the words makes the source longer than the quote; bound the search for the end
        limit = m.start() + 8 * len(quote) + 2000
        tail = _pattern(words[-_MAX_WORDS:]).search(self.text, m.start(), limit)
        return m.start(), tail.end() if tail else m.end()

    # -- blocks
    def _block_offset(self, i: int) -> int:
        while len(self._block_offsets) <= i:
            k = len(self._block_offsets)
            block = self.doc.blocks[k]
            line = getattr(block, "source_line", None)
            previous = self._block_offsets[-1] if self._block_offsets else 0
            if line and line > 0 and line <= len(self._line_starts):
                start = self._line_starts[line - 1]
                found = self.find(block.text, start)
                offset = found if found is not None and found >= start else start
            else:
                found = self.find(block.text, previous)
                offset = found if found is not None else previous
            self._block_offsets.append(offset)
        return self._block_offsets[i]

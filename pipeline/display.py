"""Text from inputs made safe to print: file names and page text reach terminals and CI logs.

A control character in a file name or a message (ESC, BEL, a newline) would let a crafted input set
a terminal's title, rewrite what is on screen, or start a line that GitHub Actions reads as a
workflow command (`::error ...`). Everything printed from inputs goes through `printable`.
"""
from __future__ import annotations

import re

# C0 and C1 controls, DEL, the line and paragraph separators, the bidirectional controls that
# reorder what a terminal shows, and lone surrogates (undecodable bytes of a file name)
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by Python as a surrogate
        return f"\\x{code - 0xDC00:02x}"
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """`text` with every character that could act on a terminal or a log written as an escape
    (\\x1b, \\n, \\u202e); all other characters, accents and scripts included, kept."""
    return _UNPRINTABLE.sub(_escape, text) if not text.isprintable() else text


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 input`, `2 inputs`: a count and its noun in plain English (never "input(s)")."""
    return f"{n} {word if n == 1 else many or word + 's'}"

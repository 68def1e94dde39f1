"""Errors with stable codes (like spaCy's E-codes) and messages that say what to do.

A code never changes meaning once released; manifests and tests refer to it.
"""
from __future__ import annotations


class StretchpipeError(Exception):
    code = "SP000"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {self.args[0]}"


class InputError(StretchpipeError):
    """An input could not be read as a page; it is recorded in the manifest and skipped."""


# Input codes: the manifest's `code` field.
NOT_FOUND = "SP101"  # path does not exist
EMPTY = "SP102"  # zero bytes or only white space
BINARY = "SP103"  # not text (NUL bytes, undecodable)
UNSUPPORTED = "SP104"  # extension we do not read
NO_EXERCISES = "SP201"  # readable page with no exercise sections

SHORT = {NOT_FOUND: "not found", EMPTY: "empty", BINARY: "binary", UNSUPPORTED: "unsupported type",
         NO_EXERCISES: "no exercise sections", "SP900": "internal error"}

MESSAGES = {
    NOT_FOUND: "no such file or directory: {path}; check the path",
    EMPTY: "{path} is empty; nothing to extract",
    BINARY: "{path} looks like a binary file, not a text or HTML page; pass .txt, .html or .md files",
    UNSUPPORTED: "{path} has an extension stretchpipe does not read ({ext}); "
                 "supported: .txt, .html, .htm, .md, .markdown",
    NO_EXERCISES: "{path} was read but holds no numbered or headed exercise sections",
}


def input_error(code: str, **fields: str) -> InputError:
    return InputError(MESSAGES[code].format(**fields), code=code)

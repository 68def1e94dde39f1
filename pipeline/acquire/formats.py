"""Which reader a page needs: HTML, Markdown or plain text.

The extension decides for .html and .md files; a text extension (or none, or stdin) is only a
hint, since saved pages are often renamed .txt: HTML is sniffed in them (the start of the content,
as browsers sniff an unlabelled resource).
"""
from __future__ import annotations

import re
from pathlib import Path

from .. import errors
from ..config import SNIFFED_EXTENSIONS, SUPPORTED_EXTENSIONS
from ..records import Format

_HTML_START = re.compile(
    rb"^(?:\s|<!--.*?-->|<\?xml[^>]*>)*(?:<!doctype\s+html|<html|<head|<body|<meta|<title|<article|<div|<p[\s>]|<h[1-6])",
    re.I | re.S)
_MD_SNIFF = re.compile(r"^(---\n|#{1,6} |Title: |URL Source: )", re.M)


def looks_like_html(data: bytes) -> bool:
    """The content starts like an HTML document (after white space, comments or an XML declaration)."""
    return bool(_HTML_START.match(data[:4096].lstrip(b"\xef\xbb\xbf")))


def html_candidate(source: str, data: bytes) -> bool:
    """Whether the `<meta>` prescan applies: an HTML extension, or a sniffed text/stdin input."""
    suffix = _suffix(source)
    if SUPPORTED_EXTENSIONS.get(suffix) == "html":
        return True
    return suffix in SNIFFED_EXTENSIONS and looks_like_html(data)


def detect_format(source: str, data: bytes, text: str) -> Format:
    suffix = _suffix(source)
    if suffix in SNIFFED_EXTENSIONS:
        if looks_like_html(data) or looks_like_html(text[:4096].encode("utf-8", "replace")):
            return "html"
        if suffix == "" and _MD_SNIFF.search(text[:2000]):
            return "markdown"
        return "text"
    if suffix in SUPPORTED_EXTENSIONS:
        return SUPPORTED_EXTENSIONS[suffix]  # type: ignore[return-value]
    raise errors.input_error(errors.UNSUPPORTED, path=source, ext=suffix)


def _suffix(source: str) -> str:
    return "" if source == "<stdin>" else Path(source).suffix.lower()

"""Stage 1, acquire: turn paths (files, folders, or "-" for stdin) into decoded Pages.

I/O lives here and in `emit`; everything between works on in-memory records.
"""
from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from . import errors
from .config import SUPPORTED_EXTENSIONS
from .records import Format, ManifestEntry, Page

STDIN = "-"
_HTML_SNIFF = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<article|<div|<p[\s>]|<h[1-6])", re.I)
_DECLARED = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)|<\?xml[^>]+encoding=["']([\w-]+)""", re.I)
_MD_SNIFF = re.compile(r"^(---\n|#{1,6} |Title: |URL Source: )", re.M)


def discover(paths: Iterable[str]) -> Iterator[str | ManifestEntry]:
    """Expand folders (recursively, sorted so runs are deterministic) into input paths.

    Yields a path for every candidate input, or a ManifestEntry for one that is skipped
    before reading (a missing path, an unsupported file found inside a folder).
    """
    for raw in paths:
        if raw == STDIN:
            yield STDIN
            continue
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue  # hidden files (.gitkeep, .DS_Store) are not inputs
                if child.suffix.lower() in SUPPORTED_EXTENSIONS:
                    yield str(child)
                else:
                    err = errors.input_error(errors.UNSUPPORTED, path=str(child), ext=child.suffix or "none")
                    yield ManifestEntry(str(child), "skipped", reason=str(err), code=err.code)
        elif path.exists():
            yield str(path)
        else:
            err = errors.input_error(errors.NOT_FOUND, path=raw)
            yield ManifestEntry(raw, "failed", reason=str(err), code=err.code)


def read_page(path: str, *, stdin: bytes | None = None) -> Page:
    """Read one input and decode it. Raises InputError with a stable code on bad input."""
    if path == STDIN:
        data = stdin if stdin is not None else sys.stdin.buffer.read()
        source = "<stdin>"
    else:
        data = Path(path).read_bytes()
        source = path
    if not data.strip():
        raise errors.input_error(errors.EMPTY, path=source)
    text, encoding = decode(data, source)
    fmt = detect_format(source, data, text)
    return Page(source=source, format=fmt, text=_normalise_newlines(text), encoding=encoding)


def decode(data: bytes, source: str) -> tuple[str, str]:
    """UTF-8 first (the web's default); otherwise let charset-normalizer guess."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise errors.input_error(errors.BINARY, path=source)
    declared = _DECLARED.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "ignore").lower()
        try:
            return data.decode(name), codecs.lookup(name).name
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: fall through to detection
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_cp1252(data):
        return data.decode("cp1252"), "cp1252"
    best = from_bytes(data).best()
    if best is None or _control_share(str(best)) > 0.05:
        raise errors.input_error(errors.BINARY, path=source)
    return str(best), best.encoding


def detect_format(source: str, data: bytes, text: str) -> Format:
    suffix = Path(source).suffix.lower()
    if suffix in SUPPORTED_EXTENSIONS:
        return SUPPORTED_EXTENSIONS[suffix]  # type: ignore[return-value]
    if source != "<stdin>" and suffix:
        raise errors.input_error(errors.UNSUPPORTED, path=source, ext=suffix)
    if _HTML_SNIFF.match(data[:2048]):
        return "html"
    if _MD_SNIFF.search(text[:2000]):
        return "markdown"
    return "text"


_CP1252_PUNCT = set("’‘“”–—…•")


def _looks_cp1252(data: bytes) -> bool:
    """Undeclared legacy English pages are windows-1252 (the WHATWG fallback); their tell is smart
    punctuation in bytes 0x80-0x9F, which statistical detectors misread on short samples."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    high = [ch for ch in text if ord(ch) > 127]
    return bool(high) and sum(ch in _CP1252_PUNCT for ch in high) / len(high) >= 0.3


def _control_share(text: str) -> float:
    sample = text[:4096]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / len(sample)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")

"""Stage 1, acquire: turn inputs (files, folders, "-" for stdin, web archives) into decoded Pages.

I/O lives here and in `emit`; everything between works on in-memory records.

- `files`: discovery (every path accounted for) and safe reads (regular files only, a byte limit);
- `decode`: bytes to text as browsers do (BOM, transport header, `<meta>` prescan, fallbacks);
- `formats`: HTML, Markdown or text, from the extension and the content;
- `warc`: each HTML response record of a .warc/.warc.gz is a page;
- `metadata`: canonical URL, title, author, dates, language and JSON-LD of an HTML page;
- `http`, `store`, `fetch`: `stretchpipe fetch` (polite HTTP into WARC + SQLite).
"""
from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator

from .. import errors
from ..config import ACQUIRE
from ..records import Page
from .decode import Decoded, decode
from .files import STDIN, discover, display_name, inner_name, is_archive, read_bytes, record_ref, split_record_ref
from .formats import detect_format, html_candidate

__all__ = ["STDIN", "Decoded", "decode", "decode_page", "detect_format", "discover", "display_name", "is_archive",
           "read_page", "read_pages", "record_ref"]


def read_page(path: str, *, stdin: bytes | None = None, metadata: bool = True,
              on_bytes: Callable[[bytes], None] | None = None) -> Page:
    """Read one input and decode it. Raises InputError with a stable code on bad input.
    `on_bytes` is given the bytes read (the run digests them, so it never reads a file twice)."""
    if path == STDIN:
        data = stdin if stdin is not None else sys.stdin.buffer.read(ACQUIRE.max_bytes + 1)
        if len(data) > ACQUIRE.max_bytes:
            raise errors.input_error(errors.TOO_LARGE, path="<stdin>", size=f"more than {ACQUIRE.max_bytes}",
                                     limit=str(ACQUIRE.max_bytes))
    elif is_archive(path):
        raise errors.input_error(errors.UNSUPPORTED, path=display_name(path), ext="WARC: use read_pages")
    else:
        data = read_bytes(path)
    if on_bytes is not None:
        on_bytes(data)
    return decode_page(display_name(path), data, name=inner_name(path), metadata=metadata)


def read_pages(ref: str, *, stdin: bytes | None = None, stats: Counter | None = None, metadata: bool = True,
               on_bytes: Callable[[bytes], None] | None = None) -> Iterator[Page]:
    """Every page of one input: one for a file or stdin, one per HTML response record of a WARC.
    Records that are not pages (requests, non-HTML responses, revisits) are counted in `stats`.
    `metadata=False` leaves an HTML page's metadata unread (the run reads it for pages that give
    records); `on_bytes` is given a file's bytes (not an archive's)."""
    record = split_record_ref(ref) if ref != STDIN else None
    if record is not None:  # one record of a WARC: "raw/crawl.warc.gz#428"
        from .warc import read_warc_record

        yield read_warc_record(*record, stats=stats, metadata=metadata)
    elif ref != STDIN and is_archive(ref):
        from .warc import read_warc  # warcio only when an archive is given

        yield from read_warc(ref, stats=stats, metadata=metadata)
    else:
        yield read_page(ref, stdin=stdin, metadata=metadata, on_bytes=on_bytes)


def decode_page(source: str, data: bytes, *, transport: str | None = None, format_hint: str | None = None,
                url: str | None = None, fetched_at: str | None = None, name: str | None = None,
                metadata: bool = True) -> Page:
    """Bytes of one page to a Page; `transport` is the Content-Type charset, `format_hint` a format
    already known (a WARC record's content type), `name` the file name that tells the format when
    it is not `source` (page.html for page.html.gz)."""
    name = name or source
    if not data.strip():
        raise errors.input_error(errors.EMPTY, path=source)
    is_html = format_hint == "html" or (format_hint is None and html_candidate(name, data))
    decoded = decode(data, html=is_html, transport=transport)
    if decoded.control_share > ACQUIRE.max_control_share:
        raise errors.input_error(errors.BINARY, path=source)
    text = decoded.text
    if not text.strip():
        raise errors.input_error(errors.EMPTY, path=source)
    fmt = format_hint or detect_format(name, data, text)
    text = _normalise_newlines(text)
    page = Page(source=source, format=fmt, text=text, encoding=decoded.encoding,
                encoding_rule=decoded.rule, url=url, fetched_at=fetched_at)
    return with_metadata(page) if metadata else page


def with_metadata(page: Page) -> Page:
    """The page with its metadata read (HTML only), when it has none yet."""
    if page.format != "html" or page.metadata is not None:
        return page
    from dataclasses import replace

    from .metadata import page_metadata

    return replace(page, metadata=page_metadata(page.text, page.url))  # of the text clean parses: clean then takes this tree


def _normalise_newlines(text: str) -> str:
    if "\r" not in text:  # most pages: one quick scan instead of two replacing ones
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")

"""Web archives as input: each HTML (or plain-text) response record of a .warc/.warc.gz is a page,
with its target URL as the source. Works on the project's own crawls (`stretchpipe fetch`) and on
Common Crawl's files. Requests, metadata, revisits, non-HTML and non-2xx responses are not pages:
they are counted in the run's stats under `acquire/warc/...`. In a stretchpipe crawl folder the
index (crawl.sqlite) says which response is current for each URL; older copies of a page that was
fetched again and changed are skipped as superseded.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from warcio.archiveiterator import ArchiveIterator

from .. import errors
from ..config import ACQUIRE
from ..records import Page
from .decode import charset_of
from .files import display_name, open_regular

# media types read as pages, and the format each becomes
PAGE_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text"}


def read_warc(path: str, *, stats: Counter | None = None) -> Iterator[Page]:
    stats = stats if stats is not None else Counter()
    fh = open_regular(path)
    current = _current_records(path)
    pages = 0
    with fh:
        try:
            for record in ArchiveIterator(fh):
                if record.format != "warc":  # warcio would read anything as an old ARC file
                    raise errors.input_error(errors.BAD_ARCHIVE, path=display_name(path),
                                             detail="it does not start with a WARC record")
                if (current is not None and record.rec_type == "response"
                        and record.rec_headers.get_header("WARC-Record-ID") not in current):
                    stats["acquire/warc/superseded"] += 1  # a page fetched again later (--refresh) and changed
                    continue
                page = _page_of(record, stats)
                if page is not None:
                    pages += 1
                    yield page
        except errors.StretchpipeError:
            raise
        except Exception as exc:  # ArchiveLoadFailed, and warcio's own errors on a torn or malformed record
            raise errors.input_error(errors.BAD_ARCHIVE, path=display_name(path), detail=str(exc) or type(exc).__name__) from None
    if pages == 0:  # the archive itself must still end in the manifest
        raise errors.input_error(errors.NO_PAGES, path=display_name(path))


def read_warc_record(path: str, offset: int, *, stats: Counter | None = None) -> Page:
    """The page in the one record at `offset` (a record reference, see files.record_ref)."""
    stats = stats if stats is not None else Counter()
    name = f"{display_name(path)}#{offset}"
    with open_regular(path) as fh:
        fh.seek(offset)
        start = fh.read(5)
        fh.seek(offset)
        if not start.startswith((b"\x1f\x8b", b"WARC/")):  # a gzip member or a plain record
            raise errors.input_error(errors.BAD_ARCHIVE, path=name, detail=f"no record starts at offset {offset}")
        try:
            record = next(iter(ArchiveIterator(fh)), None)
            page = _page_of(record, stats) if record is not None and record.format == "warc" else None
        except errors.StretchpipeError:
            raise
        except Exception as exc:  # an offset that is not the start of a record
            raise errors.input_error(errors.BAD_ARCHIVE, path=name, detail=str(exc) or type(exc).__name__) from None
    if page is None:
        raise errors.input_error(errors.NO_PAGES, path=name)
    return page


def _page_of(record, stats: Counter) -> Page | None:
    if record.rec_type == "revisit":
        stats["acquire/warc/revisit"] += 1
        return None
    if record.rec_type != "response":
        return None  # request, warcinfo, metadata: never pages
    http = record.http_headers
    if http is None:
        stats["acquire/warc/not_http"] += 1
        return None
    content_type = http.get_header("Content-Type") or ""
    media = content_type.split(";")[0].strip().lower()
    fmt = PAGE_TYPES.get(media)
    if fmt is None:
        stats["acquire/warc/not_html"] += 1
        return None
    status = http.get_statuscode() or ""
    if not status.startswith("2"):
        stats["acquire/warc/not_ok"] += 1
        return None
    url = record.rec_headers.get_header("WARC-Target-URI") or "<no url>"
    body = record.content_stream().read(ACQUIRE.max_bytes + 1)  # de-chunked and decompressed
    if len(body) > ACQUIRE.max_bytes:
        stats[f"acquire/warc/{errors.TOO_LARGE}"] += 1
        return None
    from . import decode_page

    try:
        page = decode_page(url, body, transport=charset_of(content_type), format_hint=fmt, url=url,
                           fetched_at=record.rec_headers.get_header("WARC-Date"))
    except errors.InputError as exc:
        stats[f"acquire/warc/{exc.code}"] += 1
        return None
    stats["acquire/warc/pages"] += 1
    return page


def _current_records(path: str) -> set[str] | None:
    """The WARC-Record-IDs of the current response records when `path` is a stretchpipe crawl with its index
    beside it (store.py); None for any other archive, whose records are all read."""
    import sqlite3
    from pathlib import Path

    from .store import INDEX_NAME, WARC_NAME

    warc = Path(path)
    index = warc.with_name(INDEX_NAME)
    if warc.name != WARC_NAME or not index.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
            return {row[0] for row in db.execute("SELECT record_id FROM pages WHERE warc_file = ?", (WARC_NAME,))}
    except sqlite3.Error:
        return None

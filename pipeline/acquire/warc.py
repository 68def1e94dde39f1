"""Web archives as input: each HTML (or plain-text) response record of a .warc/.warc.gz is a page,
with its target URL as the source. Works on the project's own crawls (`stretchpipe fetch`) and on
Common Crawl's files. Requests, metadata, revisits, non-HTML and non-2xx responses are not pages:
they are counted in the run's stats under `acquire/warc/...`. In a stretchpipe crawl folder the
index (crawl.sqlite) says which response is current for each URL; older copies of a page that was
fetched again and changed are skipped as superseded.

A run reads an archive record by record: discovery (files.py) scans the headers with
`page_records` and gives each page its own input, "crawl.warc.gz#OFFSET" (`read_warc_record`), so
each page has its own task and budget; `read_warc` reads a whole archive for the Python API.
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
                kind = _kind_of(record, current)
                if kind != "page":
                    stats[f"acquire/warc/{kind}"] += 1
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
        counts = ", ".join(f"{n} {k.rsplit('/', 1)[-1]}" for k, n in sorted(stats.items()) if k.startswith("acquire/warc/"))
        raise errors.input_error(errors.NO_PAGES, path=display_name(path), counts=counts or "none")


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
            is_page = record is not None and record.format == "warc" and _kind_of(record, None) == "page"
            page = _page_of(record, stats, strict=True) if is_page else None
        except errors.StretchpipeError:
            raise
        except Exception as exc:  # an offset that is not the start of a record
            raise errors.input_error(errors.BAD_ARCHIVE, path=name, detail=str(exc) or type(exc).__name__) from None
    if page is None:
        raise errors.input_error(errors.NO_PAGES, path=name, counts="one record, not a page")
    return page


def page_records(path: str) -> tuple[list[int], Counter, errors.InputError | None]:
    """From the record headers alone: the offsets of the records that may be pages, the count of
    the others by kind, and the error that stopped the scan (a torn or malformed archive), if any.
    Discovery turns each offset into an input of its own, so every page of an archive gets its own
    task and budget."""
    offsets: list[int] = []
    others: Counter = Counter()
    current = _current_records(path)
    with open_regular(path) as fh:
        try:
            records = ArchiveIterator(fh)
            for record in records:
                if record.format != "warc":  # warcio would read anything as an old ARC file
                    raise errors.input_error(errors.BAD_ARCHIVE, path=display_name(path),
                                             detail="it does not start with a WARC record")
                kind = _kind_of(record, current)
                offset = records.get_record_offset()  # reads past the body: the next header is where it ends
                if kind == "page":
                    offsets.append(offset)
                else:
                    others[kind] += 1
        except errors.InputError as exc:
            return offsets, others, exc
        except Exception as exc:  # ArchiveLoadFailed, and warcio's own errors on a torn or malformed record
            return offsets, others, errors.input_error(errors.BAD_ARCHIVE, path=display_name(path),
                                                       detail=str(exc) or type(exc).__name__)
    return offsets, others, None


def _kind_of(record, current: set[str] | None) -> str:
    """"page" for a response that may be a page, else why it is not one."""
    if record.rec_type == "revisit":
        return "revisit"
    if record.rec_type != "response":
        return record.rec_type or "unknown"  # request, warcinfo, metadata, resource
    if current is not None and record.rec_headers.get_header("WARC-Record-ID") not in current:
        return "superseded"  # a page fetched again later (--refresh) and changed
    http = record.http_headers
    if http is None:
        return "not_http"
    media = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if media not in PAGE_TYPES:
        return "not_html"
    if not (http.get_statuscode() or "").startswith("2"):
        return "not_ok"
    return "page"


def _page_of(record, stats: Counter, *, strict: bool = False) -> Page | None:
    """The page in a response record that `_kind_of` calls a page; None when it cannot be read
    (counted in `stats`), or the InputError that says why when `strict`."""
    content_type = record.http_headers.get_header("Content-Type") or ""
    fmt = PAGE_TYPES[content_type.split(";")[0].strip().lower()]
    url = record.rec_headers.get_header("WARC-Target-URI") or "<no url>"
    from . import decode_page

    try:
        body = record.content_stream().read(ACQUIRE.max_bytes + 1)  # de-chunked and decompressed
        if len(body) > ACQUIRE.max_bytes:
            raise errors.input_error(errors.TOO_LARGE, path=url, size=f"more than {ACQUIRE.max_bytes}",
                                     limit=str(ACQUIRE.max_bytes))
        page = decode_page(url, body, transport=charset_of(content_type), format_hint=fmt, url=url,
                           fetched_at=record.rec_headers.get_header("WARC-Date"))
    except errors.InputError as exc:
        if strict:
            raise
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

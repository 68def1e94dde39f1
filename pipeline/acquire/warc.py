"""Web archives as input: each HTML (or plain-text) response record of a .warc/.warc.gz is a page,
with its target URL as the source. Works on the project's own crawls (`stretchpipe fetch`) and on
Common Crawl's files. Requests, metadata, revisits, non-HTML and non-2xx responses are not pages:
they are counted in the run's stats under `acquire/warc/...`. In a stretchpipe crawl folder the
index (crawl.sqlite) says which response is current for each URL; older copies of a page that was
fetched again and changed are skipped as superseded.

A run reads an archive record by record: discovery (files.py) scans the headers with
`page_records` and gives each page its own input, "crawl.warc.gz#OFFSET" (`read_warc_record`), so
each page has its own task and budget; `read_warc` reads a whole archive for the Python API.

A record whose stated length (Content-Length) is wrong does not end where the next record starts:
warcio then says so on stderr and reads on from inside the next record, which is lost. Here every
record is accounted for: warcio's stderr is caught, a record that does not end where it says is
SP113 with its offset (its content is not the record's), and the scan resumes at the next record
start found after it, so the records after it are read as usual.
"""
from __future__ import annotations

import contextlib
import io
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


def read_warc(path: str, *, stats: Counter | None = None, metadata: bool = True) -> Iterator[Page]:
    stats = stats if stats is not None else Counter()
    current = _current_records(path)
    pages = 0
    for offset, record, misaligned in _scan(path):
        kind = _kind_of(record, current)
        if kind != "page" and not misaligned:
            stats[f"acquire/warc/{kind}"] += 1
            continue
        try:
            page = read_warc_record(path, offset, stats=stats, metadata=metadata)
        except errors.InputError as exc:  # a page that cannot be read, or a record of a wrong length (SP113)
            stats[f"acquire/warc/{exc.code}"] += 1
            continue
        pages += 1
        yield page
    if pages == 0:  # the archive itself must still end in the manifest
        counts = ", ".join(f"{n} {k.rsplit('/', 1)[-1]}" for k, n in sorted(stats.items()) if k.startswith("acquire/warc/"))
        raise errors.input_error(errors.NO_PAGES, path=display_name(path), counts=counts or "none")


def read_warc_record(path: str, offset: int, *, stats: Counter | None = None, metadata: bool = True) -> Page:
    """The page in the one record at `offset` (a record reference, see files.record_ref)."""
    stats = stats if stats is not None else Counter()
    name = f"{display_name(path)}#{offset}"
    with open_regular(path) as fh:
        fh.seek(offset)
        start = fh.read(5)
        fh.seek(offset)
        if not start.startswith((b"\x1f\x8b", b"WARC/")):  # a gzip member or a plain record
            raise errors.input_error(errors.BAD_ARCHIVE, path=name, detail=f"no record starts at offset {offset}")
        warned = io.StringIO()
        try:
            with contextlib.redirect_stderr(warned):  # warcio's warnings: this record's outcome, not stray lines
                records = ArchiveIterator(fh)
                record = next(iter(records), None)
                if record is not None:
                    records.get_record_offset()  # reads to the record's stated end and past the blank lines
        except Exception as exc:  # an offset that is not the start of a record
            raise errors.input_error(errors.BAD_ARCHIVE, path=name, detail=_warcio_detail(exc, offset)) from None
        if record is not None and warned.getvalue():
            raise errors.input_error(errors.BAD_ARCHIVE, path=name, detail=_misaligned(record))
        fh.seek(offset)
        try:
            record = next(iter(ArchiveIterator(fh)), None)
            is_page = record is not None and record.format == "warc" and _kind_of(record, None) == "page"
            page = _page_of(record, stats, strict=True, metadata=metadata) if is_page else None
        except errors.StretchpipeError:
            raise
        except Exception as exc:  # an offset that is not the start of a record
            raise errors.input_error(errors.BAD_ARCHIVE, path=name, detail=_warcio_detail(exc, offset)) from None
    if page is None:
        raise errors.input_error(errors.NO_PAGES, path=name, counts="one record, not a page")
    return page


def page_records(path: str) -> tuple[list[int], Counter, errors.InputError | None]:
    """From the record headers alone: the offsets of the records that may be pages, the count of
    the others by kind, and the error that stopped the scan (a torn or malformed archive), if any.
    Discovery turns each offset into an input of its own, so every page of an archive gets its own
    task and budget. A record whose stated length is wrong is given by its offset too, whatever its
    kind: reading it says what is wrong with it (SP113), so it is in the manifest with its offset."""
    offsets: list[int] = []
    others: Counter = Counter()
    current = _current_records(path)
    try:
        for offset, record, misaligned in _scan(path):
            if misaligned or _kind_of(record, current) == "page":
                offsets.append(offset)
            else:
                others[_kind_of(record, current)] += 1
    except errors.InputError as exc:
        return offsets, others, exc
    return offsets, others, None


def _scan(path: str) -> Iterator[tuple[int, object, bool]]:
    """Every record of an archive with its offset, and whether it fails to end where its stated
    length says (warcio's "Record not followed by newline" warning, caught, not printed). After
    such a record in an uncompressed archive the scan resumes at the next record start after it
    (warcio would read on from inside the next record and lose it); a gzip member ends where it
    ends, so a compressed archive goes on by itself. Raises InputError (SP113) for an archive
    that cannot be read further, or one cut short: a record whose header or body stops before its
    stated end, or bytes after the last whole record (a header cut mid-line, which warcio drops
    silently)."""
    with open_regular(path) as fh:
        compressed = fh.read(2) == b"\x1f\x8b"  # a gzip member per record
        start = 0
        end, misaligned = 0, False  # where the last whole record ends, and whether it ends where it says
        while start is not None:
            fh.seek(start)
            resume = None
            warned = io.StringIO()
            try:
                with contextlib.redirect_stderr(warned):
                    records = ArchiveIterator(fh)
                    for record in records:
                        if record.format != "warc":  # warcio would read anything as an old ARC file
                            raise errors.input_error(errors.BAD_ARCHIVE, path=display_name(path),
                                                     detail=f"no WARC record starts at offset {start}"
                                                     if start else "it does not start with a WARC record")
                        seen = len(warned.getvalue())
                        offset = records.get_record_offset()  # reads past the body: the next header is where it ends
                        cut = _cut_short(record)
                        if cut:
                            raise errors.input_error(errors.BAD_ARCHIVE, path=display_name(path),
                                                     detail=f"the record at offset {offset} {cut}")
                        misaligned = len(warned.getvalue()) > seen
                        end = offset + records.get_record_length()
                        yield offset, record, misaligned
                        if misaligned and not compressed:
                            resume = _next_record_start(fh, offset + 1)
                            break
            except errors.InputError:
                raise
            except Exception as exc:  # ArchiveLoadFailed, and warcio's own errors on a torn or malformed record
                raise errors.input_error(errors.BAD_ARCHIVE, path=display_name(path),
                                         detail=_warcio_detail(exc)) from None
            start = resume
        fh.seek(end)
        if not misaligned and fh.read(4096).strip():  # bytes after the last whole record
            raise errors.input_error(errors.BAD_ARCHIVE, path=display_name(path),
                                     detail=f"a record header at offset {end} is cut short" if end else
                                     "it holds no complete WARC record header")


def _cut_short(record) -> str | None:
    """Why a record stops before its stated end (its header cut short, or without its type or length;
    its body shorter than its Content-Length), or None. Read after warcio has read to the record's end."""
    if record.rec_type is None or record.length is None:
        return "has a header cut short or without WARC-Type and Content-Length"
    missing = getattr(record.raw_stream, "limit", 0)  # declared bytes the file ends before
    if missing:
        return f"is cut short: {missing} of its {record.length} bytes are missing"
    return None


def _warcio_detail(exc: Exception, offset: int | None = None) -> str:
    """warcio's error as a reason: its own messages say what is wrong; a Python error from inside
    it (AttributeError on a header that stops mid-line) means a record header is cut short."""
    where = f" at offset {offset}" if offset is not None else ""
    if isinstance(exc, (AttributeError, TypeError, IndexError, KeyError, ValueError)):
        return f"a record header{where} is cut short or malformed"
    return f"{exc or type(exc).__name__}{where}"


_RECORD_START = (b"\nWARC/1.0\r\n", b"\nWARC/1.1\r\n")


def _next_record_start(fh, after: int) -> int | None:
    """The offset of the next line that opens a WARC record at or after `after`; None if there is none."""
    chunk_size, overlap = 1 << 20, 16
    position = after
    while True:
        fh.seek(position)
        chunk = fh.read(chunk_size)
        if not chunk:
            return None
        found = [i for i in (chunk.find(start) for start in _RECORD_START) if i >= 0]
        if found:
            return position + min(found) + 1
        if len(chunk) < chunk_size:
            return None
        position += len(chunk) - overlap


def _misaligned(record) -> str:
    stated = record.rec_headers.get_header("Content-Length") or "none"
    return (f"the record does not end where its stated length (Content-Length: {stated}) says; its content is "
            "not the record's, so it is not read (the records after it are)")


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


def _page_of(record, stats: Counter, *, strict: bool = False, metadata: bool = True) -> Page | None:
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
        missing = getattr(record.raw_stream, "limit", 0)  # bytes the header declares that never came
        if missing:  # a torn record: its page is cut short, not empty and not whole
            raise errors.input_error(errors.BAD_ARCHIVE, path=url,
                                     detail=f"the record is cut short: {missing} of its {record.length} bytes "
                                            "are missing")
        page = decode_page(url, body, transport=charset_of(content_type), format_hint=fmt, url=url,
                           fetched_at=record.rec_headers.get_header("WARC-Date"), metadata=metadata)
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

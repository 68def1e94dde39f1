"""Where `stretchpipe fetch` keeps what it fetched: WARC files (warcio) plus a SQLite index.

`DIR/crawl.warc.gz` holds a request and a response record per fetched page; `DIR/crawl.sqlite`
has one row per requested URL (url, final url, status, fetched at, etag, last-modified, sha256,
WARC file, offset, length and WARC-Record-ID of the response record). Both records of a page are built in memory
and appended with one write, and the index row is committed after it; on open, bytes past the
last indexed record (a write cut short, or a record whose row never committed) are cut off, so
an interrupted crawl resumes cleanly and the archive never holds a half record.
"""
from __future__ import annotations

import fcntl
import hashlib
import io
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .. import __version__, errors
from ..config import CRAWL_INDEX_NAME
from .http import Response

WARC_NAME = "crawl.warc.gz"
INDEX_NAME = CRAWL_INDEX_NAME
# hop-by-hop framing that no longer describes the stored body (httpx has de-chunked it)
_DROPPED_HEADERS = {"transfer-encoding", "content-length"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    final_url TEXT NOT NULL,
    status INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    content_type TEXT,
    sha256 TEXT NOT NULL,
    warc_file TEXT NOT NULL,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    record_id TEXT NOT NULL
)"""


@dataclass(frozen=True)
class Stored:
    url: str
    final_url: str
    status: int
    fetched_at: str
    etag: str | None
    last_modified: str | None
    content_type: str | None
    sha256: str
    warc_file: str
    offset: int
    length: int
    record_id: str  # WARC-Record-ID of the response record


class CrawlStore:
    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.warc_path = self.folder / WARC_NAME
        self._lock = open(self.folder / INDEX_NAME, "ab")  # noqa: SIM115 (held for the store's life)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise errors.StretchpipeError(f"another stretchpipe fetch is writing into {self.folder}; "
                                          "wait for it to finish", code=errors.READ_ERROR) from None
        self.db = sqlite3.connect(self.folder / INDEX_NAME)
        self.db.execute(_SCHEMA)
        self.db.commit()
        self._cut_unindexed_tail()

    def close(self) -> None:
        self.db.close()
        self._lock.close()

    def __enter__(self) -> CrawlStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str) -> Stored | None:
        row = self.db.execute(f"SELECT {', '.join(Stored.__dataclass_fields__)} FROM pages WHERE url = ?",
                              (url,)).fetchone()
        return Stored(*row) if row else None

    def save(self, url: str, response: Response) -> Stored:
        """Append the request and response records in one write, then index them."""
        offset = self.warc_path.stat().st_size if self.warc_path.exists() else 0
        chunk, response_start, response_length, record_id = warc_records(response)
        with open(self.warc_path, "ab") as fh:
            fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        stored = Stored(url=url, final_url=response.url, status=response.status, fetched_at=response.fetched_at,
                        etag=response.header("etag"), last_modified=response.header("last-modified"),
                        content_type=response.header("content-type"),
                        sha256=hashlib.sha256(response.body).hexdigest(), warc_file=WARC_NAME,
                        offset=offset + response_start, length=response_length, record_id=record_id)
        self.db.execute(f"INSERT OR REPLACE INTO pages VALUES ({', '.join('?' * len(Stored.__dataclass_fields__))})",
                        tuple(getattr(stored, name) for name in Stored.__dataclass_fields__))
        self.db.commit()
        return stored

    def _cut_unindexed_tail(self) -> None:
        if not self.warc_path.exists():
            return
        end = self.db.execute("SELECT MAX(offset + length) FROM pages WHERE warc_file = ?", (WARC_NAME,)).fetchone()[0]
        if self.warc_path.stat().st_size > (end or 0):
            os.truncate(self.warc_path, end or 0)


def warc_records(response: Response) -> tuple[bytes, int, int, str]:
    """The request and response records of one exchange, gzip members ready to append; with the
    response record's start and length inside the returned bytes, and its WARC-Record-ID."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version="1.1")
    warc_headers = {"WARC-Date": response.fetched_at}
    parts = urlsplit(response.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = writer.create_warc_record(
        response.url, "request", payload=io.BytesIO(b""), warc_headers_dict=dict(warc_headers),
        http_headers=StatusAndHeaders(f"GET {target} HTTP/1.1", response.request_headers, is_http_request=True))
    headers = [(k, v) for k, v in response.headers if k.lower() not in _DROPPED_HEADERS]
    headers.append(("Content-Length", str(len(response.body))))
    protocol = "HTTP/1.1" if response.http_version.upper().startswith("HTTP/1") else response.http_version
    record = writer.create_warc_record(
        response.url, "response", payload=io.BytesIO(response.body), warc_headers_dict=dict(warc_headers),
        http_headers=StatusAndHeaders(f"{response.status} {response.reason}", headers, protocol=protocol))
    record.rec_headers.add_header("WARC-Software", f"stretchpipe/{__version__}")
    request.rec_headers.add_header("WARC-Concurrent-To", record.rec_headers.get_header("WARC-Record-ID"))
    writer.write_record(request)
    start = buffer.tell()
    writer.write_record(record)
    return buffer.getvalue(), start, buffer.tell() - start, record.rec_headers.get_header("WARC-Record-ID")

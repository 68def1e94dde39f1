"""Resume and incremental runs: what each input gave, keyed by its content and the pipeline version.

A small SQLite file beside the output set. Every outcome is committed as it arrives (WAL mode,
so a commit costs microseconds), so a run killed at any point resumes where it stopped; an input
is redone only when its bytes, the pipeline (code and data files) or, for a page stopped by its
budget, the budget changed. Outcomes are stored pickled: the file is written and read only by
stretchpipe, in the user's own output folder, and is trusted like the code itself.
"""
from __future__ import annotations

import hashlib
import pickle
import sqlite3
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__

SCHEMA = """
CREATE TABLE IF NOT EXISTS outcomes (
    source BLOB PRIMARY KEY,  -- input path as bytes (a file name need not be UTF-8), or '-' for stdin
    digest TEXT,              -- blake2b of the input's bytes; NULL when it could not be read up front
    version TEXT NOT NULL,    -- pipeline_version() that produced the outcome
    budget TEXT NOT NULL,     -- the budget it ran under (matters only for pages stopped by it)
    codes TEXT,               -- the manifest codes (comma-separated), to tell budget failures apart
    outcome BLOB NOT NULL     -- zlib(pickle(Outcome))
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """The release number plus a digest of every code and data file of the package, so that an
    edited rule or data file redoes the work even before a release number changes."""
    h = hashlib.blake2b(__version__.encode(), digest_size=8)
    root = Path(__file__).parent
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{h.hexdigest()}"


def _key(source: str) -> bytes:
    """A path as the bytes the file system holds (undecodable bytes survive as surrogates in str)."""
    return source.encode("utf-8", "surrogateescape")


def _path(key: bytes | str) -> str:
    return key.decode("utf-8", "surrogateescape") if isinstance(key, bytes) else key


class StateStore:
    def __init__(self, path: Path, version: str | None = None):
        self.version = version or pipeline_version()
        self._db = sqlite3.connect(path, isolation_level=None)  # autocommit: each outcome is durable at once
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._index: dict[str, tuple[str | None, str, str, str | None]] = {
            _path(source): (dig, version, budget, code)
            for source, dig, version, budget, code in self._db.execute(
                "SELECT source, digest, version, budget, codes FROM outcomes")}

    def is_current(self, source: str, dig: str | None, budget: str, budget_codes: frozenset[str]) -> bool:
        known = self._index.get(source)
        if dig is None or known is None:
            return False
        known_digest, version, known_budget, codes = known
        stopped_by_budget = bool(set((codes or "").split(",")) & budget_codes)
        return known_digest == dig and version == self.version and (not stopped_by_budget or known_budget == budget)

    def put(self, source: str, dig: str | None, budget: str, codes: str, outcome: Any) -> None:
        blob = zlib.compress(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
        self._db.execute("INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?, ?, ?)",
                         (_key(source), dig, self.version, budget, codes, blob))
        self._index[source] = (dig, self.version, budget, codes)

    def load(self, source: str) -> Any:
        row = self._db.execute("SELECT outcome FROM outcomes WHERE source = ?", (_key(source),)).fetchone()
        if row is None:
            raise KeyError(source)
        return pickle.loads(zlib.decompress(row[0]))

    def keep_only(self, sources: set[str]) -> None:
        """Forget inputs no longer in the corpus, so the file does not grow forever."""
        stale = [s for s in self._index if s not in sources]
        self._db.executemany("DELETE FROM outcomes WHERE source = ?", [(_key(s),) for s in stale])
        for s in stale:
            del self._index[s]

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def close(self) -> None:
        self._db.close()

"""Resume and incremental runs: what each input gave, keyed by its content and the pipeline version.

A small SQLite file beside the output set. Every outcome is committed as it arrives (WAL mode,
so a commit costs microseconds), so a run killed at any point resumes where it stopped; an input
is redone only when its bytes, the pipeline (code and data files) or, for a page stopped by its
budget, the budget changed. Outcomes are stored pickled: the file is written and read only by
stretchpipe, in the user's own output folder, and is trusted like the code itself.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import pickle
import sqlite3
import stat
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__, errors

log = logging.getLogger("stretchpipe")
COLUMNS = ("source", "digest", "version", "budget", "codes", "outcome")  # the outcomes table, in order

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
CREATE TABLE IF NOT EXISTS summaries (  -- what the manifest, the counts and the set's fingerprint need of an
    source BLOB PRIMARY KEY,               -- outcome, without its articles: all a no-op re-run reads
    summary BLOB NOT NULL                  -- pickle of the runner's summary of the outcome
);
CREATE TABLE IF NOT EXISTS files (  -- git's rule: a file whose stat is as recorded is not read again
    source BLOB PRIMARY KEY,
    stat TEXT NOT NULL        -- "size mtime_ns ctime_ns inode", recorded only when both times precede the run's start
);
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


def make_state_folder(path: Path) -> None:
    """Create the hidden state folder (lock, state.sqlite, staging) without following a symbolic link
    planted where it goes: through one, the lock and the state would land in the link's target, and
    `staging-*` folders there would be deleted. New, it is private (0700); existing, it must be a
    real folder owned by this user, and loses any write permission for group and others.
    Raises OSError (with a message) when it cannot be used."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(path, 0o700)  # mkdir never follows a link at its last component: EEXIST
    except FileExistsError:
        pass
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            kind = "a symbolic link" if os.path.islink(path) else "not a folder"
            raise OSError(exc.errno, f"{path} is {kind}, not stretchpipe's state folder; remove it") from None
        raise
    try:
        st = os.fstat(fd)
        if st.st_uid != os.geteuid():
            raise OSError(errno.EPERM, f"{path} belongs to another user (uid {st.st_uid}); remove it")
        if st.st_mode & 0o022:  # others could plant a lock, a state file or a staging folder in it
            os.fchmod(fd, stat.S_IMODE(st.st_mode) & ~0o022)
    finally:
        os.close(fd)


def _key(source: str) -> bytes:
    """A path as the bytes the file system holds (undecodable bytes survive as surrogates in str)."""
    return source.encode("utf-8", "surrogateescape")


def _path(key: bytes | str) -> str:
    return key.decode("utf-8", "surrogateescape") if isinstance(key, bytes) else key


def _is_full(exc: sqlite3.Error) -> bool:
    """SQLite's "database or disk is full" (or its max_page_count reached), or an I/O error writing."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR) \
        or "disk is full" in str(exc)


class StateStore:
    def __init__(self, path: Path, version: str | None = None):
        self.path = Path(path)
        self.version = version or pipeline_version()
        self.rebuilt: str | None = None  # why the state file found here was not used, if it was not
        try:
            self._open()
        except sqlite3.Error as exc:
            if _is_full(exc):
                self._no_space(exc)
            self.rebuilt = str(exc) or type(exc).__name__
            log.warning("stretchpipe: the resume state %s could not be used (%s); it is rebuilt, and every input "
                        "is processed again", self.path, self.rebuilt)
            self._remove()
            try:
                self._open()
            except sqlite3.Error as again:
                if _is_full(again):
                    self._no_space(again)
                self._unwritable(again)

    def _open(self) -> None:
        self._db: sqlite3.Connection | None = None
        self._db = sqlite3.connect(self.path, isolation_level=None)  # autocommit: each outcome is durable at once
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            columns = tuple(row[1] for row in self._db.execute("PRAGMA table_info(outcomes)"))
            if columns != COLUMNS:
                raise sqlite3.DatabaseError(f"it is not stretchpipe's resume state (its outcomes table has "
                                            f"columns {', '.join(columns)})")
            check = self._db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"it is damaged ({check})")
            self._index: dict[str, tuple[str | None, str, str, str | None]] = {
                _path(source): (dig, version, budget, code)
                for source, dig, version, budget, code in self._db.execute(
                    "SELECT source, digest, version, budget, codes FROM outcomes")}
            self._stats: dict[str, str] = {_path(source): stat for source, stat in self._db.execute(
                "SELECT source, stat FROM files")}
        except BaseException:
            self._db.close()
            raise

    def _remove(self) -> None:
        """The state file and its journal gone (a cache: the next run rebuilds it)."""
        if self._db is not None:
            self._db.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError:
                pass  # not a file (a folder in its place): opening it again says what is wrong

    def _out(self) -> str:
        """The output folder this state belongs to (the state folder is `.NAME.stretchpipe` beside it)."""
        home = self.path.parent
        name = home.name.removeprefix(".").removesuffix(".stretchpipe")
        return str(home.parent / name) if home.name.endswith(".stretchpipe") else str(home)

    def _no_space(self, exc: sqlite3.Error):
        self._remove()
        raise errors.output_error(errors.WRITE_FAILED, path=self._out(),
                                  detail=f"no space left for the resume state: {exc}; it was removed, "
                                         "and the next run rebuilds it") from None

    def _unwritable(self, exc: sqlite3.Error):
        raise errors.output_error(errors.OUT_UNWRITABLE, path=str(self.path),
                                  detail=f"the resume state cannot be created: {exc}") from None

    def _write(self, sql: str, rows: list[tuple]) -> None:
        try:
            self._db.executemany(sql, rows)
        except sqlite3.Error as exc:
            if _is_full(exc):
                self._no_space(exc)
            raise

    def is_current(self, source: str, dig: str | None, budget: str, budget_codes: frozenset[str]) -> bool:
        known = self._index.get(source)
        if dig is None or known is None:
            return False
        known_digest, version, known_budget, codes = known
        stopped_by_budget = bool(set((codes or "").split(",")) & budget_codes)
        return known_digest == dig and version == self.version and (not stopped_by_budget or known_budget == budget)

    def knows(self, source: str) -> bool:
        return source in self._index

    def stat_digest(self, source: str, stat: str | None) -> str | None:
        """The recorded digest of a file whose stat is as recorded (then its bytes are trusted
        unchanged, as git trusts its index), else None: hash it."""
        if stat is None or self._stats.get(source) != stat:
            return None
        known = self._index.get(source)
        return known[0] if known else None

    def put_stat(self, source: str, stat: str | None) -> None:
        """Record a file's stat (None: forget it, so the next run hashes the file)."""
        if stat is None:
            if self._stats.pop(source, None) is not None:
                self._write("DELETE FROM files WHERE source = ?", [(_key(source),)])
        elif self._stats.get(source) != stat:
            self._write("INSERT OR REPLACE INTO files VALUES (?, ?)", [(_key(source), stat)])
            self._stats[source] = stat

    def put(self, source: str, dig: str | None, budget: str, codes: str, outcome: Any, summary: Any = None) -> None:
        """Keep an input's outcome and, when given, its summary (`summaries()` reads them all at once)."""
        blob = zlib.compress(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
        self._write("INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?, ?, ?)",
                    [(_key(source), dig, self.version, budget, codes, blob)])
        if summary is None:
            self._write("DELETE FROM summaries WHERE source = ?", [(_key(source),)])
        else:
            self._write("INSERT OR REPLACE INTO summaries VALUES (?, ?)",
                        [(_key(source), pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL))])
        self._index[source] = (dig, self.version, budget, codes)

    def summaries(self) -> dict[str, Any]:
        """Every input's summary as `put` kept it, in one read (an input put without one is absent)."""
        return {_path(source): pickle.loads(blob)
                for source, blob in self._db.execute("SELECT source, summary FROM summaries")}

    def load(self, source: str) -> Any:
        row = self._db.execute("SELECT outcome FROM outcomes WHERE source = ?", (_key(source),)).fetchone()
        if row is None:
            raise KeyError(source)
        return pickle.loads(zlib.decompress(row[0]))

    def keep_only(self, sources: set[str]) -> None:
        """Forget inputs no longer in the corpus, so the file does not grow forever."""
        stale = [s for s in self._index if s not in sources]
        self._write("DELETE FROM outcomes WHERE source = ?", [(_key(s),) for s in stale])
        self._write("DELETE FROM summaries WHERE source = ?", [(_key(s),) for s in stale])
        for s in stale:
            del self._index[s]
        gone = [s for s in self._stats if s not in sources]
        self._write("DELETE FROM files WHERE source = ?", [(_key(s),) for s in gone])
        for s in gone:
            del self._stats[s]

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._write("INSERT OR REPLACE INTO meta VALUES (?, ?)", [(key, value)])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

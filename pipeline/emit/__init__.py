"""Stage 5, emit: the output tables in JSON, JSON Lines, CSV and Parquet, a Frictionless Data
Package describing them, JSON Schemas, and the manifest; written atomically and deterministically.

Same input, byte-identical output: no timestamps, stable key and row order, "\n" line ends.
Each format is one small writer (`formats.py`); what the tables are is `tables.py`; the file
set is decided here.
"""
from __future__ import annotations

import io
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from .. import errors
from ..outputs import umask
from ..records import Article, ManifestEntry
from .tables import TABLE_BY_NAME, TABLES, table_rows

FORMATS = ("json", "jsonl", "csv", "parquet")
# what most readers open: the JSON arrays, the CSV (with datapackage.json) and the typed Parquet;
# JSON Lines on request (`--format`). stretches.json is written whatever the formats chosen.
DEFAULT_FORMATS = ("json", "csv", "parquet")
ALWAYS = {"stretches": ("json",)}


def target_kind(path: str | os.PathLike) -> str | None:
    """What a write to `path` would hit: "new" (nothing there yet), "file" (a regular file, through
    any symbolic links), "stream" (a FIFO or a character device such as /dev/null or a terminal:
    written to in place, never replaced) or None for what is never written (a folder, a socket, a
    block device). Atomic replacement by rename is only for "new" and "file": renaming over a device
    node would turn /dev/null into a regular file."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "new"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return "stream"
    return None


def refuse_target(path: str | os.PathLike) -> errors.OutputError:
    from ..acquire.files import display_name, kind_of
    try:
        kind = kind_of(os.stat(path).st_mode)
    except OSError as exc:
        kind = exc.strerror or str(exc)
    return errors.OutputError(f"cannot write to {display_name(os.fspath(path))}: it is a {kind}, not a file; "
                              "give a file name", code=errors.OUT_UNWRITABLE)


@contextmanager
def open_output(path: str) -> Iterator:
    """A text file to write a command's output to (`-o`): a regular file or new path replaced
    atomically on success (through a symbolic link, the file it points to); a FIFO or character
    device written as a stream; anything else refused (OutputError)."""
    kind = target_kind(path)
    if kind == "stream":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            yield fh
        return
    if kind is None:
        raise refuse_target(path)
    target = Path(os.path.realpath(path)) if kind == "file" else Path(path)
    staged = _StagedFile(target)
    if kind == "file":  # a replaced file keeps its mode
        os.fchmod(staged.fh.fileno(), stat.S_IMODE(os.stat(target).st_mode))
    fh = io.TextIOWrapper(staged.fh, encoding="utf-8", newline="")
    try:
        yield fh
        fh.detach()  # flushes; the staged file closes itself
        staged.commit()
    except BaseException:
        with suppress(Exception):
            fh.detach()
        staged.discard()
        raise


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write to a temp file in the same folder, then rename over the target (never half-written).
    A target that is not a regular file is refused, never replaced (see `target_kind`)."""
    if target_kind(path) not in ("new", "file"):
        raise refuse_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~umask())  # mkstemp makes 0600; the file's mode comes from the umask
        if isinstance(data, str):
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(data)
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


class _StagedFile:
    """A file written under a temporary name in its folder and renamed into place on success
    (never half-written), with its mode from the umask."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, 0o666 & ~umask())  # mkstemp makes 0600
        self.fh = os.fdopen(fd, "wb")

    def commit(self) -> None:
        self.fh.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        try:
            self.fh.close()  # may fail again flushing what a full disk refused: the file goes anyway
        except OSError:
            pass
        Path(self.tmp).unlink(missing_ok=True)


class TableSet:
    """Every chosen format of some tables, open at once and fed row by row."""

    def __init__(self, out_dir: Path, names: Iterable[str], formats: tuple[str, ...]):
        from .formats import WRITERS
        self.files: list[_StagedFile] = []
        self.writers: dict[str, list] = {}
        try:
            for name in names:
                table = TABLE_BY_NAME[name]
                for fmt in dict.fromkeys((*formats, *ALWAYS.get(name, ()))):
                    staged = _StagedFile(Path(out_dir) / f"{name}.{fmt}")
                    self.files.append(staged)
                    self.writers.setdefault(name, []).append(WRITERS[fmt](staged.fh, table.record))
        except BaseException:
            self.discard()
            raise

    def write(self, name: str, row: dict) -> None:
        for writer in self.writers[name]:
            writer.write(row)

    def commit(self) -> list[Path]:
        for writers in self.writers.values():
            for writer in writers:
                writer.close()
        for staged in self.files:
            staged.commit()
        return [f.path for f in self.files]

    def discard(self) -> None:
        for staged in self.files:
            staged.discard()


def write_outputs(out_dir: Path, articles: Iterable[Article], manifest: list[ManifestEntry],
                  stats: dict[str, Any], formats: tuple[str, ...] = DEFAULT_FORMATS,
                  dataset: list | None = None, duplicates: list | None = None) -> list[Path]:
    """Every table in every chosen format, the JSON Schemas, `datapackage.json` (with CSV) and
    `manifest.json`. `articles` is read once, one article at a time (it may stream from disk).
    Returns the paths written, in writing order."""
    out_dir = Path(out_dir)
    sources: list[dict] = []

    def noting_sources(rows):
        for name, row in rows:
            if name == "articles":
                sources.append(_package_source(row))
            yield name, row

    written = _write_rows(out_dir, [t.name for t in TABLES],
                          noting_sources(table_rows(articles, dataset or [], duplicates or [])), formats)
    written += write_support(out_dir, formats, sources)
    path = out_dir / "manifest.json"
    atomic_write(path, to_json({"inputs": [m.to_dict() for m in manifest], "stats": stats}))
    return [*written, path]


def write_tables(out_dir: Path, rows: dict[str, list[dict]], formats: tuple[str, ...]) -> list[Path]:
    """The given tables in every chosen format, plus the JSON Schemas and (with CSV) datapackage.json."""
    out_dir = Path(out_dir)
    stream = ((name, row) for name, table in rows.items() for row in table)
    written = _write_rows(out_dir, [t.name for t in TABLES if t.name in rows], stream, formats)
    return written + write_support(out_dir, formats)


def _write_rows(out_dir: Path, names: list[str], rows: Iterable[tuple[str, dict]],
                formats: tuple[str, ...]) -> list[Path]:
    """The named tables in every format, fed from one stream of (table name, row)."""
    tables = TableSet(out_dir, names, formats)
    try:
        for name, row in rows:
            tables.write(name, row)
        return tables.commit()
    except BaseException:
        tables.discard()
        raise


def _package_source(article: dict) -> dict:
    """An article as a Data Package source: its title, and its URL, else its path."""
    source = article.get("source") or {}
    where = source.get("url") or source.get("path") or article.get("id")
    return {"title": article.get("title") or source.get("title") or where, "path": where}


def _sources_in(out_dir: Path) -> list[dict]:
    """The package sources of a folder's articles table (`stretchpipe curate` leaves it as it is)."""
    path = out_dir / "articles.json"
    if not path.is_file():
        return []
    return [_package_source(a) for a in json.loads(path.read_text(encoding="utf-8"))]


def write_support(out_dir: Path, formats: tuple[str, ...], sources: list[dict] | None = None) -> list[Path]:
    """The JSON Schemas of every table and, with CSV, the Frictionless `datapackage.json`."""
    from .datapackage import datapackage, json_schemas

    written: list[Path] = []
    for name, schema in json_schemas().items():
        atomic_write(out_dir / name, to_json(schema))
        written.append(out_dir / name)
    if "csv" in formats:
        atomic_write(out_dir / "datapackage.json",
                     to_json(datapackage(sources if sources is not None else _sources_in(out_dir))))
        written.append(out_dir / "datapackage.json")
    return written

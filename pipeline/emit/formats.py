"""One writer per format. A writer is opened on a binary file, takes the rows one at a time (plain
data from `schema.to_data`), and is closed when the table ends: a table is never held whole in
memory, however many articles a run has. The record class that defines the rows gives the CSV
columns and the Parquet schema.

The bytes depend only on the rows: a JSON array written row by row is byte for byte what
`json.dumps(rows, indent=2)` gives; Parquet row groups hold a fixed number of rows.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import BinaryIO

from ..cache import cache_folder, write_cached
from ..schema import arrow_description, arrow_schema, arrow_table, columns_of, csv_row


class Writer:
    def __init__(self, fh: BinaryIO, record: type):
        self.fh, self.record = fh, record

    def write(self, row: dict) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the table (the file itself is the caller's to close)."""


class _TextWriter(Writer):
    def __init__(self, fh: BinaryIO, record: type):
        super().__init__(fh, record)
        self.text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=True)

    def close(self) -> None:
        self.text.flush()
        self.text.detach()  # leave the binary file open for the caller


class JsonWriter(_TextWriter):
    """A JSON array, two-space indent, one row after another."""

    def __init__(self, fh: BinaryIO, record: type):
        super().__init__(fh, record)
        self.rows = 0

    def write(self, row: dict) -> None:
        item = json.dumps(row, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        self.text.write(("[\n  " if not self.rows else ",\n  ") + item)
        self.rows += 1

    def close(self) -> None:
        self.text.write("\n]\n" if self.rows else "[]\n")
        super().close()


class JsonLinesWriter(_TextWriter):
    def write(self, row: dict) -> None:
        self.text.write(json.dumps(row, ensure_ascii=False) + "\n")


class CsvWriter(_TextWriter):
    """Flat columns (nested records spread into `parent_child`), list cells as JSON arrays, null as
    an empty cell, formula-like strings escaped with a leading apostrophe."""

    def __init__(self, fh: BinaryIO, record: type):
        super().__init__(fh, record)
        self.csv = csv.writer(self.text, lineterminator="\n")
        self.csv.writerow([c.name for c in columns_of(record)])

    def write(self, row: dict) -> None:
        self.csv.writerow(csv_row(row, self.record))


class ParquetWriter(Writer):
    """Real list and struct columns, typed by the record's schema (no pandas metadata, so the bytes
    depend only on the rows), zstd, in row groups of ROW_GROUP rows. pyarrow (and numpy with it,
    about a quarter of a second) is imported at the first row: a table without rows is the same
    file every time, kept once made (`empty_parquet`)."""

    ROW_GROUP = 10_000

    def __init__(self, fh: BinaryIO, record: type):
        super().__init__(fh, record)
        self.parquet = None
        self.buffer: list[dict] = []

    def write(self, row: dict) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= self.ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.parquet is None:
            self.parquet = _parquet_writer(self.fh, self.record)
        self.parquet.write_table(arrow_table(self.buffer, self.record))
        self.buffer = []

    def close(self) -> None:
        if self.buffer:
            self._flush()
        if self.parquet is None:
            self.fh.write(empty_parquet(self.record))
        else:
            self.parquet.close()


def _parquet_writer(fh: BinaryIO, record: type):
    import pyarrow.parquet as pq
    return pq.ParquetWriter(fh, arrow_schema(record), compression="zstd")


def empty_parquet(record: type) -> bytes:
    """The Parquet file of a table without rows, byte for byte what pyarrow writes for it. Its bytes
    depend on the schema and pyarrow's version only, so it is kept in the user's cache folder
    ($XDG_CACHE_HOME/stretchpipe, else ~/.cache/stretchpipe) under a key of the two, and a later
    run (a one-page run of a page without exercises writes nothing else in Parquet) does not
    import pyarrow for it. Without a usable cache folder it is made each time."""
    path = _empty_parquet_path(record)
    if path is not None:
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        # what a complete Parquet file without row groups is: magic, footer, its length, magic
        if (data[:4] == data[-4:] == b"PAR1" and len(data) >= 12
                and int.from_bytes(data[-8:-4], "little") == len(data) - 12):
            return data
    buf = io.BytesIO()
    _parquet_writer(buf, record).close()
    data = buf.getvalue()
    if path is not None:
        write_cached(path, data)
    return data


def _empty_parquet_path(record: type) -> Path | None:
    """The cache file for a table's empty Parquet file, or None when pyarrow's version is unknown."""
    import hashlib
    import importlib.util
    spec = importlib.util.find_spec("pyarrow")  # found, not imported
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        version = (Path(next(iter(spec.submodule_search_locations))) / "_generated_version.py").read_bytes()
    except OSError:
        return None
    key = hashlib.sha256(version + b"\0zstd\0" + arrow_description(record).encode("utf-8")).hexdigest()[:32]
    return cache_folder() / f"empty-{key}.parquet"


WRITERS: dict[str, type[Writer]] = {"json": JsonWriter, "jsonl": JsonLinesWriter, "csv": CsvWriter,
                                    "parquet": ParquetWriter}


def render(rows, record: type, fmt: str) -> bytes:
    """A whole table in one format, in memory (for small tables and standard output)."""
    buf = io.BytesIO()
    writer = WRITERS[fmt](buf, record)
    for row in rows:
        writer.write(row)
    writer.close()
    return buf.getvalue()

"""Stage 5, emit: the output tables in JSON, JSON Lines, CSV and Parquet, a Frictionless Data
Package describing them, JSON Schemas, and the manifest; written atomically and deterministically.

Same input, byte-identical output: no timestamps, stable key and row order, "\n" line ends.
Each format is one small writer (`formats.py`); what the tables are is `tables.py`; the file
set is decided here.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..outputs import umask
from ..records import Article, ManifestEntry
from .tables import TABLES, Table, table_rows

FORMATS = ("json", "jsonl", "csv", "parquet")
DEFAULT_FORMATS = FORMATS


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write to a temp file in the same folder, then rename over the target (never half-written)."""
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


def render(table: Table, rows: list[dict], fmt: str) -> str | bytes:
    from . import formats
    return formats.WRITERS[fmt](rows, table.record)


def write_outputs(out_dir: Path, articles: list[Article], manifest: list[ManifestEntry],
                  stats: dict[str, Any], formats: tuple[str, ...] = DEFAULT_FORMATS,
                  dataset: list | None = None, duplicates: list | None = None) -> list[Path]:
    """Every table in every chosen format, the JSON Schemas, `datapackage.json` (with CSV) and
    `manifest.json`. Returns the paths written, in writing order."""
    rows = table_rows(articles, dataset or [], duplicates or [])
    written = write_tables(Path(out_dir), rows, formats)
    path = Path(out_dir) / "manifest.json"
    atomic_write(path, to_json({"inputs": [m.to_dict() for m in manifest], "stats": stats}))
    return [*written, path]


def write_tables(out_dir: Path, rows: dict[str, list[dict]], formats: tuple[str, ...]) -> list[Path]:
    """The given tables in every chosen format, plus the JSON Schemas and (with CSV) datapackage.json."""
    from .datapackage import datapackage, json_schemas

    written: list[Path] = []

    def put(name: str, data: str | bytes) -> None:
        path = out_dir / name
        atomic_write(path, data)
        written.append(path)

    for table in TABLES:
        if table.name in rows:
            for fmt in formats:
                put(f"{table.name}.{fmt}", render(table, rows[table.name], fmt))
    for name, schema in json_schemas().items():
        put(name, to_json(schema))
    if "csv" in formats:
        put("datapackage.json", to_json(datapackage()))
    return written

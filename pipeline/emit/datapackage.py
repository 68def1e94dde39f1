"""`datapackage.json` (Frictionless Data Package: one CSV resource per table, each with its Table
Schema, primary and foreign keys) and the JSON Schema of each table's records."""
from __future__ import annotations

import datetime
import os

from .. import __version__
from ..schema import json_schema, table_schema
from .tables import TABLES

# The records quote their articles (names, steps, benefits): each article's own terms apply, which
# a publisher who holds other terms replaces here (an Open Definition id, or a path to the terms).
DATA_LICENSE = {"name": "other-closed", "title": "Extracts of the source articles listed in `sources` (each record's "
                "url or path names its article): the articles' own terms apply"}

CSV_NOTE = ("List cells hold JSON arrays ([] is an empty list, an empty cell is null); nested records are "
            "spread into parent_child columns; text cells that a spreadsheet would run as a formula "
            "(starting with = + - @) carry a leading apostrophe. The same tables are written as .json and "
            ".parquet (real list and struct columns, integer counts, dates) beside the CSV, and as .jsonl on request.")


def created() -> str:
    """When the package was made: SOURCE_DATE_EPOCH when set (reproducible builds), else today (UTC,
    at midnight, so that runs of one day over the same inputs stay byte-identical)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    when = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch.isdigit() else \
        datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def datapackage(sources: list[dict] | None = None) -> dict:
    """`sources`: [{title, path}] of the articles the tables come from (their URL, else their path)."""
    return {
        "profile": "tabular-data-package",
        "name": "stretchpipe-output",
        "title": "Stretches extracted from fitness articles",
        "description": CSV_NOTE,
        "version": __version__,
        "created": created(),
        "licenses": [DATA_LICENSE],
        "sources": sources or [],
        "resources": [
            {
                "name": table.name,
                "path": f"{table.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": table.description,
                "schema": table_schema(table.record, table.primary_key, table.foreign_keys),
            }
            for table in TABLES
        ],
    }


def json_schemas() -> dict[str, dict]:
    """`<table>.schema.json`: the JSON Schema of one element of `<table>.json` / line of `.jsonl`."""
    return {f"{t.name}.schema.json": json_schema(t.record, t.name) for t in TABLES}

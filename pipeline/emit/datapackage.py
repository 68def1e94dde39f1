"""`datapackage.json` (Frictionless Data Package: one CSV resource per table, each with its Table
Schema, primary and foreign keys) and the JSON Schema of each table's records."""
from __future__ import annotations

from .. import __version__
from ..schema import json_schema, table_schema
from .tables import TABLES

CSV_NOTE = ("List cells hold JSON arrays ([] is an empty list, an empty cell is null); nested records are "
            "spread into parent_child columns; text cells that a spreadsheet would run as a formula "
            "(starting with = + - @) carry a leading apostrophe. The same tables are written as .json, "
            ".jsonl and .parquet (real list and struct columns) beside the CSV.")


def datapackage() -> dict:
    return {
        "profile": "tabular-data-package",
        "name": "stretchpipe-output",
        "title": "Stretches extracted from fitness articles",
        "description": CSV_NOTE,
        "version": __version__,
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

"""One writer per format. Each takes the rows (plain data from `schema.to_data`) and the record
class that defines them, and returns the file's content; writing it is the caller's job."""
from __future__ import annotations

import csv
import io
import json

from ..schema import arrow_schema, columns_of, csv_row


def write_json(rows: list[dict], record: type) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def write_jsonl(rows: list[dict], record: type) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def write_csv(rows: list[dict], record: type) -> str:
    """Flat columns (nested records spread into `parent_child`), list cells as JSON arrays, null as
    an empty cell, formula-like strings escaped with a leading apostrophe."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.name for c in columns_of(record)])
    writer.writerows(csv_row(row, record) for row in rows)
    return buf.getvalue()


def write_parquet(rows: list[dict], record: type) -> bytes:
    """Real list and struct columns, typed by the record's schema (no pandas metadata, so the bytes
    depend only on the rows)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(rows, schema=arrow_schema(record))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


WRITERS = {"json": write_json, "jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}

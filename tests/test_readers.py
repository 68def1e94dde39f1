"""The outputs read with the types they were written with, in pandas, pyarrow, polars and DuckDB,
as docs/output.md shows: counts are integers, spans {start, end}, dates date32, and the JSON Lines
read with the shipped schemas even where a field is null in the first rows."""
import datetime
import json

import pytest
from click.testing import CliRunner
from conftest import REPO

import pipeline
from pipeline.cli import main

TABLES = ("stretches", "articles", "flags", "dataset", "duplicates")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("readers") / "out"
    result = CliRunner().invoke(main, ["run", str(REPO / "raw"), str(REPO / "tests" / "devcorpus"), "--out",
                                       str(folder), "--format", "json,jsonl,csv,parquet"])
    assert result.exit_code == 0, result.output
    return folder


def _rows(out, name):
    return [json.loads(line) for line in (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]


def test_parquet_has_integer_counts_struct_spans_and_dates(out):
    import pyarrow as pa
    import pyarrow.parquet as pq
    stretches = pq.read_schema(out / "stretches.parquet")
    assert stretches.field("repetitions").type.field("min").type == pa.int64()
    assert stretches.field("breaths").type.field("max").type == pa.int64()
    span = stretches.field("source").type.field("span").type
    assert pa.types.is_struct(span) and [f.name for f in span] == ["start", "end"]
    assert stretches.field("source").type.field("date").type == pa.date32()
    articles = pq.read_table(out / "articles.parquet")
    assert articles.schema.field("metadata").type.field("published").type == pa.date32()
    dated = [(a["source"]["date"], json_a["source"]["date"]) for a, json_a in zip(articles.to_pylist(),
                                                                                 _rows(out, "articles"))]
    assert all(d is None and j is None or d == datetime.date.fromisoformat(j) for d, j in dated)
    dataset = pq.read_schema(out / "dataset.parquet")
    assert dataset.field("source_count").type == pa.int64()


def test_json_lines_keep_one_type_per_key(out):
    for name in TABLES:
        types: dict[str, set] = {}
        for row in _rows(out, name):
            for key, value in row.items():
                if value is not None:
                    types.setdefault(key, set()).add(type(value).__name__)
        mixed = {k: v for k, v in types.items() if len(v) > 1}
        assert not mixed, (name, mixed)


@pytest.mark.parametrize("name", TABLES)
def test_polars_reads_json_lines_with_the_shipped_schema(out, name):
    pl = pytest.importorskip("polars")
    frame = pl.read_ndjson(out / f"{name}.jsonl", schema=pipeline.polars_schema(name))
    assert frame.height == len(_rows(out, name))
    assert frame.equals(pl.read_parquet(out / f"{name}.parquet"))


@pytest.mark.parametrize("name", TABLES)
def test_duckdb_reads_json_lines_with_the_shipped_columns(out, name):
    duckdb = pytest.importorskip("duckdb")
    columns = pipeline.duckdb_columns(name)
    query = f"SELECT * FROM read_json('{out / f'{name}.jsonl'}', format='newline_delimited', columns={columns})"
    from_json = duckdb.sql(query).fetchall()
    from_parquet = duckdb.sql(f"SELECT * FROM '{out / f'{name}.parquet'}'").fetchall()
    assert from_json == from_parquet


def test_pandas_reads_parquet_and_csv(out):
    import pandas as pd
    stretches = pd.read_parquet(out / "stretches.parquet", dtype_backend="pyarrow")
    csv = pd.read_csv(out / "stretches.csv")
    assert len(stretches) == len(csv) == len(_rows(out, "stretches"))
    assert "min: int64" in str(stretches["repetitions"].dtype)
    assert csv["repetitions_min"].dropna().map(float.is_integer).all()

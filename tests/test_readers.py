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


AIS = """# Active Isolated Stretching for Runners

Active isolated stretching holds each stretch only briefly, then releases and repeats.

## Hamstring Stretch

Lie on your back with one leg bent. Loop a rope around the other foot and lift the straight leg with your thigh
muscles, using the rope for a gentle assist at the end. Hold for 1.5 to 2 seconds, then lower the leg. Repeat 10
times on each leg.

## Calf Stretch

Sit with both legs straight. Loop the rope around the ball of one foot and pull your toes toward your shin. Hold
for 2.5 seconds, then relax. Repeat 10 times on each side.

## Quad Stretch

Lie on your side and bend your top knee, bringing your heel toward your buttocks. Hold for 30 seconds, then switch
sides.
"""


def test_hold_seconds_are_doubles_in_every_reader_since_a_hold_may_be_fractional(tmp_path):
    """Active isolated stretching holds 1.5 to 2 seconds: seconds are not counts. Whole and
    fractional holds read back as the same numbers, typed double, in every reader and schema."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    (tmp_path / "ais.md").write_text(AIS, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(tmp_path / "ais.md"), "--out", str(out),
                                       "--format", "json,jsonl,csv,parquet"])
    assert result.exit_code == 0, result.output
    holds = {r["name"]: (r["hold"]["min_seconds"], r["hold"]["max_seconds"]) for r in _rows(out, "stretches")}
    assert holds == {"Hamstring Stretch": (1.5, 2), "Calf Stretch": (2.5, 2.5), "Quad Stretch": (30, 30)}
    package = json.loads((out / "datapackage.json").read_text())
    for name in ("stretches", "dataset"):
        table = pq.read_table(out / f"{name}.parquet")
        hold_type = table.schema.field("hold").type
        assert hold_type.field("min_seconds").type == hold_type.field("max_seconds").type == pa.float64()
        parquet_holds = sorted((h["min_seconds"], h["max_seconds"]) for h in table.column("hold").to_pylist())
        assert parquet_holds == sorted(holds.values())
        fields = {f["name"]: f for r in package["resources"] if r["name"] == name for f in r["schema"]["fields"]}
        assert fields["hold_min_seconds"]["type"] == fields["hold_max_seconds"]["type"] == "number"
        schema = json.loads((out / f"{name}.schema.json").read_text())
        hold_def = schema["$defs"][schema["properties"]["hold"]["anyOf"][0]["$ref"].rsplit("/", 1)[1]]
        assert hold_def["properties"]["min_seconds"]["type"] == hold_def["properties"]["max_seconds"]["type"] \
            == ["number", "null"]
        assert pipeline.duckdb_columns(name)["hold"].startswith('STRUCT("min_seconds" DOUBLE, "max_seconds" DOUBLE')
        frame = pd.read_parquet(out / f"{name}.parquet", dtype_backend="pyarrow")
        assert "min_seconds: double" in str(frame["hold"].dtype)
    pl = pytest.importorskip("polars")
    frame = pl.read_ndjson(out / "stretches.jsonl", schema=pipeline.polars_schema("stretches"))
    assert frame.schema["hold"].to_schema()["min_seconds"] == pl.Float64
    assert sorted(frame["hold"].struct.field("min_seconds").to_list()) == [1.5, 2.5, 30.0]
    duckdb = pytest.importorskip("duckdb")
    got = duckdb.sql(f"SELECT hold.min_seconds FROM read_json('{out / 'stretches.jsonl'}', "
                     f"format='newline_delimited', columns={pipeline.duckdb_columns('stretches')}) "
                     f"ORDER BY 1").fetchall()
    assert got == [(1.5,), (2.5,), (30.0,)]

"""The output tables load with pandas and pyarrow to the same values in every format; the Data
Package validates with frictionless; every row validates against its table's JSON Schema."""
import datetime
import json
import math
import shutil

import jsonschema
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import DATA, REPO

from pipeline.emit.tables import TABLES
from pipeline.schema import columns_of, csv_row, escape_cell, unescape_cell

TABLE_NAMES = [t.name for t in TABLES]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    from pipeline.api import process, write
    root = tmp_path_factory.mktemp("formats")
    pages = root / "pages"
    pages.mkdir()
    for page in ["cards-full-body.html", "neck-shoulders-dump.txt", "hugo-post-cyclists.md"]:
        shutil.copy(DATA / page, pages)
    shutil.copytree(DATA / "duplicates", pages / "duplicates")
    (pages / "formula.txt").write_text(
        "Stretches With Awkward Names\n\n1. =SUM(A1) Hamstring Stretch\n\nSit on the floor with one leg straight and "
        "reach toward your toes. Hold for 30 seconds, then switch legs.\n\n2. @Desk Chest Stretch\n\nStand in a "
        "doorway and press your forearms into the frame. Hold for 20 seconds.\n", encoding="utf-8")
    outcome = process([str(REPO / "raw"), str(pages)])
    write(outcome, root / "out", formats=("json", "jsonl", "csv", "parquet"))  # every format, to compare them
    return root / "out"


def _normal(value):
    """Numbers compare as numbers (30 and 30.0 are one value); NaN is null."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, datetime.date):  # Parquet's date32; JSON writes the ISO date
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    if hasattr(value, "tolist"):
        return _normal(value.tolist())
    if isinstance(value, float):
        return None if math.isnan(value) else (int(value) if value.is_integer() else value)
    return value


def _json_rows(out, name):
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_every_table_has_rows_and_jsonl_matches_json(out, name):
    rows = _json_rows(out, name)
    assert rows, f"{name} is empty on this input: the test would prove nothing"
    lines = (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == rows


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_parquet_read_by_pyarrow_and_pandas_gives_the_json_values(out, name):
    rows = _json_rows(out, name)
    table = pq.read_table(out / f"{name}.parquet")
    assert _normal(table.to_pylist()) == _normal(rows)
    frame = pd.read_parquet(out / f"{name}.parquet")
    assert list(frame.columns) == list(rows[0])
    assert _normal(frame.to_dict("records")) == _normal(rows)


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_jsonl_read_by_pandas_gives_the_json_values(out, name):
    # precise_float: pandas' fast parser reads 0.95 as 0.9500000000000001
    frame = pd.read_json(out / f"{name}.jsonl", lines=True, dtype=False, precise_float=True)
    assert _normal(frame.to_dict("records")) == _normal(_json_rows(out, name))


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_csv_read_by_pandas_gives_the_json_values(out, table):
    frame = pd.read_csv(out / f"{table.name}.csv", dtype=str, keep_default_na=False)
    columns = columns_of(table.record)
    assert list(frame.columns) == [c.name for c in columns]
    for got, row in zip(frame.to_dict("records"), _json_rows(out, table.name), strict=True):
        assert list(got.values()) == csv_row(row, table.record)  # the cells are what the writer makes
        for col in columns:
            want = row
            for key in col.path:
                want = None if want is None else want[key]
            cell = got[col.name]
            if want is None:
                assert cell == "", col.name
            elif isinstance(want, list):
                assert json.loads(cell) == want, col.name  # [] stays [], apart from null
            elif isinstance(want, bool):
                assert cell == ("true" if want else "false")
            elif isinstance(want, str):
                assert unescape_cell(cell) == want, col.name
            else:
                assert float(cell) == want, col.name


def test_empty_list_and_null_stay_apart_in_csv(out):
    frame = pd.read_csv(out / "stretches.csv")
    assert (frame["position_options"] == "[]").any()  # an empty list loads as the text []
    assert frame["frequency"].isna().any()  # a null loads as NaN


def test_formula_cells_are_escaped_in_csv_and_kept_in_other_formats(out):
    text = (out / "stretches.csv").read_text(encoding="utf-8")
    assert "'=SUM(A1) Hamstring Stretch" in text and "'@Desk Chest Stretch" in text
    assert not any(line.startswith(("=", "+", "-", "@")) or ",=" in line or ",@" in line for line in text.splitlines())
    names = {r["name"] for r in _json_rows(out, "stretches")}
    assert {"=SUM(A1) Hamstring Stretch", "@Desk Chest Stretch"} <= names


def test_escape_round_trip():
    for text in ["=1+1", "+44 20", "-3", "@home", "'quoted", "''=x", "plain", "", "'"]:
        assert unescape_cell(escape_cell(text)) == text
        assert not escape_cell(text).startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_every_row_validates_against_its_json_schema(out, name):
    schema = json.loads((out / f"{name}.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for row in _json_rows(out, name):
        errors = list(validator.iter_errors(row))
        assert not errors, f"{name} {row.get('id')}: {errors[0].message} at {list(errors[0].path)}"


def test_frictionless_validates_the_data_package(out):
    from frictionless import Package
    report = Package(str(out / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


def test_frictionless_catches_a_broken_foreign_key(out, tmp_path):
    from frictionless import Package
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    text = (broken / "stretches.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    cells = text[1].split(",")
    cells[header.index("article_id")] = "000000000000"
    (broken / "stretches.csv").write_text("\n".join([text[0], ",".join(cells), *text[2:]]) + "\n", encoding="utf-8")
    report = Package(str(broken / "datapackage.json")).validate()
    assert not report.valid
    assert "foreign-key" in {e[0] for e in report.flatten(["type"])}


def test_datapackage_keys(out):
    package = json.loads((out / "datapackage.json").read_text())
    schemas = {r["name"]: r["schema"] for r in package["resources"]}
    assert all(s["primaryKey"] == ["id"] for s in schemas.values())
    refs = {(n, tuple(fk["fields"]), fk["reference"]["resource"]) for n, s in schemas.items()
            for fk in s.get("foreignKeys", [])}
    assert ("stretches", ("article_id",), "articles") in refs and ("flags", ("record_id",), "stretches") in refs


def test_docs_name_every_column_written():
    """docs/output.md names the fields written (sqlite-utils style: docs checked against code)."""
    import re
    from pipeline.schema import fields_of
    readme = (REPO / "docs" / "output.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_]+)`", readme))
    for table in TABLES:
        missing = [f.name for f in fields_of(table.record) if f.name not in named]
        assert not missing, f"docs/output.md does not name {table.name} fields {missing}"
    for column in ("hold_min_seconds", "hold_max_seconds", "hold_text", "source_path"):
        assert column in {c.name for c in columns_of(TABLES[0].record)} and f"`{column}`" in readme


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_json_written_row_by_row_is_what_the_standard_library_writes(out, name):
    """The JSON writer streams one row at a time; the file must still be exactly json.dumps of the
    whole array (two-space indent, UTF-8 kept), and an empty table is `[]`."""
    from pipeline.emit.formats import render
    from pipeline.emit.tables import TABLE_BY_NAME

    rows = _json_rows(out, name)
    expected = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    assert (out / f"{name}.json").read_text(encoding="utf-8") == expected
    assert render([], TABLE_BY_NAME[name].record, "json") == b"[]\n"


def test_parquet_in_several_row_groups_reads_back_the_same_rows(out, monkeypatch):
    """A large table is written in row groups (never gathered whole): cut into groups of two rows,
    the stretches table reads back to the same values."""
    import io

    from pipeline.emit.formats import ParquetWriter, render
    from pipeline.emit.tables import TABLE_BY_NAME

    rows = _json_rows(out, "stretches")
    monkeypatch.setattr(ParquetWriter, "ROW_GROUP", 2)
    data = render(rows, TABLE_BY_NAME["stretches"].record, "parquet")
    parquet = pq.ParquetFile(io.BytesIO(data))
    assert parquet.metadata.num_row_groups == math.ceil(len(rows) / 2) > 1
    assert _normal(parquet.read().to_pylist()) == _normal(rows)


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_a_table_without_rows_is_the_file_pyarrow_writes_and_is_kept_in_the_cache(name, tmp_path, monkeypatch):
    """An empty table's Parquet file comes from the user's cache folder once made (a run that writes
    no row never imports pyarrow), byte for byte what pyarrow writes for the schema; a damaged
    cached file is made again."""
    import io

    from pipeline.emit.formats import render
    from pipeline.emit.tables import TABLE_BY_NAME
    from pipeline.schema import arrow_schema

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    record = TABLE_BY_NAME[name].record
    buf = io.BytesIO()
    pq.ParquetWriter(buf, arrow_schema(record), compression="zstd").close()
    made = render([], record, "parquet")
    assert made == buf.getvalue()
    [cached] = (tmp_path / "stretchpipe").iterdir()
    assert cached.read_bytes() == made
    assert render([], record, "parquet") == made
    parquet = pq.ParquetFile(io.BytesIO(made))
    assert parquet.metadata.num_rows == 0 and parquet.schema_arrow == arrow_schema(record)
    cached.write_bytes(made[:-5])  # cut short: no longer a whole Parquet file
    assert render([], record, "parquet") == made
    assert cached.read_bytes() == made


def test_tables_have_different_cache_keys():
    # one key per schema: two tables sharing a cached empty file would write each other's schema
    from pipeline.emit.formats import _empty_parquet_path
    assert len({_empty_parquet_path(t.record) for t in TABLES}) == len(TABLES)

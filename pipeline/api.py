"""The Python API: `pipeline.run(inputs)`, `pipeline.read_dataset(path)` and `pipeline.extract_page(page)`.

Both give a `Dataset`: pandas DataFrames (`stretches`, `articles`, `flags`, `dataset`,
`duplicates`, `manifest`) with Arrow-backed columns, so lists stay lists, records stay dicts and
an integer column with gaps stays integer. The CLI is a thin face over these functions.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import errors

if TYPE_CHECKING:  # pandas is imported inside the functions that need it (fast `--help`)
    import pandas as pd

    from .curate import DatasetRow
    from .curate.dedupe import Duplicate
    from .runner import RunResult

TABLE_NAMES = ("stretches", "articles", "flags", "dataset", "duplicates")


@dataclass
class Processed:
    """Everything one run produced, as records: the executor's result plus dedupe and curation."""

    result: RunResult
    duplicates: list[Duplicate] = field(default_factory=list)
    dataset: list[DatasetRow] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def articles(self):
        return self.result.articles

    @property
    def manifest(self):
        return self.result.manifest


@dataclass
class Dataset:
    """The output tables as DataFrames."""

    stretches: pd.DataFrame
    articles: pd.DataFrame
    flags: pd.DataFrame
    dataset: pd.DataFrame
    duplicates: pd.DataFrame
    manifest: pd.DataFrame

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}={len(getattr(self, n))}" for n in (*TABLE_NAMES, "manifest"))
        return f"Dataset({sizes})"


def process(inputs: Iterable[str | Path], *, stdin: bytes | None = None, dedupe: bool = True, curate: bool = True,
            until: str = "audit", exclude: Iterable[str | Path] = (), options=None) -> Processed:
    """Run the stages, set duplicate articles aside and build the curated dataset, in memory
    (records; nothing is written)."""
    from .curate.dataset import finish
    from .runner import run as run_stages

    inputs = [str(i) for i in inputs]
    result = run_stages(inputs, stdin=stdin, until=until, exclude=[str(e) for e in exclude], options=options)
    outcome = Processed(result)
    if until == "audit":
        finished = finish(result.articles, inputs, manifest=result.manifest, stats=result.stats,
                          dedupe=dedupe, curate=curate)
        result.articles = list(finished.articles)
        outcome.duplicates, outcome.dataset = finished.duplicates, finished.dataset
    return outcome


def write(outcome: Processed, out: str | Path, formats: Iterable[str] | None = None) -> list[Path]:
    """Write an in-memory outcome's files into `out` (no output-set locking or resume: for tests
    and notebooks; `run(..., out=...)` and `stretchpipe run` use the executor's output set)."""
    from .emit import DEFAULT_FORMATS, write_outputs
    outcome.written = write_outputs(Path(out), outcome.result.articles, outcome.result.manifest,
                                    outcome.result.stats_dict(), tuple(formats or DEFAULT_FORMATS),
                                    dataset=outcome.dataset, duplicates=outcome.duplicates)
    return outcome.written


def run(inputs: str | Path | Iterable[str | Path], out: str | Path | None = None, *,
        formats: Iterable[str] | None = None, options=None) -> Dataset:
    """Process files or folders into DataFrames. With `out`, the run goes through the same output
    set as `stretchpipe run --out` (locked, staged, swapped in whole, resumable) and the frames are
    read back from it.

    >>> ds = pipeline.run("raw/")
    >>> ds.dataset[["name", "position", "source_count"]]
    """
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    inputs = [str(i) for i in inputs]
    if out is None:
        return frames(process(inputs, options=options))
    from .emit import DEFAULT_FORMATS
    from .outputs import OutputSet
    from .runner import run_dataset
    output_set = OutputSet(out).open()
    try:
        run_dataset(inputs, output_set, formats=tuple(formats or DEFAULT_FORMATS), options=options)
    finally:
        output_set.close()
    return read_dataset(out)


def frames(outcome: Processed) -> Dataset:
    """The outcome's tables as DataFrames, built through the same Arrow schema as the Parquet files."""
    import pandas as pd

    from .emit.tables import TABLE_BY_NAME, table_lists
    rows = table_lists(outcome.result.articles, outcome.dataset, outcome.duplicates)
    tables = {name: _frame(rows[name], TABLE_BY_NAME[name].record) for name in TABLE_NAMES}
    manifest = pd.DataFrame([m.to_dict() for m in outcome.result.manifest])
    return Dataset(**tables, manifest=manifest)


def _frame(rows: list[dict[str, Any]], record: type) -> pd.DataFrame:
    import pandas as pd

    from .schema import arrow_table
    return arrow_table(rows, record).to_pandas(types_mapper=pd.ArrowDtype)


def read_dataset(path: str | Path) -> Dataset:
    """Load a folder written by `stretchpipe run` (Parquet when present, else JSON Lines or JSON)."""
    import json

    import pandas as pd
    import pyarrow.parquet as pq

    from .emit.tables import TABLE_BY_NAME
    from .schema import arrow_schema, arrow_table
    folder = Path(path)
    if not any((folder / f"stretches.{ext}").is_file() for ext in ("parquet", "jsonl", "json")):
        raise errors.output_error(errors.NOT_A_DATASET, path=str(folder), table="stretches")
    tables = {}
    for name in TABLE_NAMES:
        schema = arrow_schema(TABLE_BY_NAME[name].record)
        if (folder / f"{name}.parquet").exists():
            table = pq.read_table(folder / f"{name}.parquet", schema=schema)
        else:
            table = arrow_table(_read_rows(folder, name) or [], TABLE_BY_NAME[name].record)
        tables[name] = table.to_pandas(types_mapper=pd.ArrowDtype)
    manifest_file = folder / "manifest.json"
    manifest = pd.DataFrame(json.loads(manifest_file.read_text(encoding="utf-8"))["inputs"]
                            if manifest_file.exists() else [])
    return Dataset(**tables, manifest=manifest)


def polars_schema(table: str):
    """The polars schema of a table's rows: `pl.read_ndjson("processed/stretches.jsonl",
    schema=pipeline.polars_schema("stretches"))` (without it polars types a field null in the first
    rows as null and fails further down)."""
    from .emit.tables import TABLE_BY_NAME
    from .schema import polars_schema as schema_of
    return schema_of(TABLE_BY_NAME[table].record)


def duckdb_columns(table: str) -> dict[str, str]:
    """{column: DuckDB type} of a table's rows, for `read_json('processed/stretches.jsonl',
    columns=...)` (the dict's repr is a DuckDB struct literal)."""
    from .emit.tables import TABLE_BY_NAME
    from .schema import duckdb_columns as columns_of
    return columns_of(TABLE_BY_NAME[table].record)


def _read_rows(folder: Path, name: str, record: type | None = None) -> list[dict] | None:
    """A table's rows as plain data, from JSON Lines, JSON or Parquet (None when none is there).
    A file that is not such a table (bad JSON, not a list of objects, not Parquet, or with
    `record`, a row that does not fit it) is OutputError SP506, naming the file and where it breaks."""
    from .schema import data_problem
    for ext in ("jsonl", "json", "parquet"):
        path = folder / f"{name}.{ext}"
        if path.exists():
            try:
                rows = _parse_rows(path, ext)
            except (OSError, ValueError) as exc:  # JSONDecodeError, UnicodeDecodeError, ArrowInvalid
                raise errors.output_error(errors.BAD_DATASET, path=str(path), detail=str(exc)) from None
            for i, row in enumerate(rows):
                problem = data_problem(record, row) if record else None if isinstance(row, dict) else "not an object"
                if problem:
                    raise errors.output_error(errors.BAD_DATASET, path=str(path), detail=f"row {i + 1}: {problem}")
            return rows
    return None


def _parse_rows(path: Path, ext: str) -> list:
    import json
    if ext == "jsonl":
        return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    if ext == "json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(rows, list):
            raise ValueError(f"a JSON {type(rows).__name__}, not a list of rows")
        return rows
    import pyarrow.parquet as pq
    return pq.read_table(path).to_pylist()


def curate_folder(folder: str | Path, out: str | Path, formats: Iterable[str] | None = None):
    """`stretchpipe curate`: rebuild the dataset table from the stretch records of a processed
    folder; the flags table keeps its record and article flags and gets the new dataset flags.

    `out` (the folder itself, or another) is written as one set, like `stretchpipe run` writes it:
    locked, the other tables copied into a staging folder beside the new dataset and flags, then
    swapped in whole."""
    import shutil

    from .curate import curate_records
    from .emit import DEFAULT_FORMATS, FORMATS, write_tables
    from .outputs import OutputSet
    from .records import Flag, Stretch
    from .schema import from_data, to_data

    folder = Path(folder)
    stretches = _read_rows(folder, "stretches", Stretch) if folder.is_dir() else None
    if stretches is None:
        raise errors.output_error(errors.NOT_A_DATASET, path=str(folder), table="stretches")
    flags = [f for f in (_read_rows(folder, "flags") or []) if not f.get("dataset_id")]
    rows = curate_records([from_data(Stretch, r) for r in stretches], flags=[from_data(Flag, f) for f in flags])
    flags += [to_data(f) for row in rows for f in row.flags]
    output_set = OutputSet(out).open()
    try:
        staging = output_set.stage()
        try:
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.name.startswith(("dataset.", "flags.", "datapackage.")):
                    shutil.copy2(path, staging / path.name)  # the tables curation leaves as they are
            # by default the formats the run wrote (its flags table is in every one of them)
            present = tuple(f for f in FORMATS if (folder / f"flags.{f}").is_file()) or DEFAULT_FORMATS
            written = write_tables(staging, {"dataset": [to_data(r) for r in rows], "flags": flags},
                                   tuple(formats or present))
            output_set.commit(staging)
        except OSError as exc:
            output_set.discard(staging)
            raise errors.output_error(errors.WRITE_FAILED, path=str(output_set.out),
                                      detail=exc.strerror or str(exc)) from exc
    finally:
        output_set.close()
    return rows, [output_set.out / p.name for p in written]


def extract_page(page: str | bytes, *, url: str | None = None, format: str | None = None,
                 source: str | None = None) -> list[dict[str, Any]]:
    """The stretch records of one page, as dicts with the fields of `stretches.json` (no file is
    written), for projects that call stretchpipe per document as they call `trafilatura.extract`.

    `page` is the page's text or bytes (HTML, Markdown or a text dump); `format` ("html",
    "markdown", "text") is detected when not given; `url` is the page's address, for provenance.
    A page with no stretch gives an empty list; a page that cannot be read raises
    `pipeline.errors.InputError` with its code.

    >>> records = pipeline.extract_page(html, url="https://example.org/stretches")
    >>> [r["name"] for r in records]
    """
    from .acquire import decode_page
    from .curate.identity import IdAssigner
    from .runner import process_page
    from .schema import to_data

    data = page.encode("utf-8") if isinstance(page, str) else bytes(page)
    if format is not None and format not in ("html", "markdown", "text"):
        raise ValueError(f"format must be 'html', 'markdown' or 'text', not {format!r}")
    name = source or url or "<page>"
    decoded = decode_page(name, data, format_hint=format, url=url)
    _doc, article = process_page(decoded)
    IdAssigner([name]).assign(article)  # the ids `stretchpipe run` gives this page
    return [to_data(record) for record in article.stretches]

"""One definition of each output record, many descriptions of it.

The dataclasses in `pipeline.records` (and `pipeline.curate`) are the only place an output
record's fields are listed. Everything else is generated from them here:

- `to_data(obj)`: the plain JSON-able value (field order = declaration order),
- `json_schema(cls)`: JSON Schema 2020-12, used to validate every emitted record,
- `arrow_schema(cls)`: the pyarrow schema of the Parquet file (real list and struct columns),
  and `arrow_description(cls)` the same written out without importing pyarrow,
- `table_schema(cls)` + `csv_row(data, cls)`: the flat CSV form and its Frictionless Table Schema.

Field metadata (`dataclasses.field(metadata=...)`) adds what type hints cannot say:
`enum` (a vocabulary), `min_length`, `minimum`, `maximum`, `pattern`, `unique` (list items), `doc` (a
description), and `emit=False` for working data that never leaves the process.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime
import functools
import json
import types
import typing
from typing import Any, Literal, Union

# spreadsheet programs run a cell that starts with one of these as a formula (OWASP "CSV injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_ESCAPE = "'"


# -- the type model ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class FieldSpec:
    name: str
    type: Any  # the type hint without None
    nullable: bool
    meta: dict


def _strip_none(hint: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(hint))
        return (args[0] if len(args) == 1 else Union[tuple(args)]), nullable
    return hint, False


@functools.cache
def fields_of(cls: type) -> tuple[FieldSpec, ...]:
    """The emitted fields of a record class, in declaration order."""
    hints = typing.get_type_hints(cls)
    specs = []
    for f in dataclasses.fields(cls):
        if f.metadata.get("emit", True) is False:
            continue
        hint, nullable = _strip_none(hints[f.name])
        specs.append(FieldSpec(f.name, hint, nullable, dict(f.metadata)))
    return tuple(specs)


def _is_record(hint: Any) -> bool:
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def _item(hint: Any) -> Any:
    args = typing.get_args(hint)
    return args[0] if args else str


def _is_list(hint: Any) -> bool:
    return typing.get_origin(hint) in (list, tuple)


# -- values -----------------------------------------------------------------------------------

def to_data(obj: Any) -> Any:
    """A record (or list of them) as plain JSON-able data; whole floats become ints (30.0 -> 30)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {spec.name: to_data(getattr(obj, spec.name)) for spec in fields_of(type(obj))}
    if isinstance(obj, (list, tuple)):
        return [to_data(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_data(v) for k, v in obj.items()}
    if isinstance(obj, float):
        return int(obj) if obj.is_integer() else round(obj, 2)
    return obj


def from_data(cls: type, data: Any) -> Any:
    """The inverse of `to_data`: a record rebuilt from its plain data (fields not emitted keep
    their defaults)."""
    if data is None:
        return None
    if _is_record(cls):
        values = {spec.name: from_data(spec.type, data.get(spec.name)) for spec in fields_of(cls)}
        return cls(**values)
    if _is_list(cls):
        items = [from_data(_item(cls), v) for v in data]
        return tuple(items) if typing.get_origin(cls) is tuple else items
    if cls is int and isinstance(data, float) and data.is_integer():
        return int(data)
    if cls is str and isinstance(data, datetime.date):  # a date read back from Parquet
        return data.isoformat()
    if cls is float and isinstance(data, int):
        return float(data)
    return data


def data_problem(cls: type, data: Any, where: str = "") -> str | None:
    """The first way plain `data` does not fit record `cls` as `from_data` needs it (a value of the
    wrong type; a field missing that is neither nullable nor defaulted), or None. Data read back
    from files (`stretchpipe curate`) is checked with it, so a hand-edited file gives a message,
    not a crash deep in the curator."""
    if not isinstance(data, dict):
        return f"{where or 'record'}: expected an object, got {_json_name(data)}"
    defaulted = {f.name for f in dataclasses.fields(cls)
                 if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING}
    for spec in fields_of(cls):
        path = f"{where}.{spec.name}" if where else spec.name
        if spec.name not in data:
            if spec.nullable or spec.name in defaulted:
                continue
            return f"{path}: missing"
        problem = _value_problem(spec.type, spec.nullable, data[spec.name], path)
        if problem:
            return problem
    return None


def _value_problem(hint: Any, nullable: bool, value: Any, path: str) -> str | None:
    if value is None:
        return None if nullable else f"{path}: null where a value is required"
    if _is_record(hint):
        return data_problem(hint, value, path)
    if _is_list(hint):
        if not isinstance(value, list):
            return f"{path}: expected a list, got {_json_name(value)}"
        return next((p for i, v in enumerate(value) for p in [_value_problem(_item(hint), False, v, f"{path}[{i}]")]
                     if p), None)
    wanted = {str: (str,), int: (int,), float: (int, float), bool: (bool,)}.get(hint)
    if wanted is None:  # literals and unions pass through from_data as they are
        return None
    if isinstance(value, wanted) and (hint is bool or not isinstance(value, bool)):
        return None
    return f"{path}: expected {_JSON_TYPES[hint]}, got {_json_name(value)}"


def _json_name(value: Any) -> str:
    for kind, name in ((bool, "boolean"), (str, "string"), (int, "integer"), (float, "number"), (list, "array"),
                       (dict, "object")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__


# -- JSON Schema ------------------------------------------------------------------------------

_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _json_type(hint: Any, meta: dict, defs: dict) -> dict:
    if _is_record(hint):
        defs.setdefault(hint.__name__, None)
        if defs[hint.__name__] is None:
            defs[hint.__name__] = _object_schema(hint, defs)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    if _is_list(hint):
        args = typing.get_args(hint)
        schema: dict = {"type": "array", "items": _json_type(_item(hint), meta.get("items", {}), defs)}
        if typing.get_origin(hint) is tuple and Ellipsis not in args:
            schema["minItems"] = schema["maxItems"] = len(args)
        if meta.get("unique"):
            schema["uniqueItems"] = True
        return schema
    if typing.get_origin(hint) is Literal:
        return {"enum": list(typing.get_args(hint))}
    schema = {"type": _JSON_TYPES[hint]}
    if "enum" in meta:
        schema = {"enum": list(meta["enum"])}
    if "min_length" in meta:
        schema["minLength"] = meta["min_length"]
    if "minimum" in meta:
        schema["minimum"] = meta["minimum"]
    if "maximum" in meta:
        schema["maximum"] = meta["maximum"]
    if "pattern" in meta:
        schema["pattern"] = meta["pattern"]
    if "format" in meta:
        schema["format"] = meta["format"]
    return schema


def _nullable(schema: dict) -> dict:
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def _object_schema(cls: type, defs: dict) -> dict:
    props = {}
    for spec in fields_of(cls):
        item_meta = {k[5:]: v for k, v in spec.meta.items() if k.startswith("item_")}
        schema = _json_type(spec.type, {**spec.meta, "items": item_meta}, defs)
        if spec.nullable:
            schema = _nullable(schema)
        if "doc" in spec.meta:
            schema = {"description": spec.meta["doc"], **schema}
        props[spec.name] = schema
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    out = {"type": "object", "additionalProperties": False, "required": [s.name for s in fields_of(cls)],
           "properties": props}
    return {"description": " ".join(doc.split()), **out} if doc else out


def json_schema(cls: type, title: str) -> dict:
    """JSON Schema 2020-12 of one record class (nested records go to `$defs`)."""
    defs: dict = {}
    body = _object_schema(cls, defs)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"stretchpipe/{title}.schema.json",
              "title": f"stretchpipe {title} record", **body}
    if defs:
        schema["$defs"] = {k: defs[k] for k in sorted(defs)}
    return schema


# -- Parquet (pyarrow) -------------------------------------------------------------------------

@functools.cache
def arrow_schema(cls: type):
    """The Parquet (Arrow) schema: counts int64, measures double, dates date32, lists and structs real."""
    import pyarrow as pa
    return _arrow_build(cls, pa)


@functools.cache
def arrow_description(cls: type) -> str:
    """`arrow_schema(cls)` written out without pyarrow (the same walk, naming each type instead of
    building it): a key for what depends on the Parquet schema alone, such as a table's empty file."""
    return _arrow_build(cls, _ArrowNames())


class _ArrowNames:
    """Stands in for the pyarrow module in `_arrow_build`: each type is its name."""

    def struct(self, fields: list[str]) -> str:
        return f"struct<{', '.join(fields)}>"

    def list_(self, item: str) -> str:
        return f"list<{item}>"

    def field(self, name: str, kind: str, nullable: bool = True) -> str:
        return f"{name}: {kind}{'' if nullable else ' not null'}"

    def schema(self, fields: list[str]) -> str:
        return "\n".join(fields)

    def __getattr__(self, name: str):  # pa.string(), pa.int64(), pa.date32(), ...
        return lambda: name


def _arrow_build(cls: type, pa):
    def arrow_type(hint: Any, meta: dict):
        if _is_record(hint):
            return pa.struct([pa.field(s.name, arrow_type(s.type, s.meta), nullable=s.nullable)
                              for s in fields_of(hint)])
        if _is_list(hint):
            return pa.list_(arrow_type(_item(hint), {}))
        if typing.get_origin(hint) is Literal:
            return pa.string()
        if hint is str and meta.get("format") == "date":
            return pa.date32()
        return {str: pa.string, int: pa.int64, float: pa.float64, bool: pa.bool_}[hint]()

    return pa.schema([pa.field(s.name, arrow_type(s.type, s.meta), nullable=s.nullable) for s in fields_of(cls)])


@functools.cache
def _date_paths(cls: type) -> tuple[tuple[str, ...], ...]:
    """Where the date fields sit in a record's plain data (not inside lists)."""
    paths: list[tuple[str, ...]] = []

    def walk(c: type, prefix: tuple[str, ...]) -> None:
        for spec in fields_of(c):
            if _is_record(spec.type):
                walk(spec.type, (*prefix, spec.name))
            elif spec.type is str and spec.meta.get("format") == "date":
                paths.append((*prefix, spec.name))

    walk(cls, ())
    return tuple(paths)


def arrow_rows(rows: list[dict], cls: type) -> list[dict]:
    """Plain rows ready for `pa.Table.from_pylist(rows, schema=arrow_schema(cls))`: dates as
    `datetime.date` (a text that is no calendar date becomes null there; JSON and CSV keep it)."""
    paths = _date_paths(cls)
    if not paths:
        return rows
    out = []
    for row in rows:
        row = copy.deepcopy(row)
        for path in paths:
            holder = row
            for key in path[:-1]:
                holder = holder.get(key) if isinstance(holder, dict) else None
            if isinstance(holder, dict) and isinstance(holder.get(path[-1]), str):
                try:
                    holder[path[-1]] = datetime.date.fromisoformat(holder[path[-1]])
                except ValueError:
                    holder[path[-1]] = None
        out.append(row)
    return out


def arrow_table(rows: list[dict], cls: type):
    import pyarrow as pa
    return pa.Table.from_pylist(arrow_rows(rows, cls), schema=arrow_schema(cls))


def polars_schema(cls: type):
    """The polars schema of a table's rows, for `pl.read_ndjson(path, schema=...)` (a field that is
    null in the first rows is otherwise inferred as null-typed)."""
    import polars as pl
    return pl.from_arrow(arrow_schema(cls).empty_table()).schema


def duckdb_columns(cls: type) -> dict[str, str]:
    """{column: DuckDB type} of a table's rows, for DuckDB's `read_json(path, columns=...)`."""
    import pyarrow as pa

    def sql(t) -> str:
        if pa.types.is_struct(t):
            return "STRUCT(" + ", ".join(f'"{f.name}" {sql(f.type)}' for f in t) + ")"
        if pa.types.is_list(t):
            return sql(t.value_type) + "[]"
        return {pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN",
                pa.date32(): "DATE"}[t]

    return {f.name: sql(f.type) for f in arrow_schema(cls)}


# -- CSV and its Frictionless Table Schema ----------------------------------------------------

_TABLE_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    path: tuple[str, ...]  # where the value sits in the nested record
    type: Any
    nullable: bool
    meta: dict


@functools.cache
def columns_of(cls: type) -> tuple[Column, ...]:
    """The flat CSV columns: nested records are spread into `parent_child` columns, lists stay one
    cell holding a JSON array (so `[]` and an empty cell, null, stay apart)."""
    out: list[Column] = []

    def walk(c: type, prefix: tuple[str, ...], nullable: bool) -> None:
        for spec in fields_of(c):
            path = (*prefix, spec.name)
            if _is_record(spec.type):
                walk(spec.type, path, nullable or spec.nullable)
            else:
                out.append(Column("_".join(path), path, spec.type, nullable or spec.nullable, spec.meta))

    walk(cls, (), False)
    return tuple(out)


def table_schema(cls: type, primary_key: str | None = "id", foreign_keys: list[dict] | None = None) -> dict:
    fields = []
    for col in columns_of(cls):
        if _is_list(col.type):
            ftype = "array"
        elif typing.get_origin(col.type) is Literal:
            ftype = "string"
        elif col.type is str and col.meta.get("format") == "date":
            ftype = "date"
        else:
            ftype = _TABLE_TYPES[col.type]
        field: dict = {"name": col.name, "type": ftype}
        if "doc" in col.meta:
            field["description"] = col.meta["doc"]
        constraints: dict = {}
        if not col.nullable:
            constraints["required"] = True
        enum = col.meta.get("enum") or (list(typing.get_args(col.type)) if typing.get_origin(col.type) is Literal
                                         else None)
        if enum and ftype == "string":
            # escaped cells are what the file holds; a vocabulary never starts with a formula character
            constraints["enum"] = list(enum)
        if "minimum" in col.meta and ftype in ("integer", "number"):
            constraints["minimum"] = col.meta["minimum"]
        if "maximum" in col.meta and ftype in ("integer", "number"):
            constraints["maximum"] = col.meta["maximum"]
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    schema: dict = {"fields": fields, "missingValues": [""]}
    if primary_key:
        schema["primaryKey"] = [primary_key]
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def escape_cell(text: str) -> str:
    """A string a spreadsheet would run as a formula gets a leading apostrophe (and so does one that
    already starts with an apostrophe, so that `unescape_cell` gives back exactly what was written)."""
    return FORMULA_ESCAPE + text if text.startswith((*FORMULA_START, FORMULA_ESCAPE)) else text


def unescape_cell(text: str) -> str:
    if text.startswith(FORMULA_ESCAPE) and text[1:].startswith((*FORMULA_START, FORMULA_ESCAPE)):
        return text[1:]
    return text


def csv_row(data: dict, cls: type) -> list[str]:
    """One CSV row (as strings) of a record's plain data."""
    row = []
    for col in columns_of(cls):
        value: Any = data
        for key in col.path:
            value = None if value is None else value.get(key)
        if value is None:
            row.append("")
        elif isinstance(value, list):
            row.append(json.dumps(value, ensure_ascii=False))
        elif isinstance(value, bool):
            row.append("true" if value else "false")
        elif isinstance(value, str):
            row.append(escape_cell(value))
        else:
            row.append(str(value))
    return row

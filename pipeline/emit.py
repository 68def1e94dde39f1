"""Stage 5, emit: JSON and CSV files in the output folder, written atomically and deterministically.

Same input, byte-identical output: no timestamps, stable key and row order, "\n" line ends.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from .audit import all_flags
from .outputs import umask
from .records import Article, Flag, ManifestEntry, Stretch

LIST_SEP = " | "
FORMATS = ("json", "csv")


def atomic_write(path: Path, text: str) -> None:
    """Write to a temp file in the same folder, then rename over the target (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~umask())  # mkstemp makes 0600; the file's mode comes from the umask
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def stretch_row(record: Stretch) -> dict[str, Any]:
    """One flat CSV row; list fields joined with ' | ', ranges split into min/max/text columns."""
    d = record.to_dict()
    row: dict[str, Any] = {
        "source": d["source"]["path"], "title": d["source"]["title"],
        "number": d["number"], "name": d["name"], "name_source": d["name_source"], "canonical_name": d["canonical_name"], "kind": d["kind"],
        "position": d["position"], "position_options": LIST_SEP.join(d["position_options"]),
    }
    for field, lo, hi in (("hold", "min_seconds", "max_seconds"), ("duration", "min_seconds", "max_seconds"),
                          ("breaths", "min", "max"), ("repetitions", "min", "max")):
        value = d[field] or {}
        row[f"{field}_{lo}"] = value.get(lo)
        row[f"{field}_{hi}"] = value.get(hi)
        row[f"{field}_text"] = value.get("text")
    row.update({
        "frequency": d["frequency"], "per_side": d["per_side"],
        "targets": LIST_SEP.join(d["targets"]), "targets_source": d["targets_source"],
        "steps": LIST_SEP.join(d["steps"]), "benefits": LIST_SEP.join(d["benefits"]),
        "span_start": d["source"]["span"][0], "span_end": d["source"]["span"][1],
        "flags": LIST_SEP.join(sorted({f["rule"] for f in d["flags"]})),
    })
    return row


def flag_row(flag: Flag, source: str) -> dict[str, Any]:
    return {"source": source, "stretch": flag.stretch, "rule": flag.rule, "severity": flag.severity,
            "message": flag.message, "evidence": LIST_SEP.join(flag.evidence)}


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    # object dtype from the start: an int column with gaps would otherwise print 20 as "20.0"
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    return frame.to_csv(index=False, lineterminator="\n")


FLAG_COLUMNS = ["source", "stretch", "rule", "severity", "message", "evidence"]


def write_outputs(out_dir: Path, articles: list[Article], manifest: list[ManifestEntry],
                  stats: dict[str, Any], formats: tuple[str, ...] = FORMATS) -> list[Path]:
    out_dir = Path(out_dir)
    stretches = [r for a in articles for r in a.stretches]
    flags = [(f, a.source) for a in articles for f in all_flags(a)]
    written: list[Path] = []

    def put(name: str, text: str) -> None:
        path = out_dir / name
        atomic_write(path, text)
        written.append(path)

    if "json" in formats:
        put("stretches.json", to_json([r.to_dict() for r in stretches]))
        put("articles.json", to_json([a.to_dict() for a in articles]))
    if "csv" in formats:
        rows = [stretch_row(r) for r in stretches]
        columns = list(stretch_row(stretches[0]).keys()) if stretches else ["source", "name"]
        put("stretches.csv", _csv(rows, columns))
        put("flags.csv", _csv([flag_row(f, s) for f, s in flags], FLAG_COLUMNS))
    put("manifest.json", to_json({"inputs": [m.to_dict() for m in manifest], "stats": stats}))
    return written

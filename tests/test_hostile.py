"""The hostile catalogue: one generated test per case file in tests/hostile/ (format: its README).

A case is data (input, command, expected exit, manifest codes and files), so a new case, found by
a review or by the fuzzers, joins in one file. Faults a case may inject are named here (FAULTS):
disk-full conditions are simulated, never made real.
"""
from __future__ import annotations

import base64
import contextlib
import errno
import glob
import io
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import REPO

CASES = Path(__file__).parent / "hostile"
ALWAYS_FORBIDDEN = ("Traceback", "internal error")


# --- faults -------------------------------------------------------------------------------------

@contextlib.contextmanager
def _sqlite_full():
    """The resume state's disk fills up: state.sqlite may hold its empty tables (5 pages) and not a
    page more (SQLite's own max_page_count, so it fails with SQLITE_FULL exactly as on a full disk)."""
    real = sqlite3.connect

    def connect(path, *args, **kwargs):
        db = real(path, *args, **kwargs)
        if str(path).endswith("state.sqlite"):
            db.execute("PRAGMA max_page_count = 5")
        return db

    sqlite3.connect = connect
    try:
        yield
    finally:
        sqlite3.connect = real


@contextlib.contextmanager
def _enospc_on_replace():
    """The disk is full when a finished file is moved into place (the last step of an atomic write)."""
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    os.replace = replace
    try:
        yield
    finally:
        os.replace = real


FAULTS = {"sqlite-full": _sqlite_full, "enospc-on-replace": _enospc_on_replace}


# --- the runner ---------------------------------------------------------------------------------

def _load(path: Path) -> dict:
    case = tomllib.loads(path.read_text(encoding="utf-8"))
    assert case.get("summary"), f"{path.name}: every case says what it is (summary)"
    assert case.get("run"), f"{path.name}: a case runs at least one command ([[run]])"
    for step in case["run"]:
        assert "exit" in step, f"{path.name}: every command states its exit code"
    assert case.get("fault") in (None, *FAULTS), f"{path.name}: unknown fault {case.get('fault')!r}"
    return case


def _make_files(root: Path, files: dict) -> None:
    for name, spec in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(spec, str):
            spec = {"text": spec}
        if "text" in spec:
            path.write_text(spec["text"], encoding="utf-8")
        elif "python" in spec:
            value = eval(spec["python"], {"__builtins__": {"range": range, "len": len, "str": str, "bytes": bytes,
                                                            "chr": chr}})
            path.write_bytes(value if isinstance(value, bytes) else value.encode("utf-8"))
        elif "copy" in spec:  # a file of the repository (path from its root)
            path.write_bytes((REPO / spec["copy"]).read_bytes())
        elif "base64" in spec:
            path.write_bytes(base64.b64decode(spec["base64"]))
        elif "sqlite" in spec:  # an SQLite file made by these statements
            db = sqlite3.connect(path)
            for statement in spec["sqlite"]:
                db.execute(statement)
            db.commit()
            db.close()
        elif spec.get("fifo"):
            os.mkfifo(path)
        elif spec.get("dir"):
            path.mkdir(exist_ok=True)
        elif "symlink" in spec:
            path.symlink_to(spec["symlink"])
        else:
            raise AssertionError(f"{name}: no content (text, python, base64, fifo, dir or symlink)")
        if "mode" in spec:
            os.chmod(path, spec["mode"])


def _invoke_in_process(args: list[str], stdin: str | None, capfd) -> tuple[int, str, str]:
    from pipeline.cli import main
    capfd.readouterr()
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO((stdin or "").encode("utf-8")), encoding="utf-8")
    try:
        main.main(args=args, prog_name="stretchpipe", standalone_mode=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdin = saved
    out, err = capfd.readouterr()
    return code, out, err


def _invoke_process(args: list[str], stdin: str | None, fsize: int | None = None) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}

    def limit_file_size():  # a file-size limit: writes past it fail with EFBIG, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], input=(stdin or "").encode("utf-8"),
                          capture_output=True, env=env, preexec_fn=limit_file_size if fsize else None)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def _manifest_path(step: dict) -> str | None:
    if "manifest_path" in step:
        return step["manifest_path"]
    args = step["args"]
    if args and args[0] == "run":
        return str(Path(args[args.index("--out") + 1] if "--out" in args else "processed") / "manifest.json")
    return None


def _check_manifest(path: str, want: dict, records: dict, where: str) -> None:
    assert os.path.isfile(path), f"{where}: no manifest at {path}"
    entries = json.loads(Path(path).read_text(encoding="utf-8"))["inputs"]
    got: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for entry in entries:
        got.setdefault(entry["source"], []).append(entry["code"] or entry["status"])
        counts[entry["source"]] = counts.get(entry["source"], 0) + entry["records"]
    for source, code in want.items():
        assert source in got, f"{where}: {source} is not in the manifest (it has {sorted(got)})"
        assert code in got[source], f"{where}: {source} is {got[source]}, expected {code}"
    for source, n in records.items():
        assert counts.get(source) == n, f"{where}: {source} gave {counts.get(source)} records, expected {n}"


def _cases():
    for path in sorted(CASES.glob("*.toml")):
        yield pytest.param(path, id=path.stem)


@pytest.mark.parametrize("path", list(_cases()))
def test_hostile_case(path, tmp_path, monkeypatch, capfd):
    case = _load(path)
    monkeypatch.chdir(tmp_path)
    _make_files(tmp_path, case.get("files", {}))
    for n, step in enumerate(case["run"], 1):
        where = f"{path.name} command {n} ({' '.join(step['args'])})"
        _make_files(tmp_path, step.get("before", {}))
        name = step.get("fault", case.get("fault"))
        assert name in (None, "", *FAULTS), f"{where}: unknown fault {name!r}"
        fault = FAULTS[name] if name else contextlib.nullcontext
        if case.get("subprocess") or "max_file_size" in step:
            assert not name, f"{where}: faults are injected in-process only"
            code, out, err = _invoke_process(step["args"], step.get("stdin"), step.get("max_file_size"))
        else:
            with fault():
                code, out, err = _invoke_in_process(step["args"], step.get("stdin"), capfd)
        assert code == step["exit"], f"{where}: exit {code}, expected {step['exit']}\nstderr: {err[-2000:]}"
        for text in step.get("stderr", []):
            assert text in err, f"{where}: stderr lacks {text!r}\nstderr: {err[-2000:]}"
        for text in (*ALWAYS_FORBIDDEN, *step.get("not_stderr", [])):
            assert text not in err, f"{where}: stderr has {text!r}\nstderr: {err[-2000:]}"
        for text in step.get("stdout", []):
            assert text in out, f"{where}: stdout lacks {text!r}"
        if step.get("manifest") or step.get("records"):
            _check_manifest(_manifest_path(step), step.get("manifest", {}), step.get("records", {}), where)
        for pattern in step.get("exists", []):
            assert glob.glob(pattern, include_hidden=True), f"{where}: {pattern} should exist"
        for pattern in step.get("absent", []):
            assert not glob.glob(pattern, include_hidden=True), f"{where}: {pattern} should not exist"


def test_the_catalogue_is_not_empty():
    assert list(CASES.glob("*.toml")), "tests/hostile/ holds the cases"

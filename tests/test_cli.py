import json
import shutil

from click.testing import CliRunner
from conftest import REPO

from pipeline.cli import main

SEED = REPO / "raw" / "13-stretches-for-lower-back-pain.txt"


def invoke(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def test_help_everywhere():
    for cmd in ([], ["run"], ["curate"], ["clean"], ["extract"], ["audit"], ["rules"]):
        result = invoke(*cmd, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_bad_usage_exits_2():
    assert invoke("run").exit_code == 2
    assert invoke("run", SEED, "--format", "xml").exit_code == 2


def test_run_writes_all_outputs_deterministically(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEED, raw)
    (raw / "empty.txt").write_text("")
    (raw / "binary.html").write_bytes(bytes(range(256)) * 10)
    (raw / "latin1.txt").write_bytes("Café\n\n1. Cobra Pose\n\nLie face down and press up. Hold 20 seconds.\n\n"
                                     "2. Child’s Pose\n\nKneel and sit back on your heels. Hold 30 seconds.\n".encode("cp1252"))
    (raw / "nostretch.html").write_text("<html><body><h1>Our team</h1><p>We love cooking pasta at home.</p></body></html>")
    outs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        result = invoke("run", raw, tmp_path / "missing.txt", "--out", out)
        assert result.exit_code == 0, result.output
        outs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outs[0] == outs[1], "same input must give byte-identical output"
    tables = ("stretches", "articles", "flags", "dataset", "duplicates")
    assert set(outs[0]) == {f"{t}.{ext}" for t in tables for ext in ("json", "csv", "parquet", "schema.json")
                            } | {"datapackage.json", "manifest.json", ".stretchpipe.json"}, "JSON Lines only by --format"
    assert sorted(json.loads(outs[0][".stretchpipe.json"])["files"]) == sorted(set(outs[0]) - {".stretchpipe.json"})
    manifest = {m["source"].split("/")[-1]: m for m in json.loads(outs[0]["manifest.json"])["inputs"]}
    assert manifest["empty.txt"]["status"] == "skipped" and manifest["empty.txt"]["code"] == "SP102"
    assert manifest["binary.html"]["status"] == "failed" and manifest["binary.html"]["code"] == "SP103"
    assert manifest["missing.txt"]["status"] == "failed" and manifest["missing.txt"]["code"] == "SP101"
    assert manifest["nostretch.html"]["status"] == "skipped" and manifest["nostretch.html"]["code"] == "SP202"  # decided early (clean/gate.py)
    assert manifest["latin1.txt"]["status"] == "processed" and manifest["latin1.txt"]["records"] == 2
    assert "windows-1252" in manifest["latin1.txt"]["reason"] and manifest["latin1.txt"]["encoding_rule"] == "fallback"
    stretches = json.loads(outs[0]["stretches.json"])
    assert len(stretches) == 15
    csv_lines = outs[0]["stretches.csv"].decode().splitlines()
    assert len(csv_lines) == 16 and csv_lines[0].startswith("id,article_id,name,name_source,number")
    assert not list((tmp_path / "out1").glob(".*.tmp")), "no temp files left behind"


def test_run_with_nothing_processable_exits_1(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    result = invoke("run", tmp_path / "empty.txt", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "SP102" in result.output


def test_audit_exits_1_on_error_flags_and_0_when_clean(tmp_path):
    result = invoke("audit", SEED)
    assert result.exit_code == 1
    assert "position-conflict" in result.output and "Seated Forward Bend" in result.output
    good = tmp_path / "good.txt"
    good.write_text("Calf Care\n\n1. Wall Calf Stretch\n\nStand facing a wall and step one foot back until you feel "
                    "a stretch in your calf. Hold 30 seconds, then switch legs.\n\n2. Downward Dog\n\nStart on your hands "
                    "and knees and lift your hips to stretch your calves. Hold for 5 breaths.\n")
    assert invoke("audit", good).exit_code == 0


def test_stdin_and_stdout():
    text = SEED.read_text(encoding="utf-8")
    result = invoke("extract", "-", input=text)
    records = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(records) == 13 and records[0]["source"]["path"] == "<stdin>"
    cleaned = invoke("clean", "-", input=text)
    assert "Credit:" not in cleaned.output and cleaned.output.count("Cobra Pose") == 2  # list + heading


def test_csv_numbers_print_as_written(tmp_path):
    invoke("run", SEED, "--out", tmp_path)
    import csv
    rows = {r["name"]: r for r in csv.DictReader((tmp_path / "stretches.csv").open(encoding="utf-8"))}
    cobra = rows["Cobra Pose"]
    assert (cobra["hold_min_seconds"], cobra["hold_max_seconds"], cobra["duration_min_seconds"]) == ("20", "30", "")
    # list cells are JSON arrays: an empty list is [], a missing value an empty cell
    assert json.loads(rows["Knee-to-Chest Stretch"]["targets"]) == ["lower back", "hips", "glutes"]
    assert cobra["position_options"] == "[]" and cobra["frequency"] == ""


def test_output_is_identical_across_processes_and_hash_seeds(tmp_path):
    """Set or dict ordering that depends on the hash seed would only show across processes."""
    import os
    import subprocess
    import sys
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(REPO / "raw"), str(REPO / "tests" / "data"),
                        "--out", str(out)], check=True, env=env, cwd=REPO, capture_output=True)
        outs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outs[0] == outs[1]


def test_the_dask_engine_without_dask_installed_is_a_usage_error_that_says_how(tmp_path, monkeypatch):
    """dask is an extra (`stretchpipe[dask]`): without it, `--engine dask` stops before any work."""
    from pipeline import executors
    monkeypatch.setitem(executors.NEEDS, "dask", ("stretchpipe_no_such_module", "pip install 'stretchpipe[dask]'"))
    page = tmp_path / "p.txt"
    page.write_text("Neck stretch\n\nTilt your head to one side. Hold for 20 seconds.\n")
    result = CliRunner().invoke(main, ["run", str(page), "--out", str(tmp_path / "out"), "--engine", "dask"])
    assert result.exit_code == 2 and "pip install 'stretchpipe[dask]'" in result.output
    assert not (tmp_path / "out").exists()


def test_nothing_to_read_is_a_usage_error_before_the_output_is_touched(tmp_path):
    """A wrong path: SP101, exit 2, and no output folder; a folder without pages says so."""
    result = invoke("run", tmp_path / "nosuchdir", "--out", tmp_path / "x")
    assert result.exit_code == 2 and "SP101" in result.output and "nosuchdir" in result.output
    assert not (tmp_path / "x").exists()
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"\xff\xd8\xff")
    result = invoke("run", tmp_path / "photos", "--out", tmp_path / "y")
    assert result.exit_code == 2 and f"no pages found in {tmp_path / 'photos'}" in result.output
    assert not (tmp_path / "y").exists()
    result = invoke("run", SEED, "--out", "-")
    assert result.exit_code == 2 and "--out" in result.output and "stretchpipe extract" in result.output


def test_a_missing_input_beside_real_ones_is_recorded_and_the_run_goes_on(tmp_path):
    result = invoke("run", SEED, tmp_path / "gone.html", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())["inputs"]
    assert [m["code"] for m in manifest if m["source"].endswith("gone.html")] == ["SP101"]


def test_extract_on_nothing_says_so_and_points_at_no_manifest(tmp_path):
    (tmp_path / "empty").mkdir()
    result = invoke("extract", tmp_path / "empty")
    assert result.exit_code == 1 and "no pages found in" in result.output
    (tmp_path / "note.txt").write_text("Shopping list\n\nMilk, bread and a new kettle for the office.\n")
    result = invoke("extract", tmp_path / "note.txt")
    assert "no stretch records found in 1 input" in result.output and "(s)" not in result.output and "manifest.json" not in result.output


def test_help_lists_choices_groups_the_engine_options_and_shows_an_example():
    text = invoke("run", "--help").output
    assert "[json|jsonl|csv|parquet]" in text and "[local|dask]" in text and "-q, --quiet" in text
    own, engine = text.split("Engine and budget options:")
    assert "--format" in own and "--engine" in engine and "--timeout" in engine and "--engine" not in own
    assert "Example:" in text and "stretchpipe run " in text.split("Example:")[1]


def test_quiet_prints_no_summary(tmp_path):
    result = invoke("run", SEED, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 0 and result.output == ""

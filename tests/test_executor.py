"""The executor on real processes: engines agree byte for byte, budgets stop a page and the run goes
on, the output folder is one set (staged, swapped, locked, never replaced by nothing), and runs
resume and redo only what changed."""
import errno
import faulthandler
import fcntl
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from conftest import DATA, REPO

import pipeline.runner
from pipeline import errors
from pipeline.cli import main

GOOD = ("Hip Openers\n\n1. Pigeon Pose\n\nFrom all fours, bring your right knee forward behind your right wrist. "
        "Hold for 30 seconds, then switch sides.\n\n2. Butterfly Stretch\n\nSit on the floor with the soles of "
        "your feet together. Hold for 45 seconds.\n")
OTHER = ("Desk Breaks\n\n1. Neck Tilt\n\nSit tall and tilt your right ear toward your right shoulder. Hold for 20 "
         "seconds on each side.\n\n2. Seated Spinal Twist\n\nSit sideways on your chair and turn your chest toward "
         "the backrest. Hold for 5 breaths.\n")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def outputs(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def corpus(tmp_path, copies=1):
    """Real saved pages (tests/data and raw/), `copies` times under different names."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    pages = sorted(p for p in list(DATA.glob("*")) + list((REPO / "raw").glob("*"))
                   if p.suffix in (".html", ".txt", ".md"))
    for n in range(copies):
        for page in pages:
            shutil.copy(page, folder / f"{page.stem}-{n}{page.suffix}")
    return folder


@pytest.fixture
def misbehaving(monkeypatch):
    """Pages whose text asks for it misbehave inside the worker (the local engine forks, so the
    patch reaches the workers): a hang, a memory blow-up, a hard crash, a bug."""
    real = pipeline.runner.clean_page

    def clean_page(page, kb=None, **kwargs):
        if "MISBEHAVE:hang" in page.text:
            time.sleep(600)
        if "MISBEHAVE:memory" in page.text:
            hog = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB, over a 300 MB budget
            del hog
        if "MISBEHAVE:crash" in page.text:
            faulthandler.disable()  # pytest's crash dump would fill the test log
            os.kill(os.getpid(), signal.SIGSEGV)
        if "MISBEHAVE:bug" in page.text:
            raise ValueError("a bug the page triggers")
        return real(page, kb, **kwargs)
    monkeypatch.setattr(pipeline.runner, "clean_page", clean_page)


def test_local_engine_one_and_two_workers_and_dask_give_the_same_bytes(tmp_path):
    raw = corpus(tmp_path)
    sets = []
    for name, args in (("one", ["--workers", "1"]), ("two", ["--workers", "2"]),
                       ("dask", ["--engine", "dask", "--workers", "2"])):
        result = invoke("run", raw, "--out", tmp_path / name, *args)
        assert result.exit_code == 0, result.output
        sets.append(outputs(tmp_path / name))
    assert len(json.loads(sets[0]["stretches.json"])) > 50
    assert sets[0] == sets[1] == sets[2]


def _echo_or_hang(task):
    if task == "hang":
        time.sleep(600)
    return task


def _slow_start():
    time.sleep(3)  # a worker starting on a machine under heavy load: imports and warm-up take a while


def test_a_worker_slow_to_start_leaves_its_first_page_the_whole_budget():
    """The budget is the page's: a worker that takes longer to start than a page may take (here 3 s
    against 1 s) still runs its first page, and a page that hangs on it is still stopped at 1 s."""
    import multiprocessing

    from pipeline.executors import Budget
    from pipeline.executors.sandbox import Sandbox
    sandbox = Sandbox(multiprocessing.get_context("fork"), _echo_or_hang, Budget(timeout_seconds=1, memory_mb=0),
                      _slow_start)
    try:
        assert sandbox.run("page") == "page"
        failure = sandbox.run("hang")
        assert failure.code == errors.TIMED_OUT
    finally:
        sandbox.close()


def test_the_first_page_to_load_extraction_restarts_its_clock_once(monkeypatch):
    """Importing spaCy and building the pipeline is the worker's cost: the page that triggers it
    tells its sandbox when the loading starts (the start-up allowance, not the page's budget) and
    when it is done (the page's clock starts again); later pages say nothing."""
    from pipeline import executors
    said = []
    monkeypatch.setattr(executors, "_loading_started", lambda: said.append("loading"))
    monkeypatch.setattr(executors, "_heartbeat", lambda: said.append("beat"))
    monkeypatch.setattr(pipeline.runner, "_extraction_loaded", False)
    for name in ("a.txt", "b.txt"):
        pipeline.runner.process_page(pipeline.runner.Page(source=name, format="text", text=GOOD))
    assert said == ["loading", "beat"]


def test_a_lost_dask_worker_is_sent_its_page_again_and_no_page_is_lost(tmp_path):
    """A dask worker killed under a page (as a lost worker or a closed connection does) fails that
    attempt, not the page: the engine sends it again and every page comes back (dask retries a lost
    worker's task itself; with that off, the engine's own retry is what keeps the page)."""
    import dask
    from helpers import kill_dask_worker_once

    from pipeline.executors import Budget
    from pipeline.executors.dask import DaskEngine
    tasks = [str(tmp_path / "kill-page"), str(tmp_path / "plain-page")]
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        engine = DaskEngine(workers=1, budget=Budget(timeout_seconds=120, memory_mb=0))
        try:
            results = dict(engine.map(kill_dask_worker_once, tasks))
        finally:
            engine.close()
    assert (tmp_path / "kill-page.tried").exists()  # the first attempt did lose its worker
    assert results == {0: "done kill-page", 1: "done plain-page"}


def test_an_existing_dask_scheduler_is_used_through_its_address(tmp_path):
    import dask
    from distributed import LocalCluster
    (tmp_path / "a.txt").write_text(GOOD)
    with dask.config.set({"distributed.worker.daemon": False}), \
            LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        result = invoke("run", tmp_path / "a.txt", "--out", tmp_path / "remote", "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    assert invoke("run", tmp_path / "a.txt", "--out", tmp_path / "local").exit_code == 0
    assert outputs(tmp_path / "remote") == outputs(tmp_path / "local")


def test_a_dask_scheduler_that_cannot_be_reached_is_a_coded_error_and_out_is_untouched(tmp_path):
    import socket

    import dask
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    (tmp_path / "a.txt").write_text(GOOD)
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = invoke("run", tmp_path / "a.txt", "--out", tmp_path / "out",
                        "--scheduler", f"tcp://127.0.0.1:{closed}")
    assert result.exit_code == 1
    assert f"[{errors.ENGINE_START}] the dask engine could not start" in result.output
    assert f"127.0.0.1:{closed}" in result.output and "--engine local" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert not (tmp_path / "out").exists()


def test_pages_over_budget_are_recorded_and_the_good_page_survives(tmp_path, misbehaving):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a-good.txt").write_text(GOOD)
    for kind in ("hang", "memory", "crash", "bug"):
        (raw / f"b-{kind}.txt").write_text(GOOD.replace("Hip Openers", f"Hip Openers MISBEHAVE:{kind}"))
    (raw / "c-good.txt").write_text(OTHER)
    log_file = tmp_path / "debug.log"
    result = invoke("run", raw, "--out", tmp_path / "out", "--workers", "2", "--timeout", "6",
                    "--max-memory", "300", "--log-file", log_file)
    assert result.exit_code == 0, result.output
    manifest = {m["source"].rsplit("/", 1)[-1]: m for m in json.loads((tmp_path / "out/manifest.json").read_text())["inputs"]}
    codes = {name: (m["status"], m["code"]) for name, m in manifest.items()}
    assert codes == {"a-good.txt": ("processed", None), "c-good.txt": ("processed", None),
                     "b-hang.txt": ("failed", errors.TIMED_OUT), "b-memory.txt": ("failed", errors.OUT_OF_MEMORY),
                     "b-crash.txt": ("failed", errors.WORKER_CRASHED), "b-bug.txt": ("failed", errors.INTERNAL)}
    titles = [s["source"]["title"] for s in json.loads((tmp_path / "out/stretches.json").read_text())]
    assert titles == ["Hip Openers"] * 2 + ["Desk Breaks"] * 2
    assert "Traceback" not in result.output  # the user sees one line per failure ...
    assert "SP302" in result.output and "raise --timeout" in result.output
    assert "ValueError: a bug the page triggers" in log_file.read_text()  # ... the log keeps the traceback


def test_clean_isolates_each_page_too(tmp_path, misbehaving):
    (tmp_path / "a.txt").write_text(GOOD)
    (tmp_path / "b.txt").write_text(GOOD.replace("Hip Openers", "MISBEHAVE:bug"))
    result = invoke("clean", tmp_path / "a.txt", tmp_path / "b.txt")
    assert result.exit_code == 0
    assert "Pigeon Pose" in result.output and "[SP900]" in result.output and "Traceback" not in result.output


def test_unexpected_errors_never_show_a_traceback(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something nobody expected")
    monkeypatch.setattr(pipeline.runner, "run_dataset", broken)
    (tmp_path / "a.txt").write_text(GOOD)
    result = CliRunner().invoke(main, ["run", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "internal error" in result.output and "-v -v" in result.output and "Traceback" not in result.output


def test_rerun_does_no_work_and_a_changed_page_redoes_only_itself(tmp_path):
    raw = corpus(tmp_path)
    out = tmp_path / "out"
    first = invoke("run", raw, "--out", out)
    assert first.exit_code == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = invoke("run", raw, "--out", out)
    assert again.exit_code == 0 and "up to date, nothing written" in again.output
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    n = len(list(raw.iterdir()))
    target = sorted(raw.glob("*.txt"))[0]
    target.write_text(target.read_text() + "\n\nA new closing line.\n")
    changed = invoke("run", raw, "--out", out)
    assert f"({n - 1} unchanged, taken from the last run)" in changed.output
    fresh = invoke("run", raw, "--out", tmp_path / "fresh")
    assert fresh.exit_code == 0 and outputs(out) == outputs(tmp_path / "fresh")


def test_a_no_op_rerun_reads_no_stored_outcome_and_says_what_the_first_run_said(tmp_path, monkeypatch):
    """A re-run over unchanged inputs needs the manifest, the counts and the set's fingerprint, which
    the state keeps apart from the outcomes (whose articles are most of it): it reads no outcome. A
    state whose summaries are gone (all but the outcomes lost) still gives the same answer."""
    import pipeline.state
    raw = corpus(tmp_path)
    out = tmp_path / "out"
    first = invoke("run", raw, "--out", out)
    assert first.exit_code == 0 and "stretches" in first.output
    summary_line = [line for line in first.output.splitlines() if " processed" in line][-1].split(" -> ")[0]

    def no_outcome(self, source):
        raise AssertionError(f"a no-op re-run read the outcome of {source}")
    with monkeypatch.context() as patched:
        patched.setattr(pipeline.state.StateStore, "load", no_outcome)
        again = invoke("run", raw, "--out", out)
    assert again.exit_code == 0 and "up to date, nothing written" in again.output
    processed, counts = summary_line.split(": ", 1)  # "26 of 26 inputs processed", "100 stretches, ..."
    assert again.output.startswith(processed) and counts in again.output
    state = sqlite3.connect(tmp_path / ".out.stretchpipe" / "state.sqlite")
    state.execute("DELETE FROM summaries")
    state.commit()
    state.close()
    lost = invoke("run", raw, "--out", out)
    assert lost.exit_code == 0 and "up to date, nothing written" in lost.output
    assert lost.output.startswith(processed) and counts in lost.output


def test_a_new_pipeline_version_redoes_every_input(tmp_path, monkeypatch):
    import pipeline.state
    (tmp_path / "a.txt").write_text(GOOD)
    (tmp_path / "b.txt").write_text(OTHER)
    out = tmp_path / "out"
    assert invoke("run", tmp_path, "--out", out).exit_code == 0
    assert "2 unchanged" in invoke("run", tmp_path, "--out", out).output
    monkeypatch.setattr(pipeline.state, "pipeline_version", lambda: "a-new-release")
    again = invoke("run", tmp_path, "--out", out)
    assert again.exit_code == 0 and "unchanged" not in again.output and "up to date" not in again.output


def test_kill_9_mid_run_then_resume_gives_the_same_bytes(tmp_path):
    raw = corpus(tmp_path, copies=3)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(raw), "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(command, cwd=REPO, stderr=subprocess.DEVNULL)
    state = tmp_path / ".out.stretchpipe" / "state.sqlite"
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if state.exists():
            try:
                done = sqlite3.connect(state).execute("SELECT count(*) FROM outcomes").fetchone()[0]
            except sqlite3.OperationalError:  # the table is being created
                done = 0
            if done >= 5:
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert done >= 5, "the run should have been killed part-way"
    assert not out.exists(), "a killed run leaves no partial output set"
    resumed = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "unchanged, taken from the last run" in resumed.stderr
    reference = invoke("run", raw, "--out", tmp_path / "reference")
    assert reference.exit_code == 0
    assert outputs(out) == outputs(tmp_path / "reference")


def test_a_full_disk_leaves_the_previous_set_intact(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(GOOD)
    out = tmp_path / "out"
    assert invoke("run", tmp_path / "a.txt", "--out", out).exit_code == 0
    before = outputs(out)
    (tmp_path / "b.txt").write_text(GOOD.replace("Hip", "Evening"))

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "fsync", no_space)
    result = invoke("run", tmp_path / "a.txt", tmp_path / "b.txt", "--out", out)
    assert result.exit_code == 1 and "[SP504]" in result.output and "No space left" in result.output
    assert outputs(out) == before
    assert not list((tmp_path / ".out.stretchpipe").glob("staging-*")), "the staging folder is cleaned up"


def test_a_full_disk_while_dedupe_spills_its_shingles_is_sp504_too(tmp_path, monkeypatch):
    """Dedupe writes each article's shingles to a file beside the set; a full disk there is the
    same clear SP504 as a failed table write, with the previous set intact."""
    import io

    import pipeline.curate.dedupe
    (tmp_path / "a.txt").write_text(GOOD)
    out = tmp_path / "out"
    assert invoke("run", tmp_path / "a.txt", "--out", out).exit_code == 0
    before = outputs(out)
    (tmp_path / "b.txt").write_text(GOOD.replace("Hip", "Evening"))

    class FullDisk(io.BytesIO):
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(pipeline.curate.dedupe.tempfile, "TemporaryFile", lambda **kwargs: FullDisk())
    result = invoke("run", tmp_path / "a.txt", tmp_path / "b.txt", "--out", out)
    assert result.exit_code == 1 and "[SP504]" in result.output and "No space left" in result.output
    assert "Traceback" not in result.output
    assert outputs(out) == before


def test_a_run_that_processed_nothing_never_replaces_a_dataset(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD)
    out = tmp_path / "out"
    assert invoke("run", tmp_path / "a.txt", "--out", out).exit_code == 0
    before = outputs(out)
    result = invoke("run", tmp_path / "missing.txt", "--out", out)  # nothing to read: a usage error
    assert result.exit_code == 2 and "SP101" in result.output
    assert outputs(out) == before
    (tmp_path / "empty.txt").write_text("")
    result = invoke("run", tmp_path / "empty.txt", tmp_path / "missing.txt", "--out", out)
    assert result.exit_code == 1 and "[SP503]" in result.output and "SP101" in result.output
    assert outputs(out) == before


def test_a_repository_placeholder_in_out_survives_the_swap_and_is_no_dataset(tmp_path):
    """`processed/.gitkeep` (the folder kept in git) is not stretchpipe's: it stays, and alone it is no
    dataset a run that processed nothing would refuse to replace."""
    (tmp_path / "a.txt").write_text(GOOD)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".gitkeep").write_text("")
    (tmp_path / "empty.txt").write_text("")
    assert invoke("run", tmp_path / "empty.txt", "--out", out).exit_code == 1  # processed nothing
    assert invoke("run", tmp_path / "a.txt", "--out", out).exit_code == 0
    assert (out / ".gitkeep").exists() and (out / "stretches.json").exists()


def test_out_is_checked_before_any_work_and_locked_against_a_second_run(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD)
    (tmp_path / "file").write_text("not a folder")
    result = invoke("run", tmp_path / "a.txt", "--out", tmp_path / "file" / "out")
    assert result.exit_code == 2 and "SP501" in result.output
    out = tmp_path / "out"
    home = tmp_path / ".out.stretchpipe"
    home.mkdir()
    with open(home / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run holds --out
        result = invoke("run", tmp_path / "a.txt", "--out", out)
    assert result.exit_code == 1 and "[SP502]" in result.output and not out.exists()
    assert invoke("run", tmp_path / "a.txt", "--out", out).exit_code == 0  # released: runs


def test_a_folder_that_is_not_an_output_set_is_never_replaced(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(GOOD)
    (raw / "notes.docx").write_text("the user's own file")
    result = invoke("run", raw / "a.txt", "--out", raw)  # the inputs' own folder as --out
    assert result.exit_code == 2 and "SP501" in result.output and "a.txt, notes.docx" in result.output
    assert sorted(p.name for p in raw.iterdir()) == ["a.txt", "notes.docx"]


def test_output_modes_follow_the_umask(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD)
    old = os.umask(0o027)
    try:
        assert invoke("run", tmp_path / "a.txt", "--out", tmp_path / "out").exit_code == 0
    finally:
        os.umask(old)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o750
    assert {p.stat().st_mode & 0o777 for p in (tmp_path / "out").iterdir()} == {0o640}


def test_the_hostile_inputs_of_issue_8_beside_good_pages(tmp_path):
    """Every input that used to sink a run, in one folder with two good pages: the good pages'
    records survive, every other input ends in the manifest with a code, and nobody sees a traceback."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a-good.txt").write_text(GOOD)
    (raw / os.fsdecode(b"b-good-caf\xe9.txt")).write_text(OTHER)  # a file name that is not UTF-8
    (raw / "meta-undefined.html").write_text('<html><head><meta charset="undefined"></head><body>'
                                             "<h2>1. Cobra Pose</h2><p>Lie face down and press up.</p></body></html>")
    (raw / "ol-superscript-start.html").write_text('<html><body><h1>Neck care</h1><ol start="\u00b2"><li><b>Neck '
                                                   "Tilt</b> Sit tall and tilt your ear to your shoulder. Hold 20 "
                                                   "seconds.</li></ol></body></html>")
    (raw / "digit-run.txt").write_text("Calf Care\n\n1. Wall Calf Stretch\n\nStand facing a wall. Hold for "
                                       + "1" * 5000 + " seconds.\n")
    (raw / "ten-seconds.txt").write_text("Calf Care\n\n1. Wall Calf Stretch\n\nHold " + "10 seconds " * 20000 + "\n")
    (raw / "deep.html").write_text("<html><body>" + "<div>" * 100_000 + "<p>Hold 30 seconds.</p>"
                                   + "</div>" * 100_000 + "</body></html>")
    os.mkfifo(raw / "pipe.txt")
    out = tmp_path / "out"
    result = invoke("run", raw, "/dev/zero", "--out", out, "--timeout", "20", "--max-memory", "1500")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    manifest = json.loads((out / "manifest.json").read_text())["inputs"]
    assert len(manifest) == 9
    for entry in manifest:
        assert entry["status"] == "processed" or entry["code"], entry
    stretches = json.loads((out / "stretches.json").read_text())
    titles = [s["source"]["title"] for s in stretches]
    assert titles.count("Hip Openers") == 2 and titles.count("Desk Breaks") == 2
    cleaned = invoke("clean", raw / "a-good.txt", raw / "ol-superscript-start.html", raw / "deep.html")
    assert cleaned.exit_code == 0 and "Pigeon Pose" in cleaned.output and "Traceback" not in cleaned.output


def _double(n):
    return n * 2


def test_a_worker_killed_while_idle_is_replaced_and_the_stream_goes_on():
    import psutil

    from pipeline.executors import Budget, in_order, make_engine

    def tasks():
        for n in range(4):
            if n == 2:  # between two tasks: the idle worker is killed from outside (an OOM killer)
                for child in psutil.Process().children():
                    child.kill()
                    child.wait()
            yield n
    engine = make_engine("local", workers=1, budget=Budget(timeout_seconds=10))
    assert list(in_order(engine.map(_double, tasks()))) == [0, 2, 4, 6]


def _worker_pid(n):
    return n, os.getpid()


def test_a_worker_is_replaced_by_a_fresh_one_after_its_share_of_tasks():
    """What a worker accumulates over a long run (spaCy's string store) stays bounded: after
    `tasks_per_worker` inputs a fresh worker takes over, and no task is lost or reordered."""
    from pipeline.executors import Budget, in_order, make_engine

    engine = make_engine("local", workers=1, budget=Budget(timeout_seconds=10, tasks_per_worker=3))
    results = list(in_order(engine.map(_worker_pid, range(7))))
    assert [n for n, _ in results] == list(range(7))
    pids = [pid for _, pid in results]
    assert pids[0] == pids[1] == pids[2] != pids[3] == pids[4] == pids[5] != pids[6]
    assert os.getpid() not in pids


def test_a_set_moved_aside_by_an_interrupted_fallback_swap_is_put_back(tmp_path):
    from pipeline.outputs import OutputSet
    (tmp_path / "a.txt").write_text(GOOD)
    out = tmp_path / "out"
    assert invoke("run", tmp_path / "a.txt", "--out", out).exit_code == 0
    before = outputs(out)
    aside = tmp_path / ".out.stretchpipe" / "staging-old-x"  # where the two-rename swap moves the old set
    aside.mkdir()
    out.rename(aside / "set")  # ... and a kill came before the new set was renamed in
    OutputSet(out).open().close()
    assert outputs(out) == before and not aside.exists()


def test_a_reader_that_goes_away_ends_the_output_quietly(tmp_path):
    raw = corpus(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "extract", str(raw)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()  # like `stretchpipe extract ... | head -1`
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.wait()
    assert first.startswith(b"{") and stderr == "" and proc.returncode in (0, 1)


def _pages_of(seconds_each):
    from pipeline.executors import page_done
    for n, seconds in enumerate(seconds_each):
        if n:
            page_done()
        time.sleep(seconds)
    return len(seconds_each)


def test_the_time_budget_is_per_page_for_inputs_of_several_pages():
    """A web archive is one input of many pages: each page gets the budget, the archive does not
    share one; a single page over it is still stopped."""
    from pipeline.executors import Budget, Failure, in_order, make_engine
    engine = make_engine("local", workers=1, budget=Budget(timeout_seconds=2))
    results = list(in_order(engine.map(_pages_of, [[0.8] * 5, [3.0]])))
    assert results[0] == 5
    assert isinstance(results[1], Failure) and results[1].code == errors.TIMED_OUT

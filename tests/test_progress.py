"""The progress line: pages done, rate, elapsed time and the inputs failed so far, counted as they
fail (not at the end), on a terminal only."""
import os
import pty
import re
import select
import subprocess
import sys

from click.testing import CliRunner
from conftest import DATA, REPO

from pipeline.cli import main
from pipeline.runner import Options, outcomes

GOOD = DATA / "routine-bare-names.md"


def _inputs(tmp_path):
    """A real page, a binary file (fails in its worker, SP103) and a path that does not exist
    (fails at discovery, SP101), in that order."""
    (tmp_path / "binary.html").write_bytes(bytes(range(256)) * 10)
    return [str(GOOD), str(tmp_path / "binary.html"), str(tmp_path / "missing.txt")]


def test_the_callback_hears_each_failure_when_its_input_is_done(tmp_path):
    calls = []
    results = list(outcomes(_inputs(tmp_path), options=Options(workers=1),
                            advance=lambda n, total=None, phase=None, failed=0: calls.append((n, total, failed))))
    assert [e.status for o in results for e in o.entries] == ["processed", "failed", "failed"]
    assert calls[0] == (0, 3, 0)  # the total, once discovery has counted the inputs
    done = [c for c in calls if c[0]]
    assert sum(n for n, _, _ in done) == 3 and sum(f for _, _, f in done) == 2
    # each failure is reported with the input that failed, not summed up at the end
    assert all(f <= n for n, _, f in done)


def _on_a_terminal(args, cwd):
    """Run the command with stderr (and stdout) on a pseudo-terminal; all it wrote there."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave, cwd=cwd, env=env)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait()
    os.close(master)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_on_a_terminal_the_line_counts_failures_before_the_files_are_written(tmp_path):
    code, text = _on_a_terminal(["run", *_inputs(tmp_path), "--out", str(tmp_path / "out"), "--workers", "1"],
                                cwd=tmp_path)
    assert code == 0, text
    lines = [re.sub(r"\x1b\[2K", "", part).strip() for part in re.split(r"[\r\n]+", text)]
    progress = [line for line in lines if line.startswith("processing:")]
    assert progress, text
    counts = [int(re.search(r"(\d+) failed", line).group(1)) for line in progress]
    assert counts == sorted(counts) and counts[-1] == 2  # never goes back, ends at both failures
    # every input done, both failures counted, before the phase that writes the files starts
    before_writing = [line for line in progress if "writing" not in line]
    assert re.match(r"processing: 3/3 inputs, \d+\.\d/s, \d+:\d\d elapsed, 2 failed$", before_writing[-1])
    assert any("writing the files" in line for line in progress)


def test_not_a_terminal_no_progress_line(tmp_path):
    result = CliRunner().invoke(main, ["run", *_inputs(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "processing:" not in result.output and "elapsed" not in result.output
    assert "failed: " in result.output  # the failures themselves are still listed

"""Issue 18, system damage and security: the cases that need more than a case file of
tests/hostile/ can say (a reader on a FIFO, a socket, file types and modes after the run, every
option of every command, every cut of an archive). Nothing here touches a real /dev node: device
targets are FIFOs and sockets in a temporary folder (CI runs as root)."""
import io
import json
import os
import socket
import stat
import threading
import unicodedata

import click
import pytest
from click.testing import CliRunner
from conftest import REPO
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline import errors
from pipeline.cli import main
from pipeline.outputs import OutputSet
from pipeline.runner import Options, run

SEED = REPO / "raw" / "13-stretches-for-lower-back-pain.txt"
SEED_HTML = REPO / "raw" / "13-stretches-for-lower-back-pain.html"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# --- 12: every number on every command is finite and in range ------------------------------------

def _numeric_options():
    for name, command in main.commands.items():
        for param in command.params:
            numeric = isinstance(param.type, (click.types.FloatParamType, click.types.IntParamType)) \
                or type(param.type).__name__ == "Number"
            if isinstance(param, click.Option) and numeric and not param.count:  # -v -v is a count
                yield name, command, param


def test_every_numeric_option_of_every_command_refuses_numbers_that_switch_budgets_off(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # should a value pass, nothing is written into the repository
    options = list(_numeric_options())
    assert {(name, p.name) for name, _, p in options} >= {("run", "timeout"), ("run", "delay"), ("fetch", "timeout"),
                                                          ("fetch", "delay"), ("audit", "max_memory")}
    for name, command, param in options:
        needs_argument = any(isinstance(p, click.Argument) and p.required for p in command.params)
        for bad in ("nan", "inf", "-inf", "1e308", "1" + "0" * 400, "-1"):
            args = [name, *(["x"] if needs_argument else []), param.opts[-1], bad]
            result = invoke(*args)
            assert result.exit_code == 2, f"{' '.join(args)}: exit {result.exit_code}\n{result.output}"
            assert "Invalid value" in result.output and param.opts[-1] in result.output


# --- 6: -o writes files, never replaces devices --------------------------------------------------

def test_o_on_a_fifo_is_written_as_a_stream_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "findings"
    os.mkfifo(fifo)
    received = {}

    def read():
        with open(fifo, "rb") as fh:
            received["data"] = fh.read()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = invoke("audit", SEED, "-o", fifo)
    reader.join(timeout=60)
    assert result.exit_code in (0, 1)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "a FIFO target is never replaced by a regular file"
    assert b"missing-hold" in received["data"] or b"error" in received["data"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["findings"], "no temporary file left beside it"


def test_o_on_a_socket_or_a_folder_is_refused_before_any_work(tmp_path):
    sock_path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        for command, target, code in (("audit", sock_path, errors.OUT_UNWRITABLE),
                                      ("extract", sock_path, errors.OUT_UNWRITABLE),
                                      ("clean", tmp_path, errors.OUT_UNWRITABLE),
                                      ("report", tmp_path, errors.REPORT_OUTPUT)):
            result = invoke(command, SEED, "-o", target)
            assert result.exit_code == 2 and code in result.output, result.output
        assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["sock"]
    finally:
        server.close()


def test_o_through_a_link_replaces_the_file_it_points_to_and_keeps_its_mode(tmp_path):
    target = tmp_path / "findings.txt"
    target.write_text("old findings\n")
    target.chmod(0o640)
    link = tmp_path / "latest.txt"
    link.symlink_to(target.name)
    assert invoke("audit", SEED, "-o", link).exit_code in (0, 1)
    assert link.is_symlink() and os.readlink(link) == target.name
    assert "old findings" not in target.read_text() and "missing-hold" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


# --- 9: the state folder beside --out -------------------------------------------------------------

def test_a_link_planted_where_the_state_folder_goes_is_never_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "staging-keep").mkdir(parents=True)
    (elsewhere / "staging-keep" / "precious.txt").write_text("not stretchpipe's")
    (tmp_path / ".out.stretchpipe").symlink_to(elsewhere)
    with pytest.raises(errors.OutputError) as caught:
        OutputSet(tmp_path / "out").open()
    assert caught.value.code == errors.OUT_UNWRITABLE and "symbolic link" in str(caught.value)
    assert (elsewhere / "staging-keep" / "precious.txt").read_text() == "not stretchpipe's"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["staging-keep"], "no lock or state in the link's target"
    result = invoke("run", SEED, "--out", tmp_path / "out")
    assert result.exit_code == 2 and errors.OUT_UNWRITABLE in result.output


def test_the_state_folder_is_private_and_loses_write_access_for_others(tmp_path):
    home = tmp_path / ".out.stretchpipe"
    OutputSet(tmp_path / "out").open().close()
    assert stat.S_IMODE(home.stat().st_mode) & 0o077 == 0, "new: only its owner may enter it"
    home.chmod(0o777)  # an earlier release's folder under a permissive umask, or tampered with
    OutputSet(tmp_path / "out").open().close()
    assert stat.S_IMODE(home.stat().st_mode) & 0o022 == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_state_folder_owned_by_another_user_is_refused(tmp_path):
    home = tmp_path / ".out.stretchpipe"
    home.mkdir(mode=0o755)
    os.chown(home, 65534, 65534)
    with pytest.raises(errors.OutputError) as caught:
        OutputSet(tmp_path / "out").open()
    assert "another user" in str(caught.value)
    assert list(home.iterdir()) == []


# --- 14: links out of an input folder ----------------------------------------------------------------

def test_a_link_out_of_the_input_folder_is_read_only_with_follow_links(tmp_path):
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "notes.txt").write_text(SEED.read_text())
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "seed.txt").write_text(SEED.read_text().replace("Lower Back", "Hips"))
    (pages / "notes.txt").symlink_to(outside / "notes.txt")
    (pages / "same.txt").symlink_to("seed.txt")  # inside the folder: read (as a duplicate)
    default = {m.source.rsplit("/", 1)[-1]: m for m in run([str(pages)]).manifest}
    assert (default["notes.txt"].status, default["notes.txt"].code) == ("skipped", errors.LINK_OUTSIDE)
    assert str(outside / "notes.txt") in default["notes.txt"].reason
    assert {default["same.txt"].code, default["seed.txt"].code} == {None, errors.DUPLICATE}
    followed = {m.source.rsplit("/", 1)[-1]: m for m in run([str(pages)], options=Options(follow_links=True)).manifest}
    assert followed["notes.txt"].status == "processed" and followed["notes.txt"].records > 0
    named = run([str(pages / "notes.txt")]).manifest  # named on the command line: the user chose it
    assert [m.status for m in named] == ["processed"]


# --- 10: control characters -------------------------------------------------------------------------

EVIL_PAGE = """<html><head><title>Stretches&#27;]0;pwned&#7;</title>
<meta name="author" content="Eve&#27;[31m Red">
<script type="application/ld+json">{"@type": "Article", "headline": "Back\\u001b[2J care",
 "author": {"@type": "Person", "name": "Mal\\u0007lory Smith"}}</script></head>
<body><article><h1>Five stretches&#27;]2;title&#7; for the back</h1>
<h2>1. Cat&#27;[31m-Cow Stretch</h2><p>Start on all fours. Arch your back&#155; and hold for 20 seconds.
Repeat 5 times&#7;.</p>
<h2>2. Child&#8;'s Pose</h2><p>Sit back on your heels&#127; and hold for 30 seconds.</p>
<h2>3. Knee-to-Chest Stretch</h2><p>Lie on your back and pull one knee in. Hold for 30 seconds.</p>
</article></body></html>"""


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def test_control_characters_from_pages_reach_no_field_of_any_format(tmp_path):
    page = tmp_path / "pages" / "evil.html"
    page.parent.mkdir()
    page.write_text(EVIL_PAGE)
    out = tmp_path / "out"
    assert invoke("run", page.parent, "--out", out).exit_code == 0
    records = json.loads((out / "stretches.json").read_text())
    assert [r["name"] for r in records] == ["Cat[31m-Cow Stretch", "Child's Pose", "Knee-to-Chest Stretch"]
    assert records[0]["source"]["author"] == "Mal lory Smith" or records[0]["source"]["author"] == "Mallory Smith"
    for name in ("stretches", "articles", "flags", "dataset"):
        for path in [p for ext in ("json", "csv", "jsonl") for p in [out / f"{name}.{ext}"] if p.exists()]:
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".csv":
                strings = [text]
            else:
                data = json.loads(text) if path.suffix == ".json" else [json.loads(x) for x in text.splitlines()]
                strings = list(_strings(data))
            bad = [s for s in strings for c in s if unicodedata.category(c) == "Cc" and c not in "\n\r\t"]
            assert not bad, f"{path.name}: {bad[:3]}"


def test_audit_prints_crafted_file_names_escaped_in_text_and_github_formats(tmp_path):
    name = "evil\x1b]0;owned\x07\n::error file=x.md::injected.html"
    (tmp_path / name).write_text(EVIL_PAGE)
    text = invoke("audit", tmp_path)
    assert text.exit_code in (0, 1) and "\x1b" not in text.output and "\x07" not in text.output
    findings = [line for line in text.output.splitlines() if ": error " in line or ": warning " in line]
    assert findings and all(line.startswith(str(tmp_path / "evil\\x1b]0;owned\\x07\\n::error")) for line in findings)
    github = invoke("audit", tmp_path, "--format", "github")
    lines = github.output.splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == len(findings), "one annotation per finding: no line injected by the name"
    assert all(line.startswith(("::error file=", "::warning file=", "::notice file=")) for line in annotations)
    assert "\x1b" not in github.output


# --- 13: an archive cut anywhere ----------------------------------------------------------------------

def test_an_archive_cut_at_any_byte_gives_the_whole_page_or_a_coded_failure(tmp_path):
    """Each page of a WARC cut short at any byte is either read whole (the cut came after it) or the
    archive fails with SP113 naming where; never a partial page, never "empty" (SP102), never an
    internal error."""
    body = SEED_HTML.read_bytes()[:4000] + b"</body></html>"
    whole = tmp_path / "whole.warc"
    with open(whole, "wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                                   protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://example.org/back", "response",
                                                      payload=io.BytesIO(body), http_headers=headers))
    data = whole.read_bytes()
    full_text = run([str(whole)], until="clean").documents[0].text
    cuts = tmp_path / "cuts"
    cuts.mkdir()
    for n in range(1, len(data), 97):
        (cuts / f"cut-{n:05d}.warc").write_bytes(data[:n])
    result = run([str(cuts)], until="clean")
    by_archive = {}
    for entry in result.manifest:
        by_archive.setdefault(entry.source.split("#")[0].rsplit("/", 1)[-1], []).append(entry)
    assert len(by_archive) == len(list(cuts.iterdir()))
    for name, entries in by_archive.items():
        codes = {e.code for e in entries if e.status != "processed"}
        read = [e for e in entries if e.status == "processed"]
        assert codes == {errors.BAD_ARCHIVE} or (read and not codes), f"{name}: {[(e.code, e.reason) for e in entries]}"
    assert all(doc.text == full_text for doc in result.documents), "no partial page"

import json
import os
import stat
import threading

import pytest

from pipeline import errors
from pipeline.acquire import decode, discover, read_page
from pipeline.config import ACQUIRE
from pipeline.records import ManifestEntry
from pipeline.runner import run

GOOD_PAGE = ("Hip Openers\n\n1. Pigeon Pose\n\nFrom all fours, bring your right knee forward behind your right wrist. "
             "Hold for 30 seconds, then switch sides.\n\n2. Butterfly Stretch\n\nSit on the floor with the soles of "
             "your feet together. Hold for 45 seconds.\n")


def test_reads_utf8_text_and_detects_format(tmp_path):
    p = tmp_path / "a.html"
    p.write_text("<html><body><h2>1. Cobra Pose</h2><p>Lie face down.</p></body></html>", encoding="utf-8")
    page = read_page(str(p))
    assert page.format == "html" and page.encoding == "utf-8" and "Cobra" in page.text
    assert page.encoding_rule == "utf-8"


def test_undeclared_legacy_latin_is_windows_1252(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes("Child’s Pose — hold for 20–30 seconds, café-style.\n".encode("cp1252"))
    page = read_page(str(p))
    assert (page.encoding, page.encoding_rule) == ("windows-1252", "fallback")
    assert "Child’s Pose" in page.text and "café" in page.text


def test_undeclared_latin1_is_not_reported_as_a_central_european_codec(tmp_path):
    p = tmp_path / "latin1.txt"
    p.write_bytes("Crème brûlée après la séance: étirement du dos, très doux. Ça va, garçon?\n".encode("latin-1"))
    page = read_page(str(p))
    assert page.encoding == "windows-1252" and "Crème brûlée" in page.text and "garçon" in page.text


def test_undeclared_cyrillic_is_detected():
    text = "Растяжка для спины: лягте на спину и подтяните колени к груди. Задержитесь на тридцать секунд. " * 3
    decoded = decode(text.encode("cp1251"), html=False)
    assert decoded.rule == "detected" and decoded.encoding == "windows-1251" and decoded.text == text


@pytest.mark.parametrize("content, code", [(b"", errors.EMPTY), (b"  \n\t\n", errors.EMPTY),
                                           (bytes(range(256)) * 8, errors.BINARY)])
def test_bad_files_raise_coded_errors(tmp_path, content, code):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(errors.InputError) as exc:
        read_page(str(p))
    assert exc.value.code == code and str(p) in str(exc.value)


def test_stdin_is_sniffed():
    page = read_page("-", stdin=b"<!doctype html><html><body><p>Hi there</p></body></html>")
    assert page.source == "<stdin>" and page.format == "html"
    md = read_page("-", stdin=b"---\ntitle: X\n---\n## Cobra Pose\n\nLie face down.\n")
    assert md.format == "markdown"


def test_declared_charset_wins(tmp_path):
    p = tmp_path / "page.html"
    p.write_bytes('<html><head><meta charset="iso-8859-2"></head><body><p>Łódź stretch</p></body></html>'
                  .encode("iso-8859-2"))
    page = read_page(str(p))
    assert "Łódź" in page.text and (page.encoding, page.encoding_rule) == ("iso-8859-2", "meta")


# --- decoding as browsers do --------------------------------------------------------------------

def _html(head: str, body: str) -> str:
    return f"<!doctype html><html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


def test_declared_utf8_with_bad_bytes_is_utf8_with_replacements():
    data = _html('<meta charset="utf-8">', "Hold the stretch – gently –").encode("utf-8")
    data = data.replace("gently".encode(), b"gen\xe9tly\xff")  # two stray Latin-1 bytes
    decoded = decode(data, html=True)
    assert (decoded.encoding, decoded.rule) == ("utf-8", "meta")
    assert "Hold the stretch – gen\ufffdtly\ufffd –" in decoded.text and decoded.replaced == 2


def test_undeclared_utf8_with_bad_bytes_is_not_a_baltic_codec():
    data = ("Hold the stretch – breathe – relax. " * 20).encode("utf-8") + b"\xe9"
    decoded = decode(data, html=False)
    assert decoded.encoding == "windows-1252" and decoded.rule == "fallback"


@pytest.mark.parametrize("declaration, encoding", [
    ('<meta charset="utf-16">', "utf-8"),  # a UTF-16 declaration in an ASCII-compatible page means UTF-8
    ('<meta charset="UTF-16BE">', "utf-8"),
    ('<meta charset="x-user-defined">', "windows-1252"),
    ('<meta charset="latin1">', "windows-1252"),
    ('<meta charset="ISO-8859-1">', "windows-1252"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">', "iso-8859-15"),
    ('<meta name="x" content="charset=koi8-r">', "utf-8"),  # not http-equiv: no declaration
    ('<!-- <meta charset="koi8-r"> --><meta charset="utf-8">', "utf-8"),  # a commented-out meta is not read
])
def test_meta_prescan_with_overrides(declaration, encoding):
    decoded = decode(_html(declaration, "Stand tall and reach up.").encode("ascii"), html=True)
    assert decoded.encoding == encoding
    assert "Stand tall and reach up." in decoded.text


def test_unknown_label_is_ignored_and_never_crashes(tmp_path):
    p = tmp_path / "undefined.html"
    p.write_bytes(_html('<meta charset="undefined">', "Cobra – lie face down.").encode("utf-8"))
    page = read_page(str(p))
    assert page.encoding == "utf-8" and page.encoding_rule == "utf-8" and "Cobra – lie" in page.text
    later = decode(_html('<meta charset="bogus"><meta charset="windows-1252">', "café").encode("cp1252"), html=True)
    assert later.encoding == "windows-1252" and later.rule == "meta" and "café" in later.text


def test_bom_beats_transport_beats_meta():
    body = _html('<meta charset="windows-1252">', "naïve")
    assert decode(b"\xef\xbb\xbf" + body.encode("utf-8"), html=True, transport="iso-8859-2").rule == "bom"
    via_header = decode(body.encode("utf-8"), html=True, transport="utf-8")
    assert (via_header.rule, via_header.encoding) == ("transport", "utf-8") and "naïve" in via_header.text
    assert decode(body.encode("cp1252"), html=True, transport="nonsense").rule == "meta"


@pytest.mark.parametrize("codec, encoding", [("utf-16-le", "utf-16le"), ("utf-16-be", "utf-16be")])
def test_utf16_without_bom_is_text_not_binary(tmp_path, codec, encoding):
    p = tmp_path / "notes.txt"
    p.write_bytes(GOOD_PAGE.encode(codec))
    page = read_page(str(p))
    assert (page.encoding, page.encoding_rule) == (encoding, "utf-16-sniff") and "Pigeon Pose" in page.text


def test_nul_bytes_never_reach_the_text(tmp_path):
    p = tmp_path / "nul.html"
    p.write_bytes(_html("", "Lie\x00 on your back.\x00").encode("utf-8"))
    page = read_page(str(p))
    assert "\x00" not in page.text and "Lie on your back." in page.text


def test_html_in_a_txt_file_is_sniffed_and_its_meta_read(tmp_path):
    p = tmp_path / "saved.txt"
    p.write_bytes(_html('<meta charset="windows-1252">', "Child’s Pose").encode("cp1252"))
    page = read_page(str(p))
    assert page.format == "html" and page.encoding_rule == "meta" and "Child’s Pose" in page.text
    plain = tmp_path / "plain.txt"
    plain.write_text("Use <b>bold</b> sparingly.\n\n1. Cobra\n\nLie face down.\n")
    assert read_page(str(plain)).format == "text"


# --- discovery: every path accounted for ---------------------------------------------------------

def test_discover_expands_folders_sorted_and_reports_the_rest(tmp_path):
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.html").write_text("a")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden.txt").write_text("x")
    found = list(discover([str(tmp_path), str(tmp_path / "missing.txt")]))
    paths = [f for f in found if isinstance(f, str)]
    entries = {e.source.rsplit("/", 1)[-1]: (e.status, e.code) for e in found if isinstance(e, ManifestEntry)}
    assert paths == [str(tmp_path / "a.html"), str(tmp_path / "b.txt")]
    assert entries == {"notes.pdf": ("skipped", errors.UNSUPPORTED), ".hidden.txt": ("skipped", errors.HIDDEN),
                       "missing.txt": ("failed", errors.NOT_FOUND)}


@pytest.fixture
def hostile_folder(tmp_path, monkeypatch):
    """A folder with a good page beside every kind of input that must not sink a run."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(GOOD_PAGE)
    (raw / "dangling.txt").symlink_to(raw / "gone.txt")
    (raw / "loop.txt").symlink_to(raw / "loop.txt")
    (raw / "back").symlink_to(raw)  # a folder link back to the folder being walked
    os.mkfifo(raw / "pipe.txt")
    (raw / "zero.txt").symlink_to("/dev/zero")
    (raw / "same.txt").symlink_to(raw / "good.txt")
    secret = raw / "secret.txt"
    secret.write_text(GOOD_PAGE)
    secret.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the kernel's refusal happen for this one path
        real_open = os.open

        def refuse(path, *args, **kwargs):
            if os.fspath(path) == str(secret):
                raise PermissionError(13, "Permission denied", str(secret))
            return real_open(path, *args, **kwargs)
        monkeypatch.setattr(os, "open", refuse)
    with open(raw / "huge.txt", "wb") as fh:  # sparse: costs no disk
        fh.truncate(ACQUIRE.max_bytes + 1)
    (raw / os.fsdecode(b"caf\xe9-latin1-name.txt")).write_text(GOOD_PAGE.replace("Hip", "Evening"))
    (raw / "processed").mkdir()
    (raw / "processed" / "stretches.json").write_text("[]")
    return raw


def test_every_hostile_input_ends_in_the_manifest_with_a_precise_code(hostile_folder):
    raw = hostile_folder
    result = run([str(raw), str(raw / "good.txt"), "/dev/zero"], exclude=[raw / "processed"])
    by_name = {m.source.rsplit("/", 1)[-1]: m for m in result.manifest}
    codes = {name: (m.status, m.code) for name, m in by_name.items()}
    assert codes["dangling.txt"] == ("failed", errors.BROKEN_LINK)
    assert codes["loop.txt"] == ("failed", errors.SYMLINK_LOOP)
    assert codes["back"] == ("failed", errors.SYMLINK_LOOP)
    assert codes["pipe.txt"] == ("skipped", errors.NOT_REGULAR) and "FIFO" in by_name["pipe.txt"].reason
    # a link out of the input folder is not followed (issue 18); /dev/zero named directly is
    assert codes["zero.txt"] == ("skipped", errors.LINK_OUTSIDE) and "/dev/zero" in by_name["zero.txt"].reason
    assert codes["zero"] == ("skipped", errors.NOT_REGULAR)
    assert codes["same.txt"] == ("skipped", errors.DUPLICATE)
    assert codes["secret.txt"] == ("failed", errors.PERMISSION_DENIED)
    assert codes["huge.txt"] == ("skipped", errors.TOO_LARGE)
    assert codes["processed"] == ("skipped", errors.IN_OUTPUT)
    # good.txt given twice: processed once, the second mention a duplicate
    goods = [m for m in result.manifest if m.source.endswith("/good.txt")]
    assert [(m.status, m.code) for m in goods] == [("processed", None), ("skipped", errors.DUPLICATE)]
    latin_name = by_name["caf\\xe9-latin1-name.txt"]
    assert latin_name.status == "processed" and latin_name.records == 2
    json.dumps([m.to_dict() for m in result.manifest]).encode("utf-8")  # every source is writable as UTF-8
    assert {a.title for a in result.articles} == {"Hip Openers", "Evening Openers"}


def test_fifo_given_directly_never_blocks(tmp_path):
    fifo = tmp_path / "page.html"
    os.mkfifo(fifo)
    done = threading.Event()
    outcome = {}

    def go():
        outcome["result"] = run([str(fifo)])
        done.set()
    threading.Thread(target=go, daemon=True).start()
    assert done.wait(10), "reading a FIFO blocked"
    [entry] = outcome["result"].manifest
    assert (entry.status, entry.code) == ("skipped", errors.NOT_REGULAR)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_read_page_refuses_devices_and_oversize_without_reading_them(tmp_path):
    with pytest.raises(errors.InputError) as exc:
        read_page("/dev/zero")
    assert exc.value.code == errors.NOT_REGULAR
    big = tmp_path / "big.html"
    with open(big, "wb") as fh:
        fh.truncate(ACQUIRE.max_bytes + 1)
    with pytest.raises(errors.InputError) as exc:
        read_page(str(big))
    assert exc.value.code == errors.TOO_LARGE


def test_a_file_that_grew_after_its_size_was_read_is_read_whole_or_refused_past_the_limit(tmp_path, monkeypatch):
    """read_bytes asks for the size the file had (plus a byte); a file that grew since is read on to
    the limit: whole when under it, refused past it, as when it was read to the limit at once."""
    import os as real_os

    from pipeline.acquire import files
    page = tmp_path / "growing.txt"
    page.write_bytes(b"Hold the stretch for 30 seconds.\n" * 100)
    stat = real_os.stat(page)

    class Smaller:  # the size fstat saw before the writer appended the rest
        st_size = 10
        st_mode = stat.st_mode

    monkeypatch.setattr(files.os, "fstat", lambda fd: Smaller)
    assert files.read_bytes(str(page)) == page.read_bytes()
    with pytest.raises(errors.InputError) as exc:
        files.read_bytes(str(page), limit=1000)
    assert exc.value.code == errors.TOO_LARGE


def test_an_out_folder_inside_the_input_folder_is_never_read_back(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(GOOD_PAGE)
    out = raw / "processed"
    for _ in range(2):
        result = CliRunner().invoke(main, ["run", str(raw), "--out", str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())["inputs"]
    # .processed.stretchpipe beside it holds the run's lock and resume state: part of the output too
    assert [(m["source"].rsplit("/", 1)[-1], m["status"], m["code"]) for m in manifest] == [
        (".processed.stretchpipe", "skipped", errors.IN_OUTPUT), ("good.txt", "processed", None),
        ("processed", "skipped", errors.IN_OUTPUT)]


def test_gzip_compressed_pages_are_read_and_their_inner_name_tells_the_format(tmp_path, monkeypatch):
    import gzip
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "page.html.gz").write_bytes(gzip.compress(
        '<html><head><meta charset="windows-1252"></head><body><h1>Child’s Pose</h1></body></html>'.encode("cp1252")))
    (folder / "notes.txt.gz").write_bytes(gzip.compress(GOOD_PAGE.encode()))
    (folder / "torn.html.gz").write_bytes(gzip.compress(b"<p>cut</p>" * 100)[:30])
    (folder / "data.csv.gz").write_bytes(gzip.compress(b"a,b\n"))
    found = list(discover([str(folder)]))
    assert [f.rsplit("/", 1)[-1] for f in found if isinstance(f, str)] == ["notes.txt.gz", "page.html.gz", "torn.html.gz"]
    assert [(e.code, e.source.rsplit("/", 1)[-1]) for e in found if isinstance(e, ManifestEntry)] == [
        (errors.UNSUPPORTED, "data.csv.gz")]
    html = read_page(str(folder / "page.html.gz"))
    assert (html.format, html.encoding_rule, html.source) == ("html", "meta", str(folder / "page.html.gz"))
    assert "Child’s Pose" in html.text
    assert read_page(str(folder / "notes.txt.gz")).format == "text"
    with pytest.raises(errors.InputError) as exc:
        read_page(str(folder / "torn.html.gz"))
    assert exc.value.code == errors.READ_ERROR and "gzip" in str(exc.value)
    monkeypatch.setattr("pipeline.acquire.files.ACQUIRE", ACQUIRE.__class__(max_bytes=500))
    bomb = folder / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"<p>" + b" " * 100_000 + b"</p>"))
    with pytest.raises(errors.InputError) as exc:
        read_page(str(bomb))
    assert exc.value.code == errors.TOO_LARGE and "uncompressed" in str(exc.value)


def test_stdin_from_dev_zero_ends_as_too_large():
    import subprocess
    import sys
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "extract", "-"], stdin=zero,
                              capture_output=True, timeout=120)
    assert proc.returncode == 1 and b"SP301" in proc.stderr and proc.stdout == b""


def test_fetch_bookkeeping_beside_its_archive_is_named_as_such(tmp_path):
    """After `stretchpipe fetch --into raw`, `make run` meets the crawl index and the fetch manifest: they are
    accounted for as fetch bookkeeping (SP116), not as pages of an unsupported type."""
    (tmp_path / "page.txt").write_text("Stretches\n\n1. Cobra\n\nLie face down and press up. Hold 20 seconds.\n")
    (tmp_path / "crawl.sqlite").write_bytes(b"SQLite format 3\x00")
    (tmp_path / "fetch-manifest.json").write_text("{}")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    entries = {os.path.basename(str(e.source)): e.code for e in discover([str(tmp_path)])
               if isinstance(e, ManifestEntry)}
    assert entries == {"crawl.sqlite": errors.CRAWL_INDEX, "fetch-manifest.json": errors.CRAWL_INDEX,
                       "notes.docx": errors.UNSUPPORTED}

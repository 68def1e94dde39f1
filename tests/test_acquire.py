import pytest

from pipeline import errors
from pipeline.acquire import discover, read_page
from pipeline.records import ManifestEntry


def test_reads_utf8_text_and_detects_format(tmp_path):
    p = tmp_path / "a.html"
    p.write_text("<html><body><h2>1. Cobra Pose</h2><p>Lie face down.</p></body></html>", encoding="utf-8")
    page = read_page(str(p))
    assert page.format == "html" and page.encoding == "utf-8" and "Cobra" in page.text


def test_decodes_non_utf8_file(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes("Child’s Pose — hold for 20–30 seconds, café-style.\n".encode("cp1252"))
    page = read_page(str(p))
    assert page.encoding != "utf-8"
    assert "Child’s Pose" in page.text and "café" in page.text


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


def test_discover_expands_folders_sorted_and_reports_the_rest(tmp_path):
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.html").write_text("a")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden.txt").write_text("x")
    found = list(discover([str(tmp_path), str(tmp_path / "missing.txt")]))
    paths = [f for f in found if isinstance(f, str)]
    entries = [f for f in found if isinstance(f, ManifestEntry)]
    assert paths == [str(tmp_path / "a.html"), str(tmp_path / "b.txt")]
    assert {(e.status, e.code) for e in entries} == {("skipped", errors.UNSUPPORTED), ("failed", errors.NOT_FOUND)}


def test_declared_charset_wins(tmp_path):
    p = tmp_path / "page.html"
    p.write_bytes('<html><head><meta charset="iso-8859-2"></head><body><p>Łódź stretch</p></body></html>'
                  .encode("iso-8859-2"))
    page = read_page(str(p))
    assert "Łódź" in page.text and page.encoding == "iso8859-2"

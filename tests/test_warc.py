"""Web archives as input: a WARC written here with warcio, shaped like Common Crawl's (warcinfo,
request, response, revisit and metadata records, non-HTML and non-2xx responses)."""
import io
from collections import Counter

from conftest import REPO
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline import errors
from pipeline.runner import run

SEED_HTML = (REPO / "raw" / "13-stretches-for-lower-back-pain.html").read_bytes()


def _response(writer, url, body, content_type="text/html", status="200 OK"):
    headers = StatusAndHeaders(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                               protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)


def test_each_html_response_is_a_page_and_the_rest_is_counted(tmp_path):
    path = tmp_path / "CC-MAIN-sample.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record("CC-MAIN-sample.warc.gz", {"software": "test"}))
        writer.write_record(writer.create_warc_record(
            "https://example.org/back", "request", payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders("GET /back HTTP/1.1", [("Host", "example.org")], is_http_request=True)))
        writer.write_record(_response(writer, "https://example.org/back", SEED_HTML))
        writer.write_record(_response(writer, "https://example.org/guide.pdf", b"%PDF-1.4", "application/pdf"))
        writer.write_record(_response(writer, "https://example.org/missing", b"<p>no</p>", status="404 Not Found"))
        writer.write_record(_response(writer, "https://example.org/latin", "<meta charset=latin1><p>café</p>"
                                      .encode("latin-1"), "text/html"))
        writer.write_record(_response(writer, "https://example.org/cp", "<p>naïve</p>".encode("cp1252"),
                                      "text/html; charset=windows-1252"))
        revisit = writer.create_revisit_record("https://example.org/back", digest="sha1:AAAA",
                                               refers_to_uri="https://example.org/back", refers_to_date="2024-01-01")
        writer.write_record(revisit)
        writer.write_record(writer.create_warc_record("https://example.org/back", "metadata",
                                                      payload=io.BytesIO(b"fetchTimeMs: 12")))
    from pipeline.acquire import discover
    refs = [item for item in discover([str(path)]) if isinstance(item, str)]
    assert len(refs) == 3 and all(ref.startswith(f"{path}#") for ref in refs)  # one task, one budget per page
    result = run([str(path)])
    by_source = {m.source: m for m in result.manifest}
    archive = by_source.pop(str(path))  # each page is an input of its own; the archive counts the rest
    assert set(by_source) == {"https://example.org/back", "https://example.org/latin", "https://example.org/cp"}
    assert (archive.status, archive.code) == ("skipped", errors.NOT_PAGES)
    assert archive.reason.endswith("1 metadata, 1 not html, 1 not ok, 1 request, 1 revisit, 1 warcinfo")
    assert by_source["https://example.org/back"].records == 13
    assert (by_source["https://example.org/latin"].encoding, by_source["https://example.org/latin"].encoding_rule) \
        == ("windows-1252", "meta")
    assert by_source["https://example.org/cp"].encoding_rule == "transport"
    assert result.stats["acquire/warc/pages"] == 3
    assert result.articles[0].source.url == "https://example.org/back" and result.articles[0].source.path is None


def test_a_broken_archive_fails_with_its_own_code_after_the_pages_before_it(tmp_path):
    path = tmp_path / "torn.warc"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        writer.write_record(_response(writer, "https://example.org/back", SEED_HTML))
        fh.write(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\nshort")
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"this is not an archive at all\n" * 10)
    only_pdf = tmp_path / "pdf-only.warc.gz"
    with open(only_pdf, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(_response(writer, "https://example.org/guide.pdf", b"%PDF-1.4", "application/pdf"))
    result = run([str(path), str(junk), str(only_pdf)])
    statuses = [(m.source.rsplit("/", 1)[-1], m.status, m.code) for m in result.manifest]
    assert statuses == [("back", "processed", None), ("torn.warc", "failed", errors.BAD_ARCHIVE),
                        ("junk.warc.gz", "failed", errors.BAD_ARCHIVE), ("pdf-only.warc.gz", "skipped", errors.NO_PAGES)]


def test_one_record_of_an_archive_by_reference(tmp_path):
    path = tmp_path / "two.warc"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        writer.write_record(_response(writer, "https://example.org/pdf", b"%PDF-1.4", "application/pdf"))
        second = fh.tell()
        writer.write_record(_response(writer, "https://example.org/back", SEED_HTML))
    result = run([f"{path}#{second}", f"{path}#0", f"{path}#7", f"{path}#{second}"])
    statuses = [(m.source.rsplit("/", 1)[-1], m.status, m.code) for m in result.manifest]
    assert statuses == [("back", "processed", None), ("two.warc#0", "skipped", errors.NO_PAGES),
                        ("two.warc#7", "failed", errors.BAD_ARCHIVE),
                        (f"two.warc#{second}", "skipped", errors.DUPLICATE)]


def _page(name):
    return (f"<html><body><h1>{name}</h1><h2>1. {name}</h2><p>Ease into it slowly. Hold 30 seconds, then switch "
            "sides.</p><h2>2. Child's Pose</h2><p>Kneel and sit back on your heels. Hold for 5 breaths.</p>"
            "</body></html>").encode()


def test_a_record_of_wrong_stated_length_is_reported_and_the_next_one_still_read(tmp_path, capfd):
    """A Content-Length 300 bytes too long used to swallow the next record (a warcio warning on
    stderr, no manifest entry); the record of wrong length is SP113 now, the next one is read."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for url in ("https://example.org/calf", "https://example.org/hip", "https://example.org/neck"):
        writer.write_record(_response(writer, url, _page(url.rsplit("/", 1)[1].title() + " Stretch")))
    data = buffer.getvalue()
    first = data.index(b"Content-Length: ")
    end = data.index(b"\r\n", first)
    stated = int(data[first + 16:end])
    path = tmp_path / "crawl.warc"
    path.write_bytes(data[:first + 16] + str(stated + 300).encode() + data[end:])
    result = run([str(path)])
    by_source = {m.source: m for m in result.manifest}
    assert (by_source[f"{path}#0"].status, by_source[f"{path}#0"].code) == ("failed", errors.BAD_ARCHIVE)
    assert by_source["https://example.org/hip"].records == 2 and by_source["https://example.org/neck"].records == 2
    assert len(by_source) == 3
    from pipeline.acquire.warc import read_warc
    stats = Counter()
    assert [p.url for p in read_warc(str(path), stats=stats)] == ["https://example.org/hip", "https://example.org/neck"]
    assert stats[f"acquire/warc/{errors.BAD_ARCHIVE}"] == 1
    assert "WARNING" not in capfd.readouterr().err

"""The parsers under Hypothesis: HTML, Markdown, front matter, WARC, sitemaps, robots.txt.

`make test` runs a fixed, derandomized budget of examples per parser (a few seconds in all);
`make fuzz` runs many more, randomly (HYPOTHESIS_PROFILE=fuzz). The property everywhere: a hostile
input ends as data or as a coded InputError, never as another exception and never as a stray
line on stderr. A crash found here becomes a case in tests/hostile/ (one file; see its README).
"""
from __future__ import annotations

import gzip
import io
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from helpers import article_from

from pipeline import errors

_COMMON = {"deadline": None, "database": None,
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                     HealthCheck.data_too_large]}
settings.register_profile("ci", max_examples=15, derandomize=True, print_blob=True, **_COMMON)
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1000")), **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

WORDS = ["Hold", "30 seconds", "stretch", "your", "hips", "1.", "2)", "Step", "Cobra Pose", "each side", "x",
         "breaths", "Targets:", "repeat", "10 times", "\u00a0", "\u200b", "\x00", "\x1b[31m", "&#27;", "&#7;",
         "&amp;", "&lt;", "é", "💪", "\r", "\t"]
HTML_BITS = ["<ul>", "</ul>", "<ol start=3>", "</ol>", "<li>", "</li>", "<h1>", "</h1>", "<h2>", "</h2>", "<h3>",
             "<p>", "</p>", "<div>", "</div>", "<br>", "<table>", "<tr>", "<td>", "<th>", "</table>", "<dl><dt>",
             "<dd>", "<b>", "</b>", "<a href='/x'>", "</a>", "<nav>", "</nav>", "<script>", "</script>", "<!--",
             "-->", "<![CDATA[", "]]>", "<title>", "</title>", "<meta charset=utf-16>",
             "<?xml version='1.0' encoding='utf-8'?>", "<!DOCTYPE html>", "<svg>", "<math>", "<", ">", "\"", "'",
             "</", "/>", "<blockquote>", "<pre>", "<span>", "<body>", "<html>", "<figure>"]
MD_BITS = ["\n", "\n\n", "- ", "* ", "+ ", "1. ", "2) ", "  ", "    ", "> ", "# ", "## ", "### ", "|", "|---|",
           "```", "~~~", "***", "---", "___", "[", "](", ")", "![", "<div>", "</div>", "<br>", "\\", "  \n",
           "Title: ", "URL Source: ", "**", "_", "`"]
FRONT_BITS = ["title: ", "steps:", "  - ", "- name: ", "exercises:", "  duration: ", "{", "}", "[", "]", ": ",
              "\"", "'", "&a", "*a", "!!python/object", "<<: ", "? ", "|", ">", "%YAML 1.2", "\n", "  ",
              "= ", "[[x]]", "x = 1", "\t"]


def _mixed(bits: list[str]):
    return st.lists(st.one_of(st.sampled_from(bits), st.sampled_from(WORDS), st.text(max_size=12)),
                    max_size=60).map("".join)


@given(_mixed(HTML_BITS))
def test_html_pages_never_crash(text):
    article = article_from(text, "html")
    assert all(isinstance(r.name, str) for r in article.records)


@given(_mixed(MD_BITS))
def test_markdown_pages_never_crash(text):
    article = article_from(text, "markdown")
    assert all(isinstance(r.name, str) for r in article.records)


@given(st.sampled_from(["---", "+++"]), _mixed(FRONT_BITS), _mixed(MD_BITS))
def test_front_matter_never_crashes(fence, front, body):
    article = article_from(f"{fence}\n{front}\n{fence}\n{body}", "markdown")
    assert all(isinstance(r.name, str) for r in article.records)


# --------------------------------------------------------------------------- WARC

def _warc(bodies: list[bytes], gzipped: bool) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    for n, body in enumerate(bodies):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                                   protocol="HTTP/1.1")
        fixed = {"WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>",  # the same bytes every time
                 "WARC-Date": "2024-01-01T00:00:00Z"}
        writer.write_record(writer.create_warc_record(f"https://example.org/{n}", "response",
                                                      payload=io.BytesIO(body), http_headers=headers,
                                                      warc_headers_dict=fixed))
    return buffer.getvalue()


@st.composite
def damaged_warcs(draw):
    bodies = draw(st.lists(_mixed(HTML_BITS).map(lambda t: t.encode("utf-8", "surrogatepass")), min_size=1,
                           max_size=3))
    data = bytearray(_warc(bodies, draw(st.booleans())))
    for _ in range(draw(st.integers(0, 3))):
        edit = draw(st.sampled_from(["flip", "cut", "insert", "length"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if edit == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif edit == "cut":
            del data[at:at + draw(st.integers(1, 200))]
        elif edit == "insert":
            data[at:at] = draw(st.binary(max_size=40))
        else:  # a stated length that lies
            start = data.find(b"Content-Length: ")
            if start >= 0:
                end = data.find(b"\r\n", start)
                data[start + 16:end] = str(draw(st.integers(0, 5000))).encode()
    return bytes(data)


@given(damaged_warcs())
def test_warc_archives_never_crash_nor_print(tmp_path_factory, capfd, data):
    from pipeline.acquire.warc import page_records, read_warc_record
    path = tmp_path_factory.mktemp("warc") / "crawl.warc"
    path.write_bytes(data)
    offsets, others, error = page_records(str(path))
    assert error is None or error.code == errors.BAD_ARCHIVE
    for offset in offsets:
        try:
            page = read_warc_record(str(path), offset)
        except errors.InputError:
            continue
        article_from(page.text, page.format)
    assert capfd.readouterr().err == "", "a library wrote to stderr: it must be a manifest entry"


# --------------------------------------------------------------------------- sitemaps and robots.txt

class _Server:
    """One loopback HTTP server for the session: answers every path with the body set last."""

    def __init__(self):
        self.body, self.content_type = b"", "text/plain"
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server's naming)
                self.send_response(200)
                self.send_header("Content-Type", server.content_type)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def server():
    srv = _Server()
    yield srv
    srv.httpd.shutdown()


SITEMAP_BITS = ["<?xml version='1.0'?>", "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>", "</urlset>",
                "<url>", "</url>", "<loc>", "</loc>", "<sitemapindex>", "<sitemap>", "</sitemap>", "</sitemapindex>",
                "http://127.0.0.1/a", "https://example.org/p", "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;", "<rss>",
                "<channel><item><link>", "<feed><entry>", "Sitemap: ", "\n", "<", ">"]
ROBOTS_BITS = ["User-agent: *", "User-agent: stretchpipe", "Disallow: /", "Allow: /a", "Crawl-delay: ",
               "Crawl-delay: 1e308", "Crawl-delay: nan", "Sitemap: ", "\n", "#", "*", "$", "/%", "%ff", ":"]


@given(_mixed(SITEMAP_BITS), st.booleans())
def test_sitemaps_never_crash(server, capfd, text, gzipped):
    from pipeline.acquire.fetch import sitemap_urls
    from pipeline.acquire.http import FetchOptions, PoliteClient
    body = text.encode("utf-8", "surrogatepass")
    server.body, server.content_type = (gzip.compress(body), "application/gzip") if gzipped else (body, "text/xml")
    with PoliteClient(FetchOptions(delay=0, timeout=2, retries=0, allow_private=True)) as client:
        pages, failed = sitemap_urls(server.base + "/sitemap.xml" + (".gz" if gzipped else ""), client)
    assert all(isinstance(p, str) for p in pages) and all(f.code for f in failed)
    assert "Traceback" not in capfd.readouterr().err


@given(_mixed(ROBOTS_BITS))
def test_robots_txt_never_crashes(server, text):
    from pipeline.acquire.http import FetchOptions, PoliteClient
    server.body, server.content_type = text.encode("utf-8", "surrogatepass"), "text/plain"
    with PoliteClient(FetchOptions(delay=0, timeout=2, retries=0, allow_private=True)) as client:
        assert client.allowed(server.base + "/page.html") in (True, False)
        assert client.crawl_delay(server.base + "/page.html") >= 0

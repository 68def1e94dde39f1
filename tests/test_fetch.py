"""stretchpipe fetch against a real HTTP server on 127.0.0.1 started here; nothing leaves loopback.

Short delays, timeouts and backoffs keep the whole file to a few seconds."""
import gzip
import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from conftest import DATA, REPO

from pipeline import errors
from pipeline.acquire.fetch import fetch_urls, sitemap_urls
from pipeline.acquire.http import FetchOptions, PoliteClient
from pipeline.acquire.store import INDEX_NAME, WARC_NAME, CrawlStore
from pipeline.cli import main
from pipeline.runner import run

SEED_HTML = REPO / "raw" / "13-stretches-for-lower-back-pain.html"
CARDS_HTML = DATA / "cards-full-body.html"
LATIN1_PAGE = ('<html><head><meta charset="iso-8859-1"><title>Étirements</title></head><body>'
               '<h1>Deux étirements pour le dos</h1><h2>1. Cobra Pose</h2><p>Lie face down, café au lait '
               'optional. Press up and hold 20 seconds.</p></body></html>').encode("latin-1")
FAST = FetchOptions(delay=0, timeout=0.5, retries=1, backoff=0.05, max_bytes=400_000, allow_private=True)


class Site:
    """Routes: path -> handler(request) -> (status, headers, body). Counts what was asked."""

    def __init__(self):
        self.hits = defaultdict(int)
        self.request_headers = defaultdict(list)
        self.routes = {}
        self.base = ""

    def route(self, path, status=200, body=b"", headers=None, content_type="text/html"):
        def handler(_request):
            return status, {"Content-Type": content_type, **(headers or {})}, body
        self.routes[path] = handler


@pytest.fixture
def site():
    site = Site()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 (http.server's naming)
            site.hits[self.path] += 1
            site.request_headers[self.path].append(dict(self.headers))
            handler = site.routes.get(self.path)
            if handler is None:
                status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
            else:
                status, headers, body = handler(self)
            if body is None:  # the handler wrote the response itself
                return
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield site
    server.shutdown()
    server.server_close()


def _serve_pages(site):
    site.route("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site.route("/seed.html", body=SEED_HTML.read_bytes(), headers={"ETag": '"seed-v1"'})
    site.route("/cards.html", body=CARDS_HTML.read_bytes())
    site.route("/private/page.html", body=b"<p>secret</p>")


def test_each_case_ends_as_the_manifest_says(site, tmp_path):
    _serve_pages(site)
    flaky = iter([(500, {"Content-Type": "text/html"}, b"oops")])
    site.routes["/flaky.html"] = lambda r: next(flaky, (200, {"Content-Type": "text/html"}, b"<p>Now it works</p>"))
    busy = iter([(429, {"Content-Type": "text/plain", "Retry-After": "1"}, b"slow down")])
    site.routes["/busy.html"] = lambda r: next(busy, (200, {"Content-Type": "text/html"}, b"<p>Welcome back</p>"))

    def slow(request):
        time.sleep(1.5)
        return 200, {"Content-Type": "text/html"}, b"<p>too late</p>"
    site.routes["/slow.html"] = slow
    site.route("/loop-a", status=302, headers={"Location": "/loop-b"})
    site.route("/loop-b", status=301, headers={"Location": "/loop-a"})
    site.route("/moved", status=301, headers={"Location": "/cards.html"})
    site.route("/big.html", body=b"<p>" + b"x" * 500_000 + b"</p>")
    site.route("/guide.pdf", body=b"%PDF-1.4 ...", content_type="application/pdf")
    site.route("/gone.html", status=404, body=b"gone", content_type="text/plain")
    site.route("/gzip.html", body=gzip.compress(CARDS_HTML.read_bytes()), headers={"Content-Encoding": "gzip"})
    site.route("/latin1.html", body=LATIN1_PAGE)
    names = ["seed.html", "private/page.html", "flaky.html", "busy.html", "slow.html", "loop-a", "moved", "big.html",
             "guide.pdf", "gone.html", "gzip.html", "latin1.html"]
    waits = []

    def recording_sleep(seconds):
        waits.append(seconds)
        time.sleep(seconds)
    with PoliteClient(FAST, sleep=recording_sleep) as client:
        outcomes = fetch_urls([f"{site.base}/{n}" for n in names], str(tmp_path), FAST, client=client)
    got = {o.url.rsplit("/", 1)[-1] if "private" not in o.url else "private/page.html": (o.status, o.code)
           for o in outcomes}
    assert got == {
        "seed.html": ("fetched", None),
        "private/page.html": ("skipped", errors.ROBOTS_DISALLOWED),
        "flaky.html": ("fetched", None),
        "busy.html": ("fetched", None),
        "slow.html": ("failed", errors.NETWORK),
        "loop-a": ("failed", errors.REDIRECTS),
        "moved": ("fetched", None),
        "big.html": ("skipped", errors.FETCH_TOO_LARGE),
        "guide.pdf": ("skipped", errors.CONTENT_TYPE),
        "gone.html": ("failed", errors.HTTP_STATUS),
        "gzip.html": ("fetched", None),
        "latin1.html": ("fetched", None),
    }
    by_name = {o.url.rsplit("/", 1)[-1]: o for o in outcomes}
    assert "redirect loop" in by_name["loop-a"].reason and by_name["moved"].final_url.endswith("/cards.html")
    assert "404" in by_name["gone.html"].reason
    assert site.hits["/private/page.html"] == 0, "robots.txt must be honoured before any request"
    assert site.hits["/flaky.html"] == 2 and site.hits["/busy.html"] == 2
    assert site.hits["/gone.html"] == 1, "no retry on a 404"
    assert site.hits["/slow.html"] == 2, "a timeout is retried, then given up"
    assert 1.0 in waits, "Retry-After: 1 was honoured"
    assert all(h.get("User-Agent", "").startswith("stretchpipe/") for hs in site.request_headers.values() for h in hs)

    # what was stored reads back as pages, with the URL as source and the transport/meta charset applied
    result = run([str(tmp_path)])
    pages = {m.source.rsplit("/", 1)[-1]: m for m in result.manifest if m.source.startswith("http")}
    assert set(pages) == {"seed.html", "flaky.html", "busy.html", "cards.html", "gzip.html", "latin1.html"}
    assert (pages["latin1.html"].encoding, pages["latin1.html"].encoding_rule) == ("windows-1252", "meta")
    assert pages["gzip.html"].records == pages["cards.html"].records > 0
    assert result.stats["acquire/warc/pages"] == 6


def test_warc_round_trip_gives_the_same_records_as_the_saved_html(site, tmp_path):
    _serve_pages(site)
    outcomes = fetch_urls([f"{site.base}/seed.html", f"{site.base}/cards.html"], str(tmp_path / "raw"), FAST)
    assert [o.status for o in outcomes] == ["fetched", "fetched"]
    from_warc = run([str(tmp_path / "raw" / WARC_NAME)])
    from_files = run([str(SEED_HTML), str(CARDS_HTML)])

    def records(result):
        out = []
        for article in result.articles:
            for record in article.records:
                d = record.to_dict()
                for key in ("id", "article_id"):  # ids come from the URL for fetched pages, the path for files
                    d.pop(key)
                d["source"].pop("path"), d["source"].pop("url")
                d["flags"] = [{k: v for k, v in f.items() if not k.endswith("id")} for f in d["flags"]]
                out.append(d)
        return out
    assert len(from_warc.articles) == 2
    assert records(from_warc) == records(from_files) and len(records(from_files)) > 13
    assert [a.source.url for a in from_warc.articles] == [f"{site.base}/seed.html", f"{site.base}/cards.html"]


def test_rerun_skips_and_refresh_revalidates(site, tmp_path):
    _serve_pages(site)

    def conditional(request):
        if request.headers.get("If-None-Match") == '"seed-v1"':
            return 304, {"ETag": '"seed-v1"'}, b""
        return 200, {"Content-Type": "text/html", "ETag": '"seed-v1"'}, SEED_HTML.read_bytes()
    site.routes["/seed.html"] = conditional
    urls = [f"{site.base}/seed.html", f"{site.base}/cards.html"]
    assert [o.status for o in fetch_urls(urls, str(tmp_path), FAST)] == ["fetched", "fetched"]
    again = fetch_urls(urls, str(tmp_path), FAST)
    assert [o.status for o in again] == ["skipped", "skipped"] and "already fetched" in again[0].reason
    assert site.hits["/seed.html"] == 1
    refreshed = fetch_urls(urls, str(tmp_path), FAST, refresh=True)
    assert [(o.status, o.reason) for o in refreshed] == [("not-modified", "304 Not Modified"),
                                                         ("not-modified", "same content as stored")]
    assert site.request_headers["/seed.html"][-1]["If-None-Match"] == '"seed-v1"'
    with CrawlStore(tmp_path) as store:
        row = store.get(urls[0])
    assert row.etag == '"seed-v1"' and row.status == 200 and len(row.sha256) == 64 and row.warc_file == WARC_NAME


def test_an_interrupted_write_never_leaves_a_half_record(site, tmp_path):
    _serve_pages(site)
    fetch_urls([f"{site.base}/seed.html"], str(tmp_path), FAST)
    good_size = (tmp_path / WARC_NAME).stat().st_size
    with open(tmp_path / WARC_NAME, "ab") as fh:  # a crash in the middle of the next append
        fh.write(gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n")[:25])
    outcomes = fetch_urls([f"{site.base}/seed.html", f"{site.base}/cards.html"], str(tmp_path), FAST)
    assert [o.status for o in outcomes] == ["skipped", "fetched"]
    with CrawlStore(tmp_path) as store:
        cards = store.get(f"{site.base}/cards.html")
    assert cards.offset > good_size - 1 and cards.offset < good_size + 2000, "the torn bytes were cut off first"
    result = run([str(tmp_path / WARC_NAME)])
    assert [(m.status, m.code) for m in result.manifest] == [("processed", None), ("processed", None),
                                                             ("skipped", errors.NOT_PAGES)]  # the request records


def test_private_addresses_are_refused_unless_allowed(site, tmp_path):
    _serve_pages(site)
    strict = FetchOptions(delay=0, timeout=0.5, retries=0)
    [outcome] = fetch_urls([f"{site.base}/seed.html"], str(tmp_path), strict)
    assert (outcome.status, outcome.code) == ("skipped", errors.PRIVATE_ADDRESS) and "127.0.0.1" in outcome.reason
    assert sum(site.hits.values()) == 0, "no request, not even robots.txt, to a refused address"
    [bad] = fetch_urls(["ftp://127.0.0.1/file.html"], str(tmp_path), FAST)
    assert (bad.status, bad.code) == ("failed", errors.BAD_URL)


def test_crawl_delay_spaces_requests_to_one_host(site, tmp_path):
    site.route("/robots.txt", body=b"User-agent: *\nCrawl-delay: 0.3\n", content_type="text/plain")
    arrivals = []

    def timed(request):
        arrivals.append(time.monotonic())
        return 200, {"Content-Type": "text/html"}, b"<p>page</p>"
    site.routes["/a.html"] = site.routes["/b.html"] = site.routes["/c.html"] = timed
    fetch_urls([f"{site.base}/{n}.html" for n in "abc"], str(tmp_path), FAST)  # FAST asks for no delay
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:])]
    assert len(arrivals) == 3 and all(gap >= 0.29 for gap in gaps), gaps


def test_sitemap_index_with_gzip_child(site, tmp_path):
    site.route("/sitemap_index.xml", content_type="application/xml", body=(
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f'<sitemap><loc>{site.base}/sitemap-1.xml.gz</loc></sitemap>'
        f'<sitemap><loc>{site.base}/sitemap-2.xml</loc></sitemap>'
        f'<sitemap><loc>{site.base}/sitemap-3.xml</loc></sitemap></sitemapindex>').encode())  # 404
    site.route("/sitemap-1.xml.gz", content_type="application/gzip", body=gzip.compress((
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f'<url><loc>{site.base}/seed.html</loc></url><url><loc>{site.base}/cards.html</loc></url></urlset>').encode()))
    site.route("/sitemap-2.xml", content_type="application/xml", body=(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f'<url><loc>{site.base}/latin1.html</loc></url></urlset>').encode())
    with PoliteClient(FAST) as client:
        urls, failed = sitemap_urls(f"{site.base}/sitemap_index.xml", client)
    assert sorted(urls) == sorted(f"{site.base}/{n}" for n in ("seed.html", "cards.html", "latin1.html"))
    assert [(f.url.rsplit("/", 1)[-1], f.status, f.code) for f in failed] == [
        ("sitemap-3.xml", "failed", errors.HTTP_STATUS)]


def test_fetch_cli_writes_the_manifest_and_run_reads_the_folder(site, tmp_path):
    _serve_pages(site)
    url_file = tmp_path / "urls.txt"
    url_file.write_text(f"# stretch pages\n{site.base}/seed.html\n{site.base}/private/page.html\n")
    into = tmp_path / "raw"
    result = CliRunner().invoke(main, ["fetch", "--urls", str(url_file), f"{site.base}/guide.pdf", "--into",
                                       str(into), "--allow-private", "--delay", "0", "--timeout", "1",
                                       "--contact", "ops@example.org"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    manifest = json.loads((into / "fetch-manifest.json").read_text())["urls"]
    assert [(m["url"].rsplit("/", 1)[-1], m["status"], m["code"]) for m in manifest] == [
        ("guide.pdf", "failed", errors.HTTP_STATUS), ("seed.html", "fetched", None),
        ("page.html", "skipped", errors.ROBOTS_DISALLOWED)]
    assert (into / INDEX_NAME).exists()
    assert site.request_headers["/seed.html"][0]["User-Agent"].endswith("(+ops@example.org)")
    out = tmp_path / "processed"
    ran = CliRunner().invoke(main, ["run", str(into), "--out", str(out)], catch_exceptions=False)
    assert ran.exit_code == 0, ran.output
    stretches = json.loads((out / "stretches.json").read_text())
    assert len(stretches) == 13 and stretches[0]["source"]["url"] == f"{site.base}/seed.html"


def test_a_changed_page_refetched_replaces_the_old_copy_in_the_run(site, tmp_path):
    versions = iter([b"<h1>Old</h1>", None])

    def changing(request):
        body = next(versions, None) or SEED_HTML.read_bytes()
        return 200, {"Content-Type": "text/html"}, body
    site.route("/robots.txt", status=404, body=b"", content_type="text/plain")
    site.routes["/page.html"] = changing
    assert fetch_urls([f"{site.base}/page.html"], str(tmp_path), FAST)[0].status == "fetched"
    assert fetch_urls([f"{site.base}/page.html"], str(tmp_path), FAST, refresh=True)[0].status == "fetched"
    result = run([str(tmp_path / WARC_NAME)])
    assert [(m.status, m.records) for m in result.manifest] == [("processed", 13), ("skipped", 0)]
    assert result.manifest[1].reason.endswith("2 request, 1 superseded")


def test_run_given_urls_fetches_them_first_and_reads_what_it_stored(site, tmp_path):
    _serve_pages(site)
    into, out = tmp_path / "raw", tmp_path / "processed"
    args = ["run", f"{site.base}/seed.html", f"{site.base}/private/page.html", str(CARDS_HTML), "--into", str(into),
            "--out", str(out), "--allow-private", "--delay", "0", "--workers", "1"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"skipped: {site.base}/private/page.html" in result.output and "SP401" in result.output
    manifest = json.loads((out / "manifest.json").read_text())["inputs"]
    assert [(m["source"], m["status"]) for m in manifest] == [(f"{site.base}/seed.html", "processed"),
                                                            (str(CARDS_HTML), "processed")]
    fetched = json.loads((into / "fetch-manifest.json").read_text())["urls"]
    assert [(f["status"], f["code"]) for f in fetched] == [("fetched", None), ("skipped", errors.ROBOTS_DISALLOWED)]
    assert fetched[0]["record"].startswith(str(into / WARC_NAME) + "#")
    again = CliRunner().invoke(main, args, catch_exceptions=False)  # stored pages are not fetched again
    assert again.exit_code == 0 and site.hits["/seed.html"] == 1


def test_progress_bars_on_a_terminal(site, tmp_path):
    """stderr on a real pseudo-terminal: the fetch bar counts URLs, the run shows a running count."""
    import os
    import pty
    import subprocess
    import sys
    _serve_pages(site)
    into = tmp_path / "raw"

    def on_terminal(*args):
        leader, follower = pty.openpty()
        seen = []

        def drain():  # read while the child writes, so a full terminal buffer never blocks it
            while True:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the child is gone and the terminal closed
                    return
                if not chunk:
                    return
                seen.append(chunk)
        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        proc = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], stderr=follower, stdout=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=120)
        os.close(follower)
        reader.join(10)
        os.close(leader)
        return proc.returncode, b"".join(seen).decode("utf-8", "replace")
    code, shown = on_terminal("fetch", f"{site.base}/seed.html", f"{site.base}/gone.html", "--into", str(into),
                              "--allow-private", "--delay", "0")
    assert code == 0 and "fetching" in shown and "2/2" in shown and "1 stored" in shown and "1 failed" in shown
    code, shown = on_terminal("run", str(into), "--out", str(tmp_path / "out"), "--workers", "1")
    assert code == 0 and "processing" in shown and "4/4" in shown, shown  # the page, the WARC's other records,
    # its index and the fetch manifest


def test_streaming_cap_long_redirect_chains_and_a_missing_sitemap(site, tmp_path):
    _serve_pages(site)

    def chunked(request):  # no Content-Length: only the streaming cap can stop it
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Transfer-Encoding", "chunked")
        request.end_headers()
        chunk = b"<p>" + b"x" * 60_000 + b"</p>"
        try:
            for _ in range(20):  # 1.2 MB offered, the cap is 400 KB
                request.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            request.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up at the cap, as it should
        return 200, {}, None
    site.routes["/endless.html"] = chunked
    for n in range(7):
        site.route(f"/hop{n}", status=302, headers={"Location": f"/hop{n + 1}"})
    outcomes = fetch_urls([f"{site.base}/endless.html", f"{site.base}/hop0"], str(tmp_path), FAST)
    assert [(o.status, o.code) for o in outcomes] == [("skipped", errors.FETCH_TOO_LARGE), ("failed", errors.REDIRECTS)]
    assert "more than 5 redirects" in outcomes[1].reason and site.hits["/hop6"] == 0
    into = tmp_path / "cli"
    result = CliRunner().invoke(main, ["fetch", "--sitemap", f"{site.base}/no-sitemap.xml", f"{site.base}/seed.html",
                                       "--into", str(into), "--allow-private", "--delay", "0", "--retries", "0"],
                                catch_exceptions=False)
    manifest = json.loads((into / "fetch-manifest.json").read_text())["urls"]
    assert result.exit_code == 0
    assert [(m["url"].rsplit("/", 1)[-1], m["status"], m["code"]) for m in manifest] == [
        ("no-sitemap.xml", "failed", errors.HTTP_STATUS), ("seed.html", "fetched", None)]
    assert "404" in manifest[0]["reason"]


def test_the_connected_address_is_checked_again(site, tmp_path, monkeypatch):
    """DNS rebinding: the name looked public when checked, the connection lands on loopback."""
    _serve_pages(site)
    monkeypatch.setattr("pipeline.acquire.http.private_address", lambda host, port: None)
    [outcome] = fetch_urls([f"{site.base}/seed.html"], str(tmp_path), FetchOptions(delay=0, timeout=0.5, retries=0))
    assert (outcome.status, outcome.code) == ("skipped", errors.PRIVATE_ADDRESS) and "127.0.0.1" in outcome.reason
    assert not (tmp_path / WARC_NAME).exists()


# --- issue 18: hostile servers ------------------------------------------------------------------

def _public_localhost(site, monkeypatch):
    """The test site as a host that passes the address checks ("localhost" counts as public here, and
    the connected-address check is off), while 127.0.0.1 stays what it is: a loopback address."""
    from pipeline.acquire import http
    real = http.private_address
    monkeypatch.setattr(http, "private_address", lambda host, port: None if host == "localhost" else real(host, port))
    monkeypatch.setattr(http.PoliteClient, "_check_peer", lambda self, url, r: None)
    return site.base.replace("127.0.0.1", "localhost")


def test_robots_txt_and_sitemap_redirects_to_loopback_are_never_sent(site, tmp_path, monkeypatch):
    public = _public_localhost(site, monkeypatch)
    _serve_pages(site)
    site.route("/robots.txt", status=302, headers={"Location": f"{site.base}/internal/robots.txt"})
    site.route("/sitemap.xml", status=301, headers={"Location": f"{site.base}/internal/sitemap.xml"})
    site.route("/internal/robots.txt", body=b"User-agent: *\nAllow: /\n", content_type="text/plain")
    site.route("/internal/sitemap.xml", body=b"<urlset><url><loc>http://localhost/x</loc></url></urlset>",
               content_type="application/xml")
    options = FetchOptions(delay=0, timeout=0.5, retries=0)
    [outcome] = fetch_urls([f"{public}/seed.html"], str(tmp_path), options)
    assert (outcome.status, outcome.code) == ("skipped", errors.PRIVATE_ADDRESS)
    site.route("/robots.txt", body=b"User-agent: *\nAllow: /\n", content_type="text/plain")
    with PoliteClient(options) as client:
        pages, failed = sitemap_urls(f"{public}/sitemap.xml", client)
    assert pages == [] and [f.code for f in failed] == [errors.PRIVATE_ADDRESS]
    assert site.hits["/robots.txt"] == 2 and site.hits["/sitemap.xml"] == 1, "the public host was asked"
    assert site.hits["/internal/robots.txt"] == 0 and site.hits["/internal/sitemap.xml"] == 0, \
        "no request to a loopback address, whoever redirects there"


def _trickle(seconds_per_byte, size):
    """A handler that sends its headers at once, then the body one byte at a time."""
    def handler(request):
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Content-Length", str(size))
        request.end_headers()
        try:
            for _ in range(size):
                request.wfile.write(b"x")
                request.wfile.flush()
                time.sleep(seconds_per_byte)
        except OSError:  # the client hung up
            pass
        return 200, {}, None
    return handler


def test_a_body_trickled_a_byte_at_a_time_is_stopped_by_the_deadline(site, tmp_path):
    # each read gets a byte well within --timeout, so only a total deadline can stop it (200 bytes
    # over 10 s; the deadline is 0.5 s)
    site.routes["/trickle.html"] = _trickle(0.05, 200)
    options = FetchOptions(delay=0, timeout=2, retries=2, backoff=0.01, allow_private=True, request_deadline=0.5)
    [outcome] = fetch_urls([f"{site.base}/trickle.html"], str(tmp_path), options)
    assert (outcome.status, outcome.code) == ("failed", errors.NETWORK) and "deadline" in outcome.reason
    assert site.hits["/trickle.html"] == 1, "a deadline is not retried: a retry would take as long again"


def test_a_page_whose_redirects_add_up_past_its_deadline_is_stopped(site, tmp_path):
    def slow_hop(target):
        def handler(request):
            time.sleep(0.3)
            return 302, {"Location": target}, b""
        return handler
    site.routes["/hop1"] = slow_hop("/hop2")
    site.routes["/hop2"] = slow_hop("/hop3")
    site.routes["/hop3"] = slow_hop("/cards.html")
    _serve_pages(site)
    options = FetchOptions(delay=0, timeout=2, retries=0, allow_private=True, page_deadline=0.5)
    [outcome] = fetch_urls([f"{site.base}/hop1"], str(tmp_path), options)
    assert (outcome.status, outcome.code) == ("failed", errors.NETWORK) and "deadline" in outcome.reason
    assert site.hits["/cards.html"] == 0


def test_robots_txt_is_read_up_to_its_first_500_kib(site, tmp_path):
    # RFC 9309: a crawler parses at least the first 500 KiB; a longer file is neither refused whole
    # nor read whole
    _serve_pages(site)
    padding = b"# padding line\n" * (600 * 1024 // 15)
    site.route("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n" + padding + b"Disallow: /late/\n",
               content_type="text/plain")
    site.route("/late/page.html", body=CARDS_HTML.read_bytes())
    outcomes = fetch_urls([f"{site.base}/seed.html", f"{site.base}/private/page.html", f"{site.base}/late/page.html"],
                          str(tmp_path), FAST)
    assert [(o.status, o.code) for o in outcomes] == [("fetched", None), ("skipped", errors.ROBOTS_DISALLOWED),
                                                      ("fetched", None)]


def test_a_sitemap_with_a_doctype_is_unreadable_not_unfetchable(site, tmp_path, capfd):
    site.route("/doctype.xml", content_type="application/xml", body=(
        b'<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY page "seed.html">]>\n'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://x/&page;</loc></url></urlset>'))
    with PoliteClient(FAST) as client:
        pages, failed = sitemap_urls(f"{site.base}/doctype.xml", client)
    assert pages == [] and [(f.status, f.code) for f in failed] == [("failed", errors.BAD_SITEMAP)]
    assert "DOCTYPE" in failed[0].reason and "could not fetch" not in failed[0].reason
    err = capfd.readouterr().err
    assert "Parsing sitemap" not in err and "DOCTYPE" not in err, "the parser's own log lines never reach stderr"

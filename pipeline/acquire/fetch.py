"""`stretchpipe fetch`: URLs (given, listed in a file, or read from a sitemap) into WARC under raw/.

Each URL ends as one `FetchOutcome`: `fetched` (stored), `not-modified` (revalidated under
--refresh: a 304, or the same bytes), `skipped` (already stored, robots.txt, content type, too
large, private address) or `failed` (HTTP error, network, redirects, bad URL), with a code and a
reason. A fetch is a stage of its own: `stretchpipe run raw/` then reads the WARC it stored.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from pathlib import Path

from .. import errors
from ..config import FETCH_MANIFEST_NAME
from .files import record_ref
from .http import FetchOptions, PoliteClient
from .store import CrawlStore

log = logging.getLogger("stretchpipe")

SITEMAP_MAX_BYTES = 50 * 1024 * 1024  # the sitemaps protocol's limit, uncompressed


@dataclass
class FetchOutcome:
    url: str
    status: str  # fetched, not-modified, skipped, failed
    code: str | None = None
    reason: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    bytes: int = 0
    record: str | None = None  # the stored page as an input for `run`: "raw/crawl.warc.gz#428"

    def to_dict(self) -> dict:
        return asdict(self)


def fetch_urls(urls: Iterable[str], into: str, options: FetchOptions, *, refresh: bool = False,
               client: PoliteClient | None = None,
               on_outcome: Callable[[FetchOutcome], None] | None = None) -> list[FetchOutcome]:
    """Fetch each URL once (in order, duplicates dropped) into the store under `into`;
    `on_outcome(outcome)` drives a progress display."""
    unique = list(dict.fromkeys(u.strip() for u in urls if u.strip()))
    outcomes: list[FetchOutcome] = []
    own_client = client is None
    client = client or PoliteClient(options)
    try:
        with CrawlStore(into) as store:
            for url in unique:
                outcomes.append(_fetch_one(url, store, client, refresh))
                if on_outcome:
                    on_outcome(outcomes[-1])
    finally:
        if own_client:
            client.close()
    return outcomes


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def fetch_inputs(inputs: Iterable[str], into: str, options: FetchOptions, **kwargs) -> tuple[list[str], list[FetchOutcome]]:
    """`stretchpipe run URL...`: fetch the URL inputs into `into` first (every outcome in
    `into`/fetch-manifest.json), and stand each stored page in for its URL as a record reference.
    URLs that could not be stored drop out of the inputs; their outcomes say why."""
    inputs = list(inputs)
    urls = [i for i in inputs if is_url(i)]
    if not urls:
        return inputs, []
    outcomes = fetch_urls(urls, into, options, **kwargs)
    write_manifest(into, outcomes)
    refs = {o.url: o.record for o in outcomes if o.record}
    return [refs[i] if is_url(i) else i for i in inputs if not is_url(i) or i in refs], outcomes


def write_manifest(into: str, outcomes: list[FetchOutcome]) -> Path:
    from ..emit import atomic_write, to_json

    path = Path(into) / FETCH_MANIFEST_NAME
    atomic_write(path, to_json({"urls": [o.to_dict() for o in outcomes]}))
    return path


def _fetch_one(url: str, store: CrawlStore, client: PoliteClient, refresh: bool) -> FetchOutcome:
    outcome = _fetch(url, store, client, refresh)
    row = store.get(url) if outcome.status in ("fetched", "not-modified", "skipped") else None
    if row is not None:
        outcome.record = record_ref(store.folder / row.warc_file, row.offset)
    return outcome


def _fetch(url: str, store: CrawlStore, client: PoliteClient, refresh: bool) -> FetchOutcome:
    known = store.get(url)
    if known and not refresh:
        return FetchOutcome(url, "skipped", reason=f"already fetched at {known.fetched_at}; --refresh revalidates it",
                            final_url=known.final_url, http_status=known.status)
    headers = {}
    if known and known.etag:
        headers["If-None-Match"] = known.etag
    if known and known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    try:
        response = client.get(url, headers=headers)
    except errors.InputError as exc:
        return FetchOutcome(url, errors.status_of(exc.code), code=exc.code, reason=str(exc))
    except Exception as exc:  # a crawl never stops on one URL; the outcome says what broke
        log.debug("fetch failed on %s", url, exc_info=True)
        return FetchOutcome(url, "failed", code="SP900", reason=f"[SP900] internal error: {exc!r}; please report it")
    if response.status == 304 and known:
        return FetchOutcome(url, "not-modified", reason="304 Not Modified", final_url=known.final_url,
                            http_status=304)
    if not 200 <= response.status < 300:
        err = errors.input_error(errors.HTTP_STATUS, path=url, status=str(response.status),
                                 detail=f" {response.reason}".rstrip())
        return FetchOutcome(url, "failed", code=err.code, reason=str(err), final_url=response.url,
                            http_status=response.status)
    if known and known.sha256 == hashlib.sha256(response.body).hexdigest():
        return FetchOutcome(url, "not-modified", reason="same content as stored", final_url=response.url,
                            http_status=response.status)
    store.save(url, response)
    return FetchOutcome(url, "fetched", final_url=response.url, http_status=response.status, bytes=len(response.body))


def sitemap_urls(sitemap_url: str, client: PoliteClient) -> tuple[list[str], list[FetchOutcome]]:
    """Page URLs of a sitemap (XML, plain text or robots.txt; gzip; sitemap indexes followed), read by
    ultimate-sitemap-parser through the polite client, so robots.txt, the address checks and the
    delay apply to sitemap requests too; and a failed outcome for each sitemap that could not be read."""
    from usp.fetch_parse import SitemapFetcher
    from usp.objects.sitemap import InvalidSitemap

    web_client = _SitemapClient(client)
    with _LibraryLog("usp") as parse_errors:  # its parse errors become outcomes, never stray stderr lines
        tree = SitemapFetcher(sitemap_url, recursion_level=0, web_client=web_client).sitemap()
    for node in [tree, *tree.all_sitemaps()]:
        if isinstance(node, InvalidSitemap) and node.url not in web_client.failures:  # fetched, not readable
            said = [m.split(" failed: ", 1)[-1] for m in parse_errors if node.url in m and " failed: " in m]
            web_client.failures[node.url] = errors.input_error(errors.BAD_SITEMAP, path=node.url,
                                                               detail=said[-1] if said else node.reason)
    failed = [FetchOutcome(url, errors.status_of(exc.code), code=exc.code, reason=str(exc))
              for url, exc in web_client.failures.items()]
    pages = [] if isinstance(tree, InvalidSitemap) else [page.url for page in tree.all_pages()]
    return list(dict.fromkeys(pages)), failed


class _LibraryLog(logging.Handler):
    """A library's warnings and errors, collected (and kept in the debug log) instead of reaching
    stderr through Python's last-resort handler while the block runs."""

    def __init__(self, name: str):
        super().__init__(logging.WARNING)
        self.logger = logging.getLogger(name)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        log.debug("%s: %s", record.name, record.getMessage())

    def __enter__(self) -> list[str]:
        self.propagate = self.logger.propagate
        self.logger.addHandler(self)
        self.logger.propagate = False
        return self.messages

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self)
        self.logger.propagate = self.propagate


def _SitemapClient(client: PoliteClient):  # noqa: N802 (a class built lazily: usp loads only when asked)
    from usp.web_client.abstract_client import (
        AbstractWebClient,
        AbstractWebClientSuccessResponse,
        WebClientErrorResponse,
    )

    class Success(AbstractWebClientSuccessResponse):
        def __init__(self, response):
            self._response = response

        def status_code(self) -> int:
            return self._response.status

        def status_message(self) -> str:
            return self._response.reason

        def header(self, case_insensitive_name: str) -> str | None:
            return self._response.header(case_insensitive_name)

        def raw_data(self) -> bytes:
            return self._response.body

        def url(self) -> str:
            return self._response.url

    class Client(AbstractWebClient):
        def __init__(self):
            self.failures: dict[str, errors.InputError] = {}  # URL -> why it could not be read

        def set_max_response_data_length(self, max_response_data_length: int | None) -> None:
            pass  # the polite client's own cap applies

        def get(self, url: str):
            try:
                response = client.get(url, check_type=False, max_bytes=SITEMAP_MAX_BYTES)
            except errors.InputError as exc:
                self.failures[url] = exc
                return WebClientErrorResponse(str(exc), retryable=False)  # our client has already retried
            if not 200 <= response.status < 300:
                self.failures[url] = errors.input_error(errors.HTTP_STATUS, path=url, status=str(response.status),
                                                        detail=f" {response.reason}".rstrip())
                return WebClientErrorResponse(f"HTTP {response.status}", retryable=False)
            return Success(response)

    return Client()

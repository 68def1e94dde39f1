"""A polite, safe HTTP client for `stretchpipe fetch` (httpx, protego, tenacity).

Polite: robots.txt honoured (with Crawl-delay), one request at a time with a delay per host, a
User-Agent that names stretchpipe and, with --contact, how to reach its operator.
Safe: http(s) only; no private, loopback or link-local address unless allowed, checked before every
request (robots.txt and sitemaps included) and on every redirect hop; at most `max_redirects`
redirects, loops detected; connect/read timeouts, and a total deadline per request and per page (a
body trickled a byte at a time is stopped); only the allowed content types; the body cap enforced
while streaming, so a large body is never held.
Retries with backoff on connection errors, 429 and 5xx (honouring Retry-After), never on other 4xx.

Every refusal is an `InputError` with a fetch code (errors.py SP4xx) that the caller records.
"""
from __future__ import annotations

import email.utils
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
import tenacity
from protego import Protego

from .. import __version__, errors
from ..config import FETCH

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
ROBOTS_TOKEN = "stretchpipe"


@dataclass(frozen=True)
class FetchOptions:
    delay: float = FETCH.delay
    timeout: float = FETCH.timeout
    max_bytes: int = FETCH.max_bytes
    max_redirects: int = FETCH.max_redirects
    retries: int = FETCH.retries
    backoff: float = FETCH.backoff
    max_retry_wait: float = FETCH.max_retry_wait
    request_deadline: float = FETCH.request_deadline
    page_deadline: float = FETCH.page_deadline
    allow_private: bool = False
    contact: str | None = None
    content_types: tuple[str, ...] = FETCH.content_types

    @property
    def user_agent(self) -> str:
        agent = FETCH.user_agent.format(version=__version__)
        return f"{agent} (+{self.contact})" if self.contact else agent


@dataclass
class Response:
    """One HTTP exchange as it went over the wire: what the WARC records keep."""

    url: str  # the URL that answered (after redirects)
    status: int
    reason: str
    http_version: str
    headers: list[tuple[str, str]]
    body: bytes  # as transferred (still gzip-encoded when Content-Encoding says so)
    request_headers: list[tuple[str, str]]
    fetched_at: str  # ISO 8601 UTC
    redirects: list[str] = field(default_factory=list)  # URLs passed through before `url`

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def media_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


class _Retryable(Exception):
    """A 429, a 5xx or a connection error: worth another try after a wait."""

    def __init__(self, detail: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(detail)
        self.status, self.retry_after = status, retry_after


class _Deadline(Exception):
    """The request or the page ran past its total deadline."""


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every connect, read and write bounded by the time left before
    `deadline` (a clock time; None: no deadline). The timeout alone bounds each read, so a server
    that sends a byte every few seconds would never be stopped."""

    def __init__(self, inner: httpcore.NetworkBackend, clock):
        self.inner, self.clock = inner, clock
        self.deadline: float | None = None

    def left(self, timeout: float | None) -> float | None:
        if self.deadline is None:
            return timeout
        left = self.deadline - self.clock()
        if left <= 0:
            raise httpcore.ReadTimeout("the total deadline has passed")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return _DeadlineStream(self.inner.connect_tcp(host, port, self.left(timeout), local_address, socket_options),
                               self)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        return _DeadlineStream(self.inner.connect_unix_socket(path, self.left(timeout), socket_options), self)

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: _DeadlineBackend):
        self.inner, self.backend = inner, backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.backend.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self.backend.left(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        return _DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, self.backend.left(timeout)),
                               self.backend)

    def get_extra_info(self, info: str):
        return self.inner.get_extra_info(info)


def _transport(backend_for) -> httpx.HTTPTransport:
    """httpx's transport with its connection pool's network backend wrapped by `backend_for`
    (httpx has no public hook for it; the body loop checks the deadline too, should this change)."""
    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)
    if isinstance(pool, httpcore.ConnectionPool) and hasattr(pool, "_network_backend"):
        pool._network_backend = backend_for(pool._network_backend)
    return transport


class PoliteClient:
    def __init__(self, options: FetchOptions, *, sleep=time.sleep, clock=time.monotonic):
        self.options = options
        self._sleep, self._clock = sleep, clock
        self._backend: _DeadlineBackend | None = None

        def wrap(inner):
            self._backend = _DeadlineBackend(inner, clock)
            return self._backend
        self._client = httpx.Client(timeout=httpx.Timeout(options.timeout), follow_redirects=False,
                                    headers={"User-Agent": options.user_agent}, trust_env=False,
                                    transport=_transport(wrap))
        self._robots: dict[str, Protego | None] = {}  # origin -> rules (None: allow everything)
        self._last_request: dict[str, float] = {}  # host -> clock time of its last request
        self._host_delay: dict[str, float] = {}  # host -> seconds between requests (Crawl-delay raises it)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, *, headers: dict[str, str] | None = None, check_type: bool = True,
            max_bytes: int | None = None) -> Response:
        """GET `url`, following redirects by hand so that each hop is checked (scheme, address,
        robots.txt) and loops are seen, all within the page's deadline. Raises InputError with an
        SP4xx code on refusal."""
        deadline = self._clock() + self.options.page_deadline
        return self._follow(url, headers or {}, check_type, max_bytes, deadline, self.options.max_redirects)

    def _follow(self, url: str, headers: dict[str, str], check_type: bool, max_bytes: int | None, deadline: float,
                max_redirects: int, *, robots: bool = True, truncate: bool = False) -> Response:
        seen = [url]
        for _ in range(max_redirects + 1):
            self._check(url, robots=robots)
            response = self._request(url, headers, check_type, max_bytes, deadline, truncate)
            location = response.header("location")
            if response.status not in REDIRECT_STATUSES or not location:
                response.redirects = seen[:-1]
                return response
            target = urljoin(url, location.strip())
            if target in seen:
                chain = " -> ".join(seen + [target])
                raise errors.input_error(errors.REDIRECTS, path=seen[0], detail=f"redirect loop: {chain}")
            seen.append(target)
            url = target
        raise errors.input_error(errors.REDIRECTS, path=seen[0],
                                 detail=f"more than {max_redirects} redirects (last: {url})")

    # --- checks before any request -------------------------------------------------------------

    def _check(self, url: str, *, robots: bool = True) -> None:
        """Before any request (pages, robots.txt, sitemaps, every redirect hop): an http(s) URL whose
        host resolves to no private address (unless allowed), and, for pages, allowed by robots.txt."""
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:  # a port out of range or not a number
            raise errors.input_error(errors.BAD_URL, path=url) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise errors.input_error(errors.BAD_URL, path=url)
        if not self.options.allow_private:
            address = private_address(parts.hostname, port or (443 if parts.scheme == "https" else 80))
            if address:
                raise errors.input_error(errors.PRIVATE_ADDRESS, path=url, address=address)
        if robots and not self.allowed(url):
            raise errors.input_error(errors.ROBOTS_DISALLOWED, path=url)

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
            rules = self._robots[origin]
            delay = rules.crawl_delay(ROBOTS_TOKEN) if rules is not None else None
            self._host_delay[parts.netloc] = max(self.options.delay, float(delay or 0))
        rules = self._robots[origin]
        return rules is None or rules.can_fetch(url, ROBOTS_TOKEN)

    def crawl_delay(self, url: str) -> float:
        return self._host_delay.get(urlsplit(url).netloc, self.options.delay)

    def _load_robots(self, origin: str) -> Protego | None:
        """RFC 9309: up to five redirects followed, each hop through the same address checks as any
        request; the first 500 KiB parsed; a 4xx robots.txt allows everything; an unreachable one
        (5xx, network, a redirect loop) disallows everything for this run."""
        try:
            response = self._follow(origin + "/robots.txt", {}, False, FETCH.robots_max_bytes,
                                    self._clock() + self.options.page_deadline, 5, robots=False, truncate=True)
        except errors.InputError as exc:
            if exc.code == errors.PRIVATE_ADDRESS:  # the host, or where its robots.txt leads, is refused
                raise
            return Protego.parse("User-agent: *\nDisallow: /")
        if 200 <= response.status < 300:
            return Protego.parse(response.body.decode("utf-8", "replace"))
        if 400 <= response.status < 500:
            return None
        return Protego.parse("User-agent: *\nDisallow: /")

    # --- one request, with politeness and retries --------------------------------------------

    def _request(self, url: str, headers: dict[str, str], check_type: bool, max_bytes: int | None,
                 page_deadline: float, truncate: bool = False) -> Response:
        retrying = tenacity.Retrying(stop=tenacity.stop_after_attempt(self.options.retries + 1),
                                     wait=self._wait, retry=tenacity.retry_if_exception_type(_Retryable),
                                     sleep=self._sleep, reraise=True)
        try:
            return retrying(self._once, url, headers, check_type, max_bytes, page_deadline, truncate)
        except _Deadline as exc:
            raise errors.input_error(errors.NETWORK, path=url, detail=str(exc)) from None
        except _Retryable as exc:
            tries = self.options.retries + 1
            if exc.status is not None:
                raise errors.input_error(errors.HTTP_STATUS, path=url, status=str(exc.status),
                                         detail=f" after {tries} tries") from None
            raise errors.input_error(errors.NETWORK, path=url, detail=f"{exc} (after {tries} tries)") from None

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, self.options.max_retry_wait)
        return min(self.options.backoff * 2 ** (state.attempt_number - 1), self.options.max_retry_wait)

    def _polite_pause(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is not None:
            wait = last + self._host_delay.get(host, self.options.delay) - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = self._clock()

    def _once(self, url: str, headers: dict[str, str], check_type: bool, max_bytes: int | None,
              page_deadline: float, truncate: bool) -> Response:
        """One exchange. `truncate`: keep the first `max_bytes` of the body, decoded (robots.txt),
        instead of refusing a larger one."""
        cap = self.options.max_bytes if max_bytes is None else max_bytes
        self._polite_pause(urlsplit(url).netloc)
        request_deadline = self._clock() + self.options.request_deadline
        deadline = min(request_deadline, page_deadline)
        too_late = (f"no complete answer within the {self.options.request_deadline:g} s deadline per request"
                    if deadline == request_deadline else
                    f"the page took longer than its {self.options.page_deadline:g} s deadline")
        if self._clock() >= deadline:
            raise _Deadline(too_late)
        fetched_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self._backend is not None:
            self._backend.deadline = deadline
        try:
            with self._client.stream("GET", url, headers=headers) as r:
                self._check_peer(url, r)
                if r.status_code == 429 or r.status_code >= 500:
                    raise _Retryable(f"HTTP {r.status_code}", status=r.status_code,
                                     retry_after=retry_after_seconds(r.headers.get("retry-after")))
                response = Response(url=str(r.url), status=r.status_code, reason=r.reason_phrase,
                                    http_version=r.http_version, headers=list(r.headers.multi_items()), body=b"",
                                    request_headers=list(r.request.headers.multi_items()), fetched_at=fetched_at)
                if not 200 <= r.status_code < 300:
                    return response  # redirects, 304, 4xx: no body needed
                if check_type and response.media_type not in self.options.content_types:
                    raise errors.input_error(errors.CONTENT_TYPE, path=url,
                                             content_type=response.media_type or "no content type")
                declared = r.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap and not truncate:
                    raise errors.input_error(errors.FETCH_TOO_LARGE, path=url, limit=str(cap))
                body = bytearray()
                for chunk in r.iter_bytes() if truncate else r.iter_raw():
                    body += chunk
                    if self._clock() >= deadline:  # the backend stops slow reads; this, slow chunks
                        raise _Deadline(too_late)
                    if len(body) > cap:
                        if truncate:
                            del body[cap:]
                            break
                        raise errors.input_error(errors.FETCH_TOO_LARGE, path=url, limit=str(cap))
                response.body = bytes(body)
                return response
        except httpx.HTTPError as exc:  # connection refused, reset, timeouts, protocol errors
            if self._clock() >= deadline:
                raise _Deadline(too_late) from None  # not retried: a retry would take as long again
            raise _Retryable(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from None
        finally:
            if self._backend is not None:
                self._backend.deadline = None


    def _check_peer(self, url: str, r: httpx.Response) -> None:
        """The address actually connected to, checked again: a name that resolved to a public
        address for `_check` may resolve to a private one for the connection (DNS rebinding)."""
        if self.options.allow_private:
            return
        stream = r.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if peer and is_private(peer[0]):
            raise errors.input_error(errors.PRIVATE_ADDRESS, path=url, address=str(peer[0]))


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def private_address(host: str, port: int) -> str | None:
    """The first private, loopback, link-local, reserved or multicast address `host` resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        return None  # unresolvable: the request itself fails with a network error
    for info in infos:
        if is_private(info[4][0]):
            return info[4][0].split("%")[0]
    return None


def is_private(host: str) -> bool:
    """A private, loopback, link-local, reserved, multicast or unspecified IP address."""
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
            or address.is_multicast or address.is_unspecified)

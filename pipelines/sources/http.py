"""A resilient HTTP client for the sources: timeouts, retries, a time budget, streaming.

Every call has connect/read timeouts; connection errors, timeouts, truncated bodies,
429 and 5xx are retried with exponential backoff (honouring `Retry-After`) until a
bounded total time is used up, then a SourceError names the URL and the last problem.
A server that trickles its headers or body (a byte within every read timeout) is stopped
by the same budget.
401/403 raise a ConfigurationError at once (retrying a refused token won't help), other
4xx a SourceError at once. Bodies are streamed to a file with a size cap, hashed on the
way. The bearer token is sent only to the origin it was configured for: redirects are
followed here, not by requests, so that rule is ours and explicit. It is never logged
and never part of a message.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3

from pipelines.errors import ConfigurationError, SourceError

log = logging.getLogger("pipelines.http")

RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
HEADERS_GRACE = 1.0  # seconds past the budget before a request still without headers is left
CHUNK_BYTES = 1 << 16
# Response headers that are never kept (they may carry session secrets).
SECRET_HEADERS = frozenset({"set-cookie", "authorization", "proxy-authorization", "cookie"})

_UNSET: Any = object()  # "use the client's own token"


def redact_url(url: str) -> str:
    """The URL without any user:password part, fit for logs, messages and metadata."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default


def public_headers(headers: Mapping[str, str], secret: str | None = None) -> dict[str, str]:
    """Response headers minus those that may carry secrets; `secret` masked in the rest.

    A server (or a proxy in front of it) may echo the request's Authorization in a header of
    its own (`X-Debug-Authorization`, ...): that copy of the token must not be landed.
    """
    kept = {k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS}
    if secret:
        kept = {k: v.replace(secret, "***") for k, v in kept.items()}
    return kept


@dataclass(frozen=True)
class Download:
    """The outcome of one successful download (after retries and redirects)."""

    url: str  # as requested, credentials removed
    final_url: str  # after redirects, credentials removed
    status: int
    not_modified: bool  # a 304: nothing was written
    sha256: str | None
    size: int | None
    headers: dict[str, str] = field(default_factory=dict)  # public_headers() of the answer

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag") or self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("Last-Modified") or self.headers.get("last-modified")


class _Retryable(Exception):
    """One attempt failed in a way that another attempt may cure."""

    def __init__(self, problem: str, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.problem, self.retry_after = problem, retry_after


class HttpClient:
    """A `requests.Session` with timeouts, retries, a total time budget and a token.

    `sleep`, `clock` and `rng` are injectable so that tests run in milliseconds.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        total_budget: float = 900.0,
        max_attempts: int = 8,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        jitter: float = 0.1,
        max_bytes: int = 2 << 30,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        user_agent: str = "interreg-results/0.1",
    ) -> None:
        self._token = token or None
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self.total_budget, self.max_attempts = total_budget, max(1, max_attempts)
        self.backoff_base, self.backoff_max, self.jitter = backoff_base, backoff_max, jitter
        self.max_bytes = max_bytes
        self._session = session or requests.Session()
        self._sleep, self._clock = sleep, clock
        self._rng = rng or random.Random()
        self._user_agent = user_agent

    def __repr__(self) -> str:  # the token never reaches a log line
        return (
            f"HttpClient(token={'***' if self._token else None},"
            f" timeouts=({self.connect_timeout}, {self.read_timeout}),"
            f" total_budget={self.total_budget})"
        )

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ---------------------------------------------------------------------------

    def download(
        self,
        url: str,
        dest: Path,
        *,
        method: str = "GET",
        json_body: Any = None,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        headers: Mapping[str, str] | None = None,
        token: str | None = _UNSET,
    ) -> Download:
        """Fetch `url` into `dest` (overwritten), retrying within the time budget.

        With `etag`/`last_modified` the request is conditional; a 304 comes back as
        `Download(not_modified=True)` and `dest` is left absent. `json_body` is sent as
        JSON (for POSTs). `token=None` sends no token; left out, the client's own is used.
        """
        body = None if json_body is None else json.dumps(json_body).encode("utf-8")
        request = _Request(
            method=method.upper(),
            url=url,
            body=body,
            headers=self._base_headers(headers, etag, last_modified, body is not None),
            token=self._token if token is _UNSET else (token or None),
            conditional=bool(etag or last_modified),
            max_bytes=self.max_bytes if max_bytes is None else max_bytes,
        )
        try:
            return self._with_retries(request, dest)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise

    # -- the retry loop -------------------------------------------------------------------

    def _with_retries(self, request: _Request, dest: Path) -> Download:
        deadline = self._clock() + self.total_budget
        shown = f"{request.method} {redact_url(request.url)}"
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._attempt(request, dest, deadline)
            except _Retryable as failure:
                problem, retry_after = failure.problem, failure.retry_after
            if attempt == self.max_attempts:
                break
            delay = self._delay(attempt, retry_after)
            remaining = deadline - self._clock()
            if delay >= remaining:  # waiting would only use up the budget: give up now
                raise SourceError(
                    f"{shown} failed: the total time budget of {self.total_budget:g} s is used up"
                    f" after {attempt} attempt(s); last attempt: {problem}"
                )
            log.warning("%s %s, retry %d in %.1f s", shown, problem, attempt, delay)
            self._sleep(delay)
        raise SourceError(
            f"{shown} failed after {self.max_attempts} attempts; last attempt: {problem}"
        )

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        if self.jitter > 0:  # spreads out clients that failed together
            backoff += self._rng.uniform(0, self.jitter * backoff)
        # Retry-After is the server's minimum; our backoff may still ask for longer.
        return backoff if retry_after is None else max(retry_after, backoff)

    def _timeouts(self, deadline: float) -> tuple[float, float]:
        remaining = max(0.001, deadline - self._clock())
        return min(self.connect_timeout, remaining), min(self.read_timeout, remaining)

    # -- one attempt: follow redirects, check the status, stream the body ------------------

    def _attempt(self, request: _Request, dest: Path, deadline: float) -> Download:
        method, url, body = request.method, request.url, request.body
        base_headers, origin = dict(request.headers), _origin(request.url)
        for _hop in range(MAX_REDIRECTS + 1):
            # The token goes to the origin it was configured for, never to another host.
            send_token = request.token is not None and _origin(url) == origin
            headers = dict(base_headers)
            if send_token:
                headers["Authorization"] = f"Bearer {request.token}"
            response = self._send(method, url, body, headers, deadline)
            with response:
                if response.status_code in REDIRECT_STATUSES and "Location" in response.headers:
                    url = urljoin(url, response.headers["Location"])
                    if response.status_code == 303 or (
                        response.status_code in (301, 302) and method == "POST"
                    ):
                        method, body = "GET", None  # what browsers and requests do
                        base_headers.pop("Content-Type", None)
                    continue
                self._check_status(response, request, method, url, send_token)
                return self._receive(response, request, method, url, dest, deadline)
        raise SourceError(
            f"{request.method} {redact_url(request.url)} redirected more than {MAX_REDIRECTS} times"
        )

    def _send(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str], deadline: float
    ) -> requests.Response:
        try:
            return self._request_within(
                deadline,
                method,
                url,
                data=body,
                headers=headers,
                stream=True,
                timeout=self._timeouts(deadline),
                allow_redirects=False,  # redirects are ours: see _attempt
            )
        except requests.exceptions.SSLError as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc):  # a bad certificate won't heal
                raise SourceError(f"{method} {redact_url(url)}: TLS certificate refused") from exc
            raise _Retryable(f"failed ({_describe(exc)})") from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _Retryable(f"failed ({_describe(exc)})") from exc
        except requests.RequestException as exc:  # a malformed URL and the like
            raise SourceError(f"{method} {redact_url(url)} failed: {_describe(exc)}") from exc

    def _request_within(
        self, deadline: float, method: str, url: str, **kwargs: Any
    ) -> requests.Response:
        """`session.request` (up to the answer's headers), given up when the budget runs out.

        Every read of the socket restarts the read timeout, so a server that sends its status
        line and headers a byte at a time kept a request waiting for hours (found by issue
        #5's stall tests): the request runs in a worker thread that is left behind at the
        deadline, and the answer it may still get is closed.
        """
        lock, outcome, abandoned = threading.Lock(), [], []

        def call() -> None:
            try:
                result: Any = self._session.request(method, url, **kwargs)
            except BaseException as exc:  # handed to the caller's thread
                result = exc
            with lock:
                if not abandoned:
                    outcome.append(result)
                elif isinstance(result, requests.Response):
                    result.close()

        worker = threading.Thread(target=call, name="http-request", daemon=True)
        worker.start()
        # A little past the deadline: a read timeout (capped at the deadline) comes first.
        worker.join(max(0.0, deadline - self._clock()) + HEADERS_GRACE)
        with lock:
            if not outcome:
                abandoned.append(True)
                raise SourceError(
                    f"{method} {redact_url(url)}: the total time budget of"
                    f" {self.total_budget:g} s ran out waiting for the answer's headers"
                )
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    def _check_status(
        self, response: requests.Response, request: _Request, method: str, url: str, sent: bool
    ) -> None:
        status, shown = response.status_code, f"{method} {redact_url(url)}"
        if status in (401, 403):
            raise ConfigurationError(f"{shown} answered {status}: {_refusal(request, sent)}")
        if status in RETRY_STATUSES:
            raise _Retryable(f"answered {status}", _retry_after(response, self._clock))
        if status == 304:
            if not request.conditional:
                raise SourceError(f"{shown} answered 304 to a request that was not conditional")
            return
        if status >= 300:
            raise SourceError(f"{shown} answered {status} {response.reason or ''}".rstrip())

    def _receive(
        self,
        response: requests.Response,
        request: _Request,
        method: str,
        url: str,
        dest: Path,
        deadline: float,
    ) -> Download:
        result = dict(
            url=redact_url(request.url),
            final_url=redact_url(url),
            status=response.status_code,
            headers=public_headers(response.headers, request.token),
        )
        if response.status_code == 304:
            dest.unlink(missing_ok=True)
            return Download(not_modified=True, sha256=None, size=None, **result)
        sha256, size = self._stream(response, method, url, dest, request.max_bytes, deadline)
        return Download(not_modified=False, sha256=sha256, size=size, **result)

    def _stream(
        self,
        response: requests.Response,
        method: str,
        url: str,
        dest: Path,
        max_bytes: int,
        deadline: float,
    ) -> tuple[str, int]:
        shown = f"{method} {redact_url(url)}"
        declared = _declared_length(response)
        if declared is not None and declared > max_bytes:
            raise SourceError(
                f"{shown}: the body is {declared} bytes, over the limit of {max_bytes}"
            )
        digest, size = hashlib.sha256(), 0
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("wb") as out:
            while True:
                try:
                    chunk = _read_some(response)
                except requests.RequestException as exc:  # dropped or truncated mid-body
                    raise _Retryable(f"broke off mid-body ({_describe(exc)})") from exc
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise SourceError(f"{shown}: the body exceeds the limit of {max_bytes} bytes")
                if self._clock() > deadline:  # a trickle must not outlast the budget
                    raise SourceError(
                        f"{shown}: the total time budget of {self.total_budget:g} s ran out"
                        f" after {size} bytes of the body"
                    )
                digest.update(chunk)
                out.write(chunk)
        if declared is not None and size != declared:
            raise _Retryable(f"sent {size} of {declared} bytes (truncated body)")
        return digest.hexdigest(), size

    def _base_headers(
        self,
        extra: Mapping[str, str] | None,
        etag: str | None,
        last_modified: str | None,
        has_json: bool,
    ) -> dict[str, str]:
        headers = {"User-Agent": self._user_agent}
        if has_json:
            headers["Content-Type"] = "application/json"
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        headers.update(extra or {})
        return headers


@dataclass(frozen=True)
class _Request:
    method: str
    url: str
    body: bytes | None
    headers: dict[str, str]
    token: str | None = field(repr=False)
    conditional: bool
    max_bytes: int


def _refusal(request: _Request, sent: bool) -> str:
    if sent:
        return "the configured token was refused (check that it is valid and not expired)"
    if request.token is not None:
        return (
            "access refused; the token was not sent because the request was redirected"
            " to another host"
        )
    return "access refused and no token is configured (the server may require one)"


def _retry_after(response: requests.Response, clock: Callable[[], float]) -> float | None:
    """`Retry-After` in seconds; the contract says seconds, an HTTP date is tolerated."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _read_some(response: requests.Response) -> bytes:
    """The next piece of the body (b"" at its end), after at most one read of the socket.

    Not `iter_content`: it blocks until a whole chunk (64 KiB) has arrived, and every read of
    the socket restarts the read timeout, so a server trickling a byte a second kept one
    call going for hours and the time budget was never checked (the stall tests).
    read1 returns what one read brings, so the budget is checked at least once per read
    timeout. Errors are mapped as `iter_content` maps them, so messages stay the same.
    """
    try:
        return response.raw.read1(CHUNK_BYTES, decode_content=True)
    except urllib3.exceptions.ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from exc
    except urllib3.exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from exc
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ConnectionError(exc) from exc
    except urllib3.exceptions.SSLError as exc:
        raise requests.exceptions.SSLError(exc) from exc


def _declared_length(response: requests.Response) -> int | None:
    """Content-Length, when it counts the bytes we will see (no content encoding)."""
    if response.headers.get("Content-Encoding", "identity").lower() != "identity":
        return None
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def _describe(exc: BaseException) -> str:
    """A short, credential-free description of a transport error."""
    name = type(exc).__name__
    text = str(exc)
    # urllib3 nests the real cause in long reprs; keep the message readable.
    if len(text) > 300:
        text = text[:300] + "..."
    return f"{name}: {text}" if text else name

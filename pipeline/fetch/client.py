"""Fetch one URL: streamed GET, redirects by hand, a deadline and a body cap.

The only code in curate that imports requests (with session.py). Every
outcome, a dead link included, comes back as a FetchResult; exceptions
escape only for faults of curate itself.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin

import requests
import urllib3

from pipeline.config import FetchConfig
from pipeline.fetch.guard import AddressRefused, Resolver, check_url
from pipeline.fetch.retry import RetryPolicy
from pipeline.fetch.session import build_session
from pipeline.models import FetchError, FetchResult, Hop

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
READ_CHUNK = 65_536


@dataclass(frozen=True)
class Clock:
    """Time as the fetcher sees it; tests inject a fake to avoid sleeping."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    wall: Callable[[], float] = time.time


@dataclass
class _Attempt:
    """Mutable state of one attempt, turned into a FetchResult at the end."""

    url: str
    deadline: float
    hops: list[Hop] = field(default_factory=list)
    current: str = ""


class Fetcher:
    """Fetches URLs politely and safely; thread-safe (one shared Session)."""

    def __init__(
        self,
        config: FetchConfig,
        session: requests.Session | None = None,
        clock: Clock | None = None,
        resolve: Resolver = socket.getaddrinfo,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.config = config
        self.session = session or build_session(config)
        self.clock = clock or Clock()
        self.resolve = resolve
        self.policy = policy or RetryPolicy(
            config.retries, config.backoff_base, config.max_retry_after
        )

    def with_max_bytes(self, max_bytes: int) -> Fetcher:
        """The same fetcher (session, clock, policy) with another body cap."""
        config = replace(self.config, max_bytes=max_bytes)
        return Fetcher(config, self.session, self.clock, self.resolve, self.policy)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> FetchResult:
        """Fetch url, retrying transient failures as the policy says."""
        attempt = 1
        while True:
            result = self.fetch_once(url, headers or {})
            delay = self.policy.delay(result, attempt, now=self.clock.wall())
            if delay is None:
                return replace(result, attempts=attempt)
            self.clock.sleep(delay)
            attempt += 1

    def fetch_once(self, url: str, headers: Mapping[str, str]) -> FetchResult:
        """One attempt: follow redirects by hand, recording every hop."""
        started = self.clock.now()
        state = _Attempt(url=url, deadline=started + self.config.timeout, current=url)
        result = self._follow(state, headers)
        return replace(result, elapsed_ms=int((self.clock.now() - started) * 1000))

    def _follow(self, state: _Attempt, headers: Mapping[str, str]) -> FetchResult:
        seen = {state.url}
        for _ in range(self.config.max_redirects + 1):
            response_or_failure = self._request(state, headers)
            if isinstance(response_or_failure, FetchResult):
                return response_or_failure
            response = response_or_failure
            location = response.headers.get("location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return self._read(state, response)
            response.close()
            target = urljoin(state.current, location.strip())
            state.hops.append(Hop(state.current, response.status_code, target))
            if target in seen:
                detail = f"redirect loop back to {target}"
                return self._failure(state, FetchError.REDIRECT_LOOP, detail)
            seen.add(target)
            state.current = target
        detail = f"more than {self.config.max_redirects} redirects"
        return self._failure(state, FetchError.TOO_MANY_REDIRECTS, detail)

    def _request(
        self, state: _Attempt, headers: Mapping[str, str]
    ) -> requests.Response | FetchResult:
        """Send one GET for state.current, or say why it could not be sent."""
        try:
            check_url(state.current, self.config.allow_private_networks, self.resolve)
        except AddressRefused as exc:
            return self._failure(state, exc.error, str(exc))
        except (socket.gaierror, UnicodeError) as exc:
            return self._failure(state, FetchError.DNS, f"host not found ({exc})")
        remaining = state.deadline - self.clock.now()
        if remaining <= 0:
            return self._failure(state, FetchError.TIMEOUT, "deadline passed during redirects")
        try:
            return self.session.get(
                state.current,
                headers=dict(headers),
                stream=True,
                allow_redirects=False,
                timeout=(min(self.config.connect_timeout, remaining), remaining),
            )
        except requests.RequestException as exc:
            error, detail = classify_exception(exc)
            return self._failure(state, error, detail)

    def _read(self, state: _Attempt, response: requests.Response) -> FetchResult:
        """Read the body within the deadline and the cap; always closes."""
        try:
            body, problem = read_body(
                response, state.deadline, self.config.max_bytes, self.clock.now
            )
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            body, problem = b"", classify_exception(exc)
        finally:
            response.close()
        error, detail = problem if problem else (None, "")
        return FetchResult(
            url=state.url,
            final_url=state.current,
            status=response.status_code,
            redirects=tuple(state.hops),
            headers=dict(response.headers),
            body=body,
            truncated=error is FetchError.TOO_LARGE,
            error=None if error is FetchError.TOO_LARGE else error,
            error_detail=detail,
        )

    def _failure(self, state: _Attempt, error: FetchError, detail: str) -> FetchResult:
        return FetchResult(
            url=state.url,
            final_url=state.current,
            status=None,
            redirects=tuple(state.hops),
            error=error,
            error_detail=detail,
        )


def read_body(
    response: requests.Response, deadline: float, max_bytes: int, now: Callable[[], float]
) -> tuple[bytes, tuple[FetchError, str] | None]:
    """Read at most max_bytes (after decompression) before the deadline.

    read1() returns whatever has arrived, so a server that trickles one byte
    at a time is still cut off at the deadline rather than at each read's
    timeout.
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        if now() > deadline:
            return b"".join(chunks), (FetchError.TIMEOUT, "no complete answer before the deadline")
        _limit_next_read(response, deadline - now())
        chunk = response.raw.read1(READ_CHUNK, decode_content=True)
        if not chunk:
            return b"".join(chunks), None
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            kept = b"".join(chunks)[:max_bytes]
            detail = f"body larger than {max_bytes} bytes; stopped reading"
            return kept, (FetchError.TOO_LARGE, detail)


def _limit_next_read(response: requests.Response, remaining: float) -> None:
    """Let the next socket read wait no longer than the time left.

    Without this, a server that sends its headers and then falls silent
    could hold a read for the whole per-read timeout past the deadline.
    """
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(remaining, 0.001))


_TIMEOUTS = (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)


def classify_exception(exc: BaseException) -> tuple[FetchError, str]:
    """Map a requests/urllib3 exception to a FetchError and a short detail."""
    text = _describe(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return FetchError.TLS, text
    if isinstance(exc, _TIMEOUTS):
        return FetchError.TIMEOUT, text
    if isinstance(exc, requests.exceptions.InvalidSchema | requests.exceptions.MissingSchema):
        return FetchError.UNSUPPORTED_SCHEME, text
    if isinstance(exc, requests.exceptions.InvalidURL):
        return FetchError.BAD_REDIRECT, text
    if _caused_by(exc, ConnectionRefusedError) or "Connection refused" in text:
        return FetchError.CONNECTION_REFUSED, "connection refused"
    if _caused_by(exc, socket.gaierror) or "Name or service not known" in text:
        return FetchError.DNS, "host not found"
    return FetchError.CONNECTION, text


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """True if kind appears anywhere in the exception's cause/context chain."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return True
        stack.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        stack.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return False


def _describe(exc: BaseException) -> str:
    """A one-line, bounded description of an exception."""
    return f"{type(exc).__name__}: {exc}"[:300]

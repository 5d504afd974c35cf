"""Fetch one URL: streamed GET, redirects by hand, a deadline and a body cap.

Sends through session.py (requests), the only network code. Every
outcome, a dead link included, comes back as a FetchResult; exceptions
escape only for faults of curate itself.

Cookies live for one resource: fetch() starts an empty jar that its hops and
its retries share (a site that sets a cookie and redirects to itself, a
"cookie check", then answers), and that no other resource ever sees.

Everything kept from an answer is bounded: the body by the cap (counted
after decompression, which happens here in bounded pieces, so a gzip bomb
stops at the cap), the headers in number and size, the redirect target in
length, and every error detail.
"""

from __future__ import annotations

import socket
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from http.cookiejar import CookieJar
from typing import Protocol
from urllib.parse import urljoin

from pipeline import __version__
from pipeline.config import FetchConfig
from pipeline.fetch.guard import AddressPolicy, AddressRefused, Resolver, check_url
from pipeline.fetch.retry import RetryPolicy
from pipeline.fetch.session import (
    MAX_DETAIL,
    Answer,
    Guard,
    HttpSession,
    SendError,
    describe,
)
from pipeline.models import FetchError, FetchResult, Hop

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
READ_CHUNK = 65_536  # raw (still compressed) bytes asked of the socket per read
DECODE_PIECE = 1_048_576  # decoded bytes produced per zlib call
MAX_HEADERS = 100  # headers kept in a FetchResult
MAX_HEADER_NAME = 256
MAX_HEADER_VALUE = 8_192
MAX_LOCATION = 8_192  # a longer redirect target is refused, not cut
# A redirect's own body is read to its end when it is this small and this
# quick, so that its connection is kept for the next hop (most often to the
# same host: http -> https aside, a moved page stays on its site).
DRAIN_BYTES = 65_536
DRAIN_SECONDS = 0.5
GZIP_WBITS = 16 + zlib.MAX_WBITS
GZIP_MAGIC = b"\x1f\x8b"
# Only what read_body() can inflate within the body cap; never br or zstd.
ACCEPT_ENCODING = "gzip, deflate"


def user_agent(contact: str) -> str:
    """Name the tool, its version and where to reach the people running it."""
    return f"curate/{__version__} (+{contact}; patient-hub link checker)"


def default_headers(config: FetchConfig) -> dict[str, str]:
    """The headers of every request: an honest User-Agent, what curate can read."""
    return {
        "User-Agent": user_agent(config.contact),
        "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
        "Accept-Language": "en;q=0.9, *;q=0.5",
        "Accept-Encoding": ACCEPT_ENCODING,
    }


class BodyDecodeError(ValueError):
    """A gzip or deflate body that does not inflate."""


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
    cookies: CookieJar
    hops: list[Hop] = field(default_factory=list)
    current: str = ""


class Fetcher:
    """Fetches URLs politely and safely; thread-safe (one shared HttpSession).

    `addresses` says which addresses may be contacted; by default private
    networks only if config.allow_private_networks. It is checked before
    every request (resolve) and, when the HttpSession is built here, again on
    every new connection against the address actually reached. An
    HttpSession passed in keeps its own guard.
    """

    def __init__(
        self,
        config: FetchConfig,
        http: HttpSession | None = None,
        clock: Clock | None = None,
        resolve: Resolver = socket.getaddrinfo,
        policy: RetryPolicy | None = None,
        addresses: AddressPolicy | None = None,
    ) -> None:
        self.config = config
        self.addresses = addresses or AddressPolicy(config.allow_private_networks)
        self.http = http or HttpSession(config, Guard(self.addresses, resolve))
        self.headers = default_headers(config)
        self.clock = clock or Clock()
        self.resolve = resolve
        self.policy = policy or RetryPolicy(
            config.retries, config.backoff_base, config.max_retry_after
        )

    def with_config(self, config: FetchConfig) -> Fetcher:
        """The same fetcher (session, clock, policies) with another configuration."""
        return Fetcher(config, self.http, self.clock, self.resolve, self.policy, self.addresses)

    def with_max_bytes(self, max_bytes: int) -> Fetcher:
        """The same fetcher (session, clock, policies) with another body cap."""
        return self.with_config(replace(self.config, max_bytes=max_bytes))

    def close(self) -> None:
        """Close the connections kept alive for later requests."""
        self.http.close()

    def kept_connections(self) -> int:
        """How many idle connections are kept open for later requests."""
        return self.http.kept_connections()

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> FetchResult:
        """Fetch url, retrying transient failures as the policy says (sleeping between)."""
        attempt, cookies = 1, CookieJar()
        while True:  # ends: the policy stops after its number of retries
            result, delay = self.try_once(url, headers or {}, attempt, cookies)
            if delay is None:
                return result
            self.clock.sleep(delay)
            attempt += 1

    def try_once(
        self, url: str, headers: Mapping[str, str], attempt: int = 1,
        cookies: CookieJar | None = None,
    ) -> tuple[FetchResult, float | None]:
        """Attempt number `attempt`, and the seconds to wait before the next one
        (None: this result is final). For callers that wait without sleeping;
        they pass the same `cookies` to every attempt for one resource."""
        result = replace(self.fetch_once(url, headers, cookies), attempts=attempt)
        return result, self.policy.delay(result, attempt, now=self.clock.wall())

    def fetch_once(
        self, url: str, headers: Mapping[str, str], cookies: CookieJar | None = None
    ) -> FetchResult:
        """One attempt: follow redirects by hand, recording every hop."""
        started = self.clock.now()
        jar = CookieJar() if cookies is None else cookies
        state = _Attempt(url, started + self.config.timeout, jar, current=url)
        result = self._follow(state, headers)
        return replace(result, elapsed_ms=int((self.clock.now() - started) * 1000))

    def _follow(self, state: _Attempt, headers: Mapping[str, str]) -> FetchResult:
        # A URL seen again with the same cookies is a loop; with a cookie the
        # last answer set, it is a site's cookie check going on as planned.
        seen = {(state.url, cookie_state(state.cookies))}
        for _ in range(self.config.max_redirects + 1):
            response_or_failure = self._request(state, headers)
            if isinstance(response_or_failure, FetchResult):
                return response_or_failure
            response = response_or_failure
            location = response.header("location")
            if response.status not in REDIRECT_STATUSES or not location:
                return self._read(state, response)
            self._discard(state, response)
            if len(location) > MAX_LOCATION:  # a page-sized Location: refuse, never cut a URL
                detail = f"redirect Location longer than {MAX_LOCATION} characters"
                return self._failure(state, FetchError.BAD_REDIRECT, detail)
            target = urljoin(state.current, utf8_location(location.strip()))
            state.hops.append(Hop(state.current, response.status, target))
            visit = (target, cookie_state(state.cookies))
            if visit in seen:
                detail = f"redirect loop back to {target}"
                return self._failure(state, FetchError.REDIRECT_LOOP, detail)
            seen.add(visit)
            state.current = target
        detail = f"more than {self.config.max_redirects} redirects"
        return self._failure(state, FetchError.TOO_MANY_REDIRECTS, detail)

    def _request(self, state: _Attempt, headers: Mapping[str, str]) -> Answer | FetchResult:
        """Send one GET for state.current, or say why it could not be sent."""
        refusal = self._refusal(state.current)
        if refusal is not None:
            return self._failure(state, *refusal)
        remaining = state.deadline - self.clock.now()
        if remaining <= 0:
            return self._failure(state, FetchError.TIMEOUT, "deadline passed during redirects")
        connect_timeout = min(self.config.connect_timeout, remaining)
        try:
            return self.http.get(state.current, {**self.headers, **headers}, state.cookies,
                                 connect_timeout, remaining)
        except SendError as exc:
            return self._failure(state, exc.error, exc.detail)

    def _refusal(self, url: str) -> tuple[FetchError, str] | None:
        """Why url may not be asked for (scheme, or an address the policy
        forbids), or None. Through a proxy, a name that does not resolve here
        is the proxy's to resolve (networks that give only the proxy DNS)."""
        try:
            check_url(url, self.addresses, self.resolve)
        except AddressRefused as exc:
            return exc.error, str(exc)
        except (socket.gaierror, UnicodeError) as exc:
            if self.http.proxies_for(url):
                return None
            return FetchError.DNS, f"host not found ({exc})"
        return None

    def _read(self, state: _Attempt, response: Answer) -> FetchResult:
        """Read the body within the deadline and the cap; always closes."""
        try:
            read = read_body(response, state.deadline, self.config.max_bytes, self.clock.now)
        except SendError as exc:
            read = BodyRead(b"", error=exc.error, detail=exc.detail)
        except BodyDecodeError as exc:
            read = BodyRead(b"", error=FetchError.CONNECTION, detail=describe(exc))
        finally:
            response.close()
        return FetchResult(
            url=state.url,
            final_url=state.current,
            status=response.status,
            redirects=tuple(state.hops),
            headers=bounded_headers(response.fields()),
            body=read.body,
            truncated=read.truncated,
            error=read.error,
            error_detail=read.detail[:MAX_DETAIL],
        )

    def _discard(self, state: _Attempt, response: Answer) -> None:
        """Read a redirect's body to its end if it is small and comes at once, then
        close the response: read whole, its connection is kept for reuse."""
        until = min(state.deadline, self.clock.now() + DRAIN_SECONDS)
        try:
            read_body(response, until, DRAIN_BYTES, self.clock.now)
        except (SendError, BodyDecodeError):
            pass  # the connection is closed below; the redirect stands
        finally:
            response.close()

    def _failure(self, state: _Attempt, error: FetchError, detail: str) -> FetchResult:
        return FetchResult(
            url=state.url,
            final_url=state.current,
            status=None,
            redirects=tuple(state.hops),
            error=error,
            error_detail=detail[:MAX_DETAIL],
        )


def cookie_state(cookies: CookieJar) -> frozenset[tuple[str, str, str, str | None]]:
    """What the jar holds, comparable: (domain, path, name, value) of each cookie."""
    return frozenset((c.domain, c.path, c.name, c.value) for c in cookies)


def utf8_location(location: str) -> str:
    """The Location as its sender meant it: http.client reads header bytes as
    Latin-1, but servers that put non-ASCII in a Location send UTF-8."""
    try:
        return location.encode("latin-1").decode("utf-8")
    except UnicodeError:  # really Latin-1 (or not text): keep as read
        return location


def bounded_headers(fields: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The first MAX_HEADERS header names, each value cut to MAX_HEADER_VALUE characters.

    A repeated header becomes one, its values joined by ", " (RFC 9110 5.3),
    under the spelling it first came with; an absurdly long name is dropped
    rather than cut.
    """
    kept: dict[str, str] = {}
    spelling: dict[str, str] = {}
    for name, value in fields:
        key = name.lower()
        if key in spelling:
            joined = f"{kept[spelling[key]]}, {value}"
            kept[spelling[key]] = joined[:MAX_HEADER_VALUE]
        elif len(kept) < MAX_HEADERS and len(name) <= MAX_HEADER_NAME:
            spelling[key] = name
            kept[name] = value[:MAX_HEADER_VALUE]
    return kept


@dataclass(frozen=True)
class BodyRead:
    """What read_body() got: the (decoded) bytes and how reading ended."""

    body: bytes
    truncated: bool = False
    error: FetchError | None = None
    detail: str = ""


def read_body(
    response: Answer, deadline: float, max_bytes: int, now: Callable[[], float]
) -> BodyRead:
    """Read at most max_bytes of decoded body before the deadline.

    Raw bytes are read and inflated here by a decoder that never produces
    more than the cap leaves room for, so a gzip bomb stops at the cap.
    (urllib3's own decoding is bounded too, but its read1() goes on reading
    until a compressed piece yields output, past any deadline for a body
    trickled a byte at a time.) read1() returns whatever has arrived, so a
    server that trickles one byte at a time is still cut off at the deadline
    rather than at each read's timeout.
    """
    decoder, note = body_decoder(response.header("content-encoding") or "")
    body = bytearray()
    while True:  # ends at the end of the body, the cap or the deadline
        if now() > deadline:
            detail = _join(note, "no complete answer before the deadline")
            return BodyRead(bytes(body), error=FetchError.TIMEOUT, detail=detail)
        # The next read waits no longer than the time left: a server that
        # sends its headers and falls silent is cut off at the deadline.
        response.limit(deadline - now())
        raw = response.read1(READ_CHUNK)
        if not raw:
            return BodyRead(bytes(body), detail=note)
        body += decoder.decode(raw, max_bytes - len(body) + 1)
        if len(body) > max_bytes:
            del body[max_bytes:]
            detail = _join(note, f"body larger than {max_bytes} bytes; stopped reading")
            return BodyRead(bytes(body), truncated=True, detail=detail)


def _join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


class Decoder(Protocol):
    """Turns raw body bytes into decoded ones, at most `room` at a time."""

    def decode(self, data: bytes, room: int) -> bytes:
        """Decoded bytes of data (room >= 1): at most room when decoding.

        Returning exactly room bytes may leave input undecoded; the caller
        then stops (the cap is exceeded) and never asks again.
        """
        ...


class Identity:
    """No content coding (or one curate does not decode): bytes as sent."""

    def decode(self, data: bytes, room: int) -> bytes:
        return data


class Inflater:
    """gzip or deflate, inflated in bounded pieces with zlib's max_length."""

    def __init__(self, gzip: bool) -> None:
        self.gzip = gzip
        self._zlib: zlib._Decompress | None = zlib.decompressobj(GZIP_WBITS) if gzip else None
        self._head = b""  # deflate: the first bytes, kept until they tell which kind

    def decode(self, data: bytes, room: int) -> bytes:
        out = bytearray()
        for _ in range(len(data) + 2):  # one round per gzip member; each uses up input
            inflater, data = self._start(data)
            if inflater is None:
                break
            out += self._inflate(inflater, data, room - len(out))
            data = b""
            if len(out) >= room or not (inflater.eof and inflater.unused_data):
                break
        return bytes(out)

    def _inflate(self, inflater: zlib._Decompress, data: bytes, room: int) -> bytes:
        """At most room bytes of data, inflated DECODE_PIECE bytes at a time."""
        out = bytearray()
        for _ in range(room // DECODE_PIECE + 2):  # each round adds a full piece, or ends
            piece = min(DECODE_PIECE, room - len(out))
            try:
                chunk = inflater.decompress(data, piece)
            except zlib.error as exc:
                kind = "gzip" if self.gzip else "deflate"
                raise BodyDecodeError(f"bad {kind} body: {exc}") from exc
            out += chunk
            data = inflater.unconsumed_tail
            if len(chunk) < piece or len(out) >= room:
                break
        return bytes(out)

    def _start(self, data: bytes) -> tuple[zlib._Decompress | None, bytes]:
        """The zlib object to feed data to (None: not yet, or never), and what to feed."""
        if self._zlib is not None and self._zlib.eof:
            rest = self._zlib.unused_data + data
            if not (self.gzip and rest.startswith(GZIP_MAGIC)):
                return None, b""  # bytes after the end of the stream: ignored
            self._zlib = zlib.decompressobj(GZIP_WBITS)  # several gzip members, one body
            return self._zlib, rest
        if self._zlib is not None:
            return self._zlib, data
        self._head += data
        if len(self._head) < 2:  # deflate with a one-byte first read: wait for more
            return None, b""
        # Servers differ: RFC 9110 deflate is zlib-wrapped, some send raw deflate.
        wrapped = self._head[0] & 0x0F == 8 and int.from_bytes(self._head[:2], "big") % 31 == 0
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        data, self._head = self._head, b""
        return self._zlib, data


def body_decoder(content_encoding: str) -> tuple[Decoder, str]:
    """The decoder for a Content-Encoding, and a note when the body stays encoded."""
    coding = content_encoding.strip().lower()
    if coding in ("", "identity"):
        return Identity(), ""
    if coding in ("gzip", "x-gzip"):
        return Inflater(gzip=True), ""
    if coding == "deflate":
        return Inflater(gzip=False), ""
    # br, zstd, stacked codings: not asked for (Accept-Encoding), kept raw within the cap
    return Identity(), f"content-encoding {coding[:40]!r} not decoded; body kept as sent"


"""Fetch one URL: streamed GET, redirects by hand, a deadline and a body cap.

Sends through transport.py (http.client), the only network code. Every
outcome, a dead link included, comes back as a FetchResult; exceptions
escape only for faults of curate itself.

Everything kept from an answer is bounded: the body by the cap (counted
after decompression, which happens here in bounded pieces, so a gzip bomb
stops at the cap), the headers in number and size, the redirect target in
length, and every error detail.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol
from urllib.parse import urljoin

from pipeline import __version__
from pipeline.config import FetchConfig
from pipeline.fetch.guard import AddressPolicy, AddressRefused, PeerRefused, Resolver, check_url
from pipeline.fetch.head import Headers
from pipeline.fetch.retry import RetryPolicy
from pipeline.fetch.transport import InvalidTarget, Response, Transport
from pipeline.models import FetchError, FetchResult, Hop

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
READ_CHUNK = 65_536  # raw (still compressed) bytes asked of the socket per read
DECODE_PIECE = 1_048_576  # decoded bytes produced per zlib call
MAX_HEADERS = 100  # headers kept in a FetchResult
MAX_HEADER_NAME = 256
MAX_HEADER_VALUE = 8_192
MAX_LOCATION = 8_192  # a longer redirect target is refused, not cut
MAX_DETAIL = 300
# A redirect's own body is read to its end when it is this small and this
# quick, so that its connection is kept for the next hop (most often to the
# same host: http -> https aside, a moved page stays on its site).
DRAIN_BYTES = 65_536
DRAIN_SECONDS = 0.5
GZIP_WBITS = 16 + zlib.MAX_WBITS
GZIP_MAGIC = b"\x1f\x8b"
# Only what read_body() can inflate within the body cap; never br or zstd.
ACCEPT_ENCODING = "gzip, deflate"
# What a failed send or read raises: the network's faults, never curate's.
TRANSPORT_ERRORS = (OSError, http.client.HTTPException, InvalidTarget)


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
    hops: list[Hop] = field(default_factory=list)
    current: str = ""


class Fetcher:
    """Fetches URLs politely and safely; thread-safe (one shared Transport).

    `addresses` says which addresses may be contacted; by default private
    networks only if config.allow_private_networks. It is checked before
    every request (resolve) and, when the Transport is built here, again on
    every new connection against the address actually reached. A Transport
    passed in keeps its own address policy.
    """

    def __init__(
        self,
        config: FetchConfig,
        transport: Transport | None = None,
        clock: Clock | None = None,
        resolve: Resolver = socket.getaddrinfo,
        policy: RetryPolicy | None = None,
        addresses: AddressPolicy | None = None,
    ) -> None:
        self.config = config
        self.addresses = addresses or AddressPolicy(config.allow_private_networks)
        # Idle connections kept per origin: twice what may be in flight to it.
        per_origin = max(config.per_host_concurrency, 1) * 2
        self.transport = transport or Transport(self.addresses, per_origin)
        self.headers = default_headers(config)
        self.clock = clock or Clock()
        self.resolve = resolve
        self.policy = policy or RetryPolicy(
            config.retries, config.backoff_base, config.max_retry_after
        )

    def with_config(self, config: FetchConfig) -> Fetcher:
        """The same fetcher (transport, clock, policies) with another configuration."""
        return Fetcher(
            config, self.transport, self.clock, self.resolve, self.policy, self.addresses
        )

    def with_max_bytes(self, max_bytes: int) -> Fetcher:
        """The same fetcher (transport, clock, policies) with another body cap."""
        return self.with_config(replace(self.config, max_bytes=max_bytes))

    def close(self) -> None:
        """Close the connections kept alive for later requests."""
        self.transport.close()

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> FetchResult:
        """Fetch url, retrying transient failures as the policy says (sleeping between)."""
        attempt = 1
        while True:  # ends: the policy stops after its number of retries
            result, delay = self.try_once(url, headers or {}, attempt)
            if delay is None:
                return result
            self.clock.sleep(delay)
            attempt += 1

    def try_once(
        self, url: str, headers: Mapping[str, str], attempt: int = 1
    ) -> tuple[FetchResult, float | None]:
        """Attempt number `attempt`, and the seconds to wait before the next one
        (None: this result is final). For callers that wait without sleeping."""
        result = replace(self.fetch_once(url, headers), attempts=attempt)
        return result, self.policy.delay(result, attempt, now=self.clock.wall())

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
            if response.status not in REDIRECT_STATUSES or not location:
                return self._read(state, response)
            self._discard(state, response)
            if len(location) > MAX_LOCATION:  # a page-sized Location: refuse, never cut a URL
                detail = f"redirect Location longer than {MAX_LOCATION} characters"
                return self._failure(state, FetchError.BAD_REDIRECT, detail)
            target = urljoin(state.current, utf8_location(location.strip()))
            state.hops.append(Hop(state.current, response.status, target))
            if target in seen:
                detail = f"redirect loop back to {target}"
                return self._failure(state, FetchError.REDIRECT_LOOP, detail)
            seen.add(target)
            state.current = target
        detail = f"more than {self.config.max_redirects} redirects"
        return self._failure(state, FetchError.TOO_MANY_REDIRECTS, detail)

    def _request(self, state: _Attempt, headers: Mapping[str, str]) -> Response | FetchResult:
        """Send one GET for state.current, or say why it could not be sent."""
        try:
            check_url(state.current, self.addresses, self.resolve)
        except AddressRefused as exc:
            return self._failure(state, exc.error, str(exc))
        except (socket.gaierror, UnicodeError) as exc:
            return self._failure(state, FetchError.DNS, f"host not found ({exc})")
        remaining = state.deadline - self.clock.now()
        if remaining <= 0:
            return self._failure(state, FetchError.TIMEOUT, "deadline passed during redirects")
        connect_timeout = min(self.config.connect_timeout, remaining)
        try:
            return self.transport.get(
                state.current, {**self.headers, **headers}, connect_timeout, remaining
            )
        except TRANSPORT_ERRORS as exc:
            error, detail = classify_exception(exc)
            return self._failure(state, error, detail)

    def _read(self, state: _Attempt, response: Response) -> FetchResult:
        """Read the body within the deadline and the cap; always closes."""
        try:
            read = read_body(response, state.deadline, self.config.max_bytes, self.clock.now)
        except (*TRANSPORT_ERRORS, BodyDecodeError) as exc:
            error, detail = classify_exception(exc)
            read = BodyRead(b"", error=error, detail=detail)
        finally:
            response.close()
        return FetchResult(
            url=state.url,
            final_url=state.current,
            status=response.status,
            redirects=tuple(state.hops),
            headers=bounded_headers(response.headers),
            body=read.body,
            truncated=read.truncated,
            error=read.error,
            error_detail=read.detail[:MAX_DETAIL],
        )

    def _discard(self, state: _Attempt, response: Response) -> None:
        """Read a redirect's body to its end if it is small and comes at once, then
        close the response: read whole, its connection is kept for reuse."""
        until = min(state.deadline, self.clock.now() + DRAIN_SECONDS)
        try:
            read_body(response, until, DRAIN_BYTES, self.clock.now)
        except (*TRANSPORT_ERRORS, BodyDecodeError):
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


def utf8_location(location: str) -> str:
    """The Location as its sender meant it: http.client reads header bytes as
    Latin-1, but servers that put non-ASCII in a Location send UTF-8."""
    try:
        return location.encode("latin-1").decode("utf-8")
    except UnicodeError:  # really Latin-1 (or not text): keep as read
        return location


def bounded_headers(headers: Headers) -> dict[str, str]:
    """The first MAX_HEADERS header names, each value cut to MAX_HEADER_VALUE characters.

    A repeated header becomes one, its values joined by ", " (RFC 9110 5.3),
    under the spelling it first came with; an absurdly long name is dropped
    rather than cut.
    """
    kept: dict[str, str] = {}
    spelling: dict[str, str] = {}
    for name, value in headers.items():
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
    response: Response, deadline: float, max_bytes: int, now: Callable[[], float]
) -> BodyRead:
    """Read at most max_bytes of decoded body before the deadline.

    Raw bytes are read (http.client never decompresses) and inflated
    here by a decoder that never produces more than the cap leaves room
    for, so a gzip bomb stops at the cap. read1() returns whatever has
    arrived, so a server that trickles one byte at a time is still cut off
    at the deadline rather than at each read's timeout.
    """
    decoder, note = body_decoder(response.headers.get("content-encoding") or "")
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


def classify_exception(exc: BaseException) -> tuple[FetchError, str]:
    """Map what a send or read raised to a FetchError and a short detail."""
    text = _describe(exc)
    if isinstance(exc, PeerRefused):
        return FetchError.FORBIDDEN_ADDRESS, str(exc)[:MAX_DETAIL]
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return FetchError.TLS, text
    if isinstance(exc, TimeoutError):
        return FetchError.TIMEOUT, text
    if isinstance(exc, InvalidTarget):
        unsupported = FetchError.UNSUPPORTED_SCHEME if exc.unsupported_scheme else None
        return unsupported or FetchError.BAD_REDIRECT, text
    if isinstance(exc, ConnectionRefusedError):
        return FetchError.CONNECTION_REFUSED, "connection refused"
    if isinstance(exc, socket.gaierror):
        return FetchError.DNS, "host not found"
    return FetchError.CONNECTION, text


def _describe(exc: BaseException) -> str:
    """A one-line, bounded description of an exception."""
    return f"{type(exc).__name__}: {exc}"[:MAX_DETAIL]

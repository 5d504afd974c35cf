"""HTTP/1.1 over http.client: guarded connections, kept alive per origin.

curate's only network code. It replaced requests and urllib3 after
`python -m bench.alternative` measured their cost: 0.92 ms (requests) and
0.58 ms (urllib3) of CPU per URL against 0.28 ms for http.client in the same
threads and scheduler, on a night that must stay under 1 ms per URL in all.
What those libraries did that curate needs is here, and no more:

- every new socket runs guard.check_peer() right after the TCP handshake,
  before TLS or any HTTP byte, so a forbidden peer never hears a request
  (the address reached may differ from the one checked before: DNS rebinding);
- TLS with certificate and host name verification (certifi's CA bundle,
  as requests used);
- idle keep-alive connections kept per origin, a bounded number of origins;
  a kept connection the server has since closed is noticed before use, or,
  if it closes in between, the GET is sent once more on a new connection;
- request targets percent-encoded and host names IDNA-encoded, as requests did.

No proxies, no cookies, no credentials from the URL or the environment:
a proxy would escape the peer check, and the sites checked are not ours.
Errors surface as the standard library raises them (OSError and its
subclasses, http.client.HTTPException, InvalidTarget); client.py maps them.
"""

from __future__ import annotations

import http.client
import re
import select
import socket
import ssl
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import certifi

from pipeline.fetch.guard import AddressPolicy, Resolver, check_peer
from pipeline.fetch.head import Answer, Headers

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_ORIGINS = 128  # origins whose idle connections are kept: the most recently used
# Characters left as they are in a request target (requests' requote_uri):
# reserved characters and the percent sign of an existing escape.
TARGET_SAFE = "!#$%&'()*+,/:;=?@[]~"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


class InvalidTarget(ValueError):
    """A URL that cannot be sent: unsupported scheme, no host, a bad port."""

    def __init__(self, message: str, unsupported_scheme: bool = False) -> None:
        super().__init__(message)
        self.unsupported_scheme = unsupported_scheme


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a connection goes: scheme, ASCII host name, port."""

    scheme: str
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class Target:
    """A URL split for sending: its origin and the request target (path?query)."""

    origin: Origin
    path: str


def parse_target(url: str) -> Target:
    """Split url for sending; raise InvalidTarget naming what is wrong."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # a port that is not a number, or out of range
        raise InvalidTarget(f"invalid URL {url[:200]!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidTarget(f"unsupported URL scheme {scheme[:20]!r}", unsupported_scheme=True)
    if not parts.hostname:
        raise InvalidTarget(f"no host in URL {url[:200]!r}")
    try:
        host = ascii_host(parts.hostname)
    except UnicodeError as exc:
        raise InvalidTarget(f"host name {parts.hostname[:100]!r} cannot be encoded") from exc
    origin = Origin(scheme, host, port or DEFAULT_PORTS[scheme])
    path = requote(parts.path or "/") + (f"?{requote(parts.query)}" if parts.query else "")
    return Target(origin, path)


def ascii_host(host: str) -> str:
    """The host name as sent: IDNA-encoded when it is not ASCII (raises UnicodeError)."""
    if host.isascii():
        return host
    return host.encode("idna").decode("ascii")


def requote(text: str) -> str:
    """Percent-encode what may not appear in a request target, keeping existing escapes.

    A '%' that starts no escape is itself encoded (as requests does), so a
    hand-written URL with a stray percent sign is still sent, not refused.
    """
    return quote(_STRAY_PERCENT.sub("%25", text), safe=TARGET_SAFE)


def tls_context() -> ssl.SSLContext:
    """Verified TLS (certificates and host names) against certifi's CA bundle."""
    return ssl.create_default_context(cafile=certifi.where())


def open_socket(host: str, port: int, timeout: float, resolve: Resolver) -> socket.socket:
    """A TCP connection to the first of host's addresses that accepts one
    (socket.create_connection, with the name resolved by `resolve`)."""
    failure: OSError | None = None
    for family, kind, proto, _, address in resolve(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
        except OSError as exc:
            sock.close()
            failure = exc
            continue
        return sock
    raise failure or OSError(f"{host} resolved to no address")


class Connection(http.client.HTTPConnection):
    """One HTTP or HTTPS connection whose peer address is checked before use."""

    response_class = Answer  # the head read without the email package (head.py)

    def __init__(
        self,
        origin: Origin,
        timeout: float,
        policy: AddressPolicy,
        tls: ssl.SSLContext | None,
        resolve: Resolver,
    ) -> None:
        super().__init__(origin.host, origin.port, timeout=timeout)
        # The Host header carries the port only when it is not the scheme's own
        # (http.client compares with default_port, 80 for this class).
        self.default_port = DEFAULT_PORTS[origin.scheme]
        self.origin = origin
        self.connect_timeout = timeout
        self.policy = policy
        self.tls = tls
        self.resolve = resolve

    def connect(self) -> None:
        """TCP, then the peer check, then (for https) TLS with the host name."""
        sock = check_peer(open_socket(self.host, self.port, self.connect_timeout, self.resolve),
                          self.policy)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        self.sock = sock

    def dropped(self) -> bool:
        """True if the server has closed this idle connection (or sent unasked bytes)."""
        if self.sock is None:
            return True
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        return bool(poller.poll(0))


class IdleConnections:
    """Idle keep-alive connections by origin: at most `per_origin` each, and
    only the MAX_ORIGINS origins used most recently. Thread-safe."""

    def __init__(self, per_origin: int) -> None:
        self.per_origin = per_origin
        self._idle: OrderedDict[Origin, list[Connection]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, origin: Origin) -> Connection | None:
        """A kept connection to origin that still looks open, if there is one."""
        while True:  # ends: each round removes one connection from a finite list
            with self._lock:
                kept = self._idle.get(origin)
                if not kept:
                    return None
                conn = kept.pop()
            if not conn.dropped():
                return conn
            conn.close()

    def give_back(self, conn: Connection) -> None:
        """Keep conn for its origin's next request, or close it if there is no room."""
        with self._lock:
            kept = self._idle.setdefault(conn.origin, [])
            self._idle.move_to_end(conn.origin)
            surplus = [conn] if len(kept) >= self.per_origin else []
            if not surplus:
                kept.append(conn)
            while len(self._idle) > MAX_ORIGINS:
                surplus += self._idle.popitem(last=False)[1]
        for extra in surplus:
            extra.close()

    def __len__(self) -> int:
        """How many idle connections are kept, over all origins."""
        with self._lock:
            return sum(map(len, self._idle.values()))

    def close(self) -> None:
        """Close every kept connection."""
        with self._lock:
            kept = [conn for conns in self._idle.values() for conn in conns]
            self._idle.clear()
        for conn in kept:
            conn.close()


class Response:
    """An answer whose body is still to be read; close() frees or keeps its connection."""

    def __init__(self, answer: Answer, conn: Connection,
                 sock: socket.socket, idle: IdleConnections) -> None:
        self.status = answer.status
        self.headers: Headers = answer.headers
        self._answer = answer
        self._conn = conn
        self._sock = sock
        self._idle = idle
        self._ended = False

    def read1(self, size: int) -> bytes:
        """Body bytes (not decoded) from at most one socket read; b'' at the end."""
        chunk = self._answer.read1(size)
        if not chunk:
            self._ended = True
        return chunk

    def limit(self, seconds: float) -> None:
        """Let the next socket read wait at most this long."""
        self._sock.settimeout(max(seconds, 0.001))

    def close(self) -> None:
        """Keep the connection if the whole body was read and both sides allow it."""
        reusable = self._ended and not self._answer.will_close
        self._answer.close()
        if reusable:
            self._idle.give_back(self._conn)
        else:
            self._conn.close()


# A kept connection the server closed after dropped() looked: these come
# before any answer byte, so the GET was not processed and is sent again.
_STALE = (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)


class Transport:
    """Sends GETs over guarded, kept-alive connections; thread-safe.

    `resolve` finds the addresses to connect to (getaddrinfo; tests pass a
    stand-in that sends every name to a loopback server), `tls` the context
    for https (certifi's CAs; tests pass one trusting their own CA).
    """

    def __init__(
        self,
        policy: AddressPolicy,
        per_origin: int = 4,
        tls: ssl.SSLContext | None = None,
        resolve: Resolver = socket.getaddrinfo,
    ) -> None:
        self.policy = policy
        self.tls = tls or tls_context()
        self.resolve = resolve
        self.idle = IdleConnections(per_origin)

    def get(self, url: str, headers: Mapping[str, str], connect_timeout: float,
            timeout: float) -> Response:
        """Send GET url; the answer's head is read, its body is not."""
        target = parse_target(url)
        conn = self.idle.take(target.origin)
        if conn is not None:
            try:
                return self._exchange(conn, target, headers, timeout)
            except _STALE:
                pass  # closed by _exchange; a new connection follows
        return self._exchange(self._connect(target.origin, connect_timeout), target, headers,
                              timeout)

    def close(self) -> None:
        """Close every idle connection."""
        self.idle.close()

    def _connect(self, origin: Origin, connect_timeout: float) -> Connection:
        tls = self.tls if origin.scheme == "https" else None
        conn = Connection(origin, connect_timeout, self.policy, tls, self.resolve)
        try:
            conn.connect()
        except BaseException:
            conn.close()
            raise
        return conn

    def _exchange(self, conn: Connection, target: Target, headers: Mapping[str, str],
                  timeout: float) -> Response:
        try:
            sock = conn.sock
            assert sock is not None  # connected by _connect, or kept open by IdleConnections
            sock.settimeout(timeout)
            conn.request("GET", target.path, headers=headers)
            answer = conn.getresponse()
            assert isinstance(answer, Answer)  # response_class
        except BaseException:
            conn.close()
            raise
        return Response(answer, conn, sock, self.idle)

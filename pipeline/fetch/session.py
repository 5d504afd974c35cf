"""HTTP through requests: one HTTPAdapter whose connections are guarded, no Session.

The only module that imports requests (and urllib3 beneath it). What it adds
to requests used plainly, and why:

- every new connection runs guard.check_peer() right after the TCP
  handshake, before TLS or any HTTP byte, in the urllib3 connection classes
  the adapter's pools use (GuardedHTTPConnection, GuardedHTTPSConnection): the
  address reached may differ from the one checked before the request (DNS
  rebinding), and a forbidden peer never hears a request;
- names are resolved by a pluggable `resolve` (getaddrinfo; tests send every
  name to their loopback servers);
- TLS trusts certifi's authorities, or the system's (truststore), plus an
  optional bundle of extra ones (a hospital's TLS-inspection CA);
- a proxy only when configured (`proxy`, or the environment's variables with
  `use_environment_proxy`); the peer is then the proxy, which is not guarded
  (it is configured on purpose), so client.py checks each target's resolved
  address before the request leaves;
- no cookies kept between resources: the caller hands in one jar per resource
  (its redirect chain and retries), never shared;
- a GET that dies on a kept-alive connection before any answer byte (the
  server closed it while it sat idle) is sent once more on a new one; any
  other failure is the caller's to judge, never retried here.

Every failure to send or read surfaces as SendError with a FetchError and a
short detail, so client.py never sees a requests or urllib3 exception.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookiejar import CookieJar
from types import TracebackType
from typing import Any, Self

import certifi
import requests
import truststore
import urllib3
from requests.adapters import HTTPAdapter
from requests.cookies import extract_cookies_to_jar
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import ConnectionPool, HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
)
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from pipeline.config import FetchConfig
from pipeline.fetch.guard import AddressPolicy, PeerRefused, Resolver, check_peer
from pipeline.models import FetchError

MAX_ORIGINS = 128  # origins whose idle connections are kept: the most recently used
MAX_DETAIL = 300
MAX_CAUSES = 12  # links followed down an exception's chain of causes


class SendError(Exception):
    """A request that could not be sent, or an answer that could not be read."""

    def __init__(self, error: FetchError, detail: str) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail[:MAX_DETAIL]


@dataclass(frozen=True)
class Guard:
    """Where new connections go (`resolve`) and which peers they may reach."""

    policy: AddressPolicy
    resolve: Resolver = socket.getaddrinfo


def open_socket(host: str, port: int, timeout: float | None, resolve: Resolver,
                options: Iterable[tuple[int, int, int]] = ()) -> socket.socket:
    """A TCP connection to the first of host's addresses that accepts one
    (urllib3's create_connection, with the name resolved by `resolve`)."""
    failure: OSError | None = None
    for family, kind, proto, _, address in resolve(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            for option in options:
                sock.setsockopt(*option)
            sock.settimeout(timeout)
            sock.connect(address)
        except OSError as exc:
            sock.close()
            failure = exc
            continue
        return sock
    raise failure or OSError(f"{host} resolved to no address")


class _Stale(ConnectionResetError):
    """A kept-alive connection closed by the server before it answered a GET."""


class _PeerChecked:
    """What the guarded connection classes add to urllib3's: the peer check on
    every new socket, a count of requests sent on it, its socket for timeouts."""

    guard: Guard
    requests_sent = 0
    io_socket: socket.socket | None = None

    def _new_conn(self) -> socket.socket:
        host, port = self._dns_host, self.port  # type: ignore[attr-defined]
        timeout, options = self.timeout, self.socket_options or ()  # type: ignore[attr-defined]
        try:
            sock = open_socket(host, port, timeout, self.guard.resolve, options)
        except socket.gaierror as exc:
            raise NameResolutionError(host, self, exc) from exc  # type: ignore[arg-type]
        except TimeoutError as exc:
            message = f"connection to {host} timed out (connect timeout={timeout})"
            raise ConnectTimeoutError(self, message) from exc
        except OSError as exc:
            message = f"failed to establish a new connection: {exc}"
            raise NewConnectionError(self, message) from exc  # type: ignore[arg-type]
        self.requests_sent = 0
        return check_peer(sock, self.guard.policy)

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.io_socket = self.sock  # type: ignore[attr-defined]

    def request(self, *args: Any, **kwargs: Any) -> None:
        self.requests_sent += 1
        super().request(*args, **kwargs)  # type: ignore[misc]

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().getresponse(*args, **kwargs)  # type: ignore[misc]
        except (http.client.RemoteDisconnected, ConnectionResetError) as exc:
            if self.requests_sent > 1:  # not the socket's first request: it was kept idle
                raise _Stale(str(exc)) from exc
            raise


class GuardedHTTPConnection(_PeerChecked, HTTPConnection):
    """urllib3's HTTPConnection with the peer check."""


class GuardedHTTPSConnection(_PeerChecked, HTTPSConnection):
    """urllib3's HTTPSConnection with the peer check, before the TLS handshake."""


def guarded_pools(guard: Guard) -> dict[str, type[HTTPConnectionPool]]:
    """Pool classes by scheme whose connections are checked against guard."""
    plain = type("GuardedHTTPConnection", (GuardedHTTPConnection,), {"guard": guard})
    secure = type("GuardedHTTPSConnection", (GuardedHTTPSConnection,), {"guard": guard})
    return {
        "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
        "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": secure}),
    }


class ResendOnStale(Retry):
    """urllib3's retry policy as requests sets it (none), except one resend of a
    GET that died on a kept connection before any answer: it was never processed."""

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if self.total and isinstance(error, ProtocolError) and _stale(error):
            return self.new(total=0)
        # Anything else: what Retry(0, read=False), requests' default, does.
        Retry(0, read=False).increment(method, url, response, error, _pool, _stacktrace)
        raise AssertionError("Retry(0) raises on every error")  # pragma: no cover


def _stale(error: ProtocolError) -> bool:
    return any(isinstance(cause, _Stale) for cause in causes(error))


class GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter whose direct connections are guarded and whose TLS is ours."""

    def __init__(self, guard: Guard, tls: ssl.SSLContext, per_origin: int,
                 in_flight: int) -> None:
        self.guard = guard
        self.tls = tls
        self.in_flight = in_flight
        # No retries but the stale resend; never one of urllib3's own for a
        # Retry-After (the scheduler waits for those without holding a thread).
        retries = ResendOnStale(total=1, respect_retry_after_header=False)
        super().__init__(pool_connections=MAX_ORIGINS, pool_maxsize=per_origin,
                         max_retries=retries)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, ssl_context=self.tls, **kwargs)
        self.poolmanager.pool_classes_by_scheme = guarded_pools(self.guard)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        """The manager for an http proxy. Its connections go to the proxy,
        configured on purpose, so they are not guarded (each target's address
        was checked before sending). Forwarded http shares one pool to the
        proxy, so it holds as many connections as may be in flight."""
        if proxy in self.proxy_manager or not proxy.lower().startswith("http://"):
            return super().proxy_manager_for(proxy, **kwargs)
        manager = urllib3.proxy_from_url(
            proxy, proxy_headers=self.proxy_headers(proxy), num_pools=MAX_ORIGINS,
            maxsize=max(self.in_flight, self._pool_maxsize), ssl_context=self.tls, **kwargs)
        manager.pool_classes_by_scheme = guarded_pools(Guard(AddressPolicy(True)))
        self.proxy_manager[proxy] = manager
        return manager


def tls_context(trust: str = "certifi", ca_bundle: str = "") -> ssl.SSLContext:
    """Verified TLS (certificates and host names) against certifi's authorities
    or the system's (trust = "system"), plus those in ca_bundle if given."""
    if trust == "system":
        context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    else:
        context = ssl.create_default_context(cafile=certifi.where())
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


class Answer:
    """An answer whose body is still to be read; close() frees or keeps its connection."""

    def __init__(self, response: requests.Response) -> None:
        self.status = response.status_code
        self._response = response
        self._raw: urllib3.HTTPResponse = response.raw

    def header(self, name: str) -> str | None:
        """The first value of the header field called name (any case)."""
        values = self._raw.headers.getlist(name)
        return values[0] if values else None

    def fields(self) -> Iterable[tuple[str, str]]:
        """(name, value) of every header field, repeated names included, in order."""
        return self._raw.headers.iteritems()

    def read1(self, size: int) -> bytes:
        """Body bytes as sent (never decoded here) from at most one socket read."""
        try:
            return self._raw.read1(size, decode_content=False) or b""
        except (urllib3.exceptions.HTTPError, OSError, http.client.HTTPException) as exc:
            raise send_error(exc) from exc

    def limit(self, seconds: float) -> None:
        """Let the next socket read wait at most this long."""
        sock = getattr(self._raw.connection, "io_socket", None)
        if sock is not None:
            sock.settimeout(max(seconds, 0.001))

    def close(self) -> None:
        """Keep the connection if the whole body was read (urllib3 released it
        to its pool then), else close it."""
        self._response.close()


class HttpSession:
    """Sends GETs through one GuardedAdapter, for http and https; thread-safe.

    Requests are prepared alone and sent by the adapter itself (see get()),
    with no requests.Session around them: nothing a Session would add applies,
    no cookies it would keep, no headers, nothing from the environment (proxy
    variables, ~/.netrc, REQUESTS_CA_BUNDLE) unless `use_environment_proxy`
    asks for the proxies.
    """

    def __init__(self, config: FetchConfig, guard: Guard,
                 tls: ssl.SSLContext | None = None) -> None:
        self.proxy = config.proxy
        self.environment_proxies = config.use_environment_proxy
        # Idle connections kept per origin: twice what may be in flight to it.
        per_origin = max(config.per_host_concurrency, 1) * 2
        self.adapter = GuardedAdapter(guard, tls or tls_context(config.trust, config.ca_bundle),
                                      per_origin, config.concurrency)
        if self.proxy:  # made now, not by whichever worker thread asks first
            self.adapter.proxy_manager_for(self.proxy)

    def proxies_for(self, url: str) -> dict[str, str]:
        """The proxy a request to url goes through: the configured one, else the
        environment's (only when trusted), else none."""
        if self.proxy:
            return {"http": self.proxy, "https": self.proxy}
        if self.environment_proxies:  # HTTP(S)_PROXY, minus what NO_PROXY exempts
            return requests.utils.get_environ_proxies(url)
        return {}

    def get(self, url: str, headers: dict[str, str], cookies: CookieJar,
            connect_timeout: float, timeout: float) -> Answer:
        """Send GET url with the cookies the jar holds for it; the answer's
        cookies go into the jar. Its head is read, its body is not."""
        try:
            # Prepared alone: with no Session there are no settings to merge
            # in (merging them was a quarter of a request's CPU).
            prepared = requests.PreparedRequest()
            prepared.prepare(method="GET", url=url, headers=headers, cookies=cookies)
            # The adapter itself, not Session.send: even with allow_redirects=False,
            # Session.send reads a redirect's whole body (decoded, without a cap)
            # to work out the next request. (Only http(s) URLs get here: the
            # caller refused any other scheme, see guard.check_url.)
            response = self.adapter.send(
                prepared, stream=True, verify=True,
                timeout=(connect_timeout, timeout), proxies=self.proxies_for(url))
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError,
                ValueError) as exc:
            raise send_error(exc) from exc
        extract_cookies_to_jar(cookies, prepared, response.raw)
        return Answer(response)

    def kept_connections(self) -> int:
        """How many idle, still-open connections are kept, over all origins."""
        managers = [self.adapter.poolmanager, *self.adapter.proxy_manager.values()]
        return sum(_idle_in(manager) for manager in managers)

    def close(self) -> None:
        """Close every kept connection (the session stays usable)."""
        self.adapter.close()


def _idle_in(manager: Any) -> int:
    pools = [manager.pools.get(key) for key in manager.pools.keys()]  # noqa: SIM118
    queued = [conn for pool in pools if pool is not None and pool.pool is not None
              for conn in list(pool.pool.queue)]
    return sum(1 for conn in queued if conn is not None and conn.sock is not None)


# -- what a failure means -------------------------------------------------------


def causes(exc: BaseException) -> list[BaseException]:
    """exc and what it wraps, outermost first: requests wraps urllib3, which
    wraps the socket's or http.client's own exception."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < MAX_CAUSES:
        chain.append(current)
        current = _wrapped(current)
    return chain


def _wrapped(exc: BaseException) -> BaseException | None:
    if isinstance(exc, MaxRetryError) and exc.reason is not None:
        return exc.reason
    inner = [arg for arg in exc.args if isinstance(arg, BaseException)]
    return inner[-1] if inner else exc.__cause__ or exc.__context__


# (FetchError, types): the first whose type appears anywhere in the chain wins.
_MEANINGS: tuple[tuple[FetchError, tuple[type[BaseException], ...]], ...] = (
    (FetchError.FORBIDDEN_ADDRESS, (PeerRefused,)),
    (FetchError.TLS, (ssl.SSLError, ssl.CertificateError, requests.exceptions.SSLError,
                      urllib3.exceptions.SSLError)),
    (FetchError.DNS, (socket.gaierror, NameResolutionError)),
    (FetchError.CONNECTION_REFUSED, (ConnectionRefusedError,)),
    (FetchError.TIMEOUT, (TimeoutError, requests.Timeout, urllib3.exceptions.TimeoutError)),
    (FetchError.UNSUPPORTED_SCHEME, (requests.exceptions.InvalidSchema,)),
    (FetchError.BAD_REDIRECT, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                               urllib3.exceptions.LocationParseError)),
)
_FIXED_DETAILS = {FetchError.CONNECTION_REFUSED: "connection refused",
                  FetchError.DNS: "host not found"}


def send_error(exc: BaseException) -> SendError:
    """What a failed send or read means, with the innermost cause as detail."""
    chain = causes(exc)
    error = next((meaning for meaning, kinds in _MEANINGS
                  if any(_is_a(cause, kinds) for cause in chain)), FetchError.CONNECTION)
    if error is FetchError.FORBIDDEN_ADDRESS:
        refusal = next(cause for cause in chain if isinstance(cause, PeerRefused))
        return SendError(error, str(refusal))
    detail = _FIXED_DETAILS.get(error) or describe(chain[-1])
    if any(isinstance(cause, requests.exceptions.ProxyError) for cause in chain):
        detail = f"through the proxy: {detail}"
    return SendError(error, detail)


def _is_a(cause: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    # urllib3's NewConnectionError is a kind of ConnectTimeoutError, but means
    # "could not connect": a timeout only if a TimeoutError caused it.
    timeout_only_in_name = isinstance(cause, NewConnectionError) and TimeoutError in kinds
    return isinstance(cause, kinds) and not timeout_only_in_name


def describe(exc: BaseException) -> str:
    """A one-line, bounded description of an exception."""
    return f"{type(exc).__name__}: {exc}"[:MAX_DETAIL]

"""A stand-in for the internet on loopback: every host name, one pair of real servers.

FakeInternet runs two real HTTP/1.1 servers on 127.0.0.1, one plain and one
TLS (a certificate from the test CA in tests/data/tls, valid for example.org,
*.example.org, web.archive.org, www.youtube.com and a few more), and a
resolver that sends every host name to them: port 443 to the TLS server,
any other port to the plain one. A test scripts answers by full URL, as it
would with `responses`, and reads back the requests the servers received:

    internet.get("https://hub.example.org/old", status=301, headers={"Location": "/new"})
    result = internet.fetcher().fetch("https://hub.example.org/old")
    assert internet.calls[0].url == "https://hub.example.org/old"

Several answers scripted for one URL are given in turn, the last one
repeatedly. A URL nobody scripted is answered 404 and recorded in
`unscripted`; the `internet` fixture fails the test if that list is not
empty (as `responses` refuses an unexpected request). Nothing here ever
leaves 127.0.0.1: the resolver answers every name without DNS.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pipeline.config import FetchConfig
from pipeline.fetch.client import Clock, Fetcher
from pipeline.fetch.guard import AddressPolicy
from pipeline.fetch.retry import RetryPolicy
from pipeline.fetch.session import Guard, HttpSession, tls_context

TLS_DIR = Path(__file__).parent / "data" / "tls"
LOOPBACK = "127.0.0.1"
TLS_PORT = 443  # a URL's port that means "the TLS server"


@dataclass(frozen=True)
class Answer:
    """What the server does for one request: answer, stall or hang up."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    # "answer"; "answer-and-close" (then close the connection unannounced);
    # "stall" (never answer); "hang-up" (close without answering)
    behaviour: str = "answer"


@dataclass(frozen=True)
class Call:
    """One request a server received: the URL as the client meant it, its headers."""

    url: str
    headers: Mapping[str, str]


@dataclass
class _Script:
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    accepts: int = 0
    unscripted: list[str] = field(default_factory=list)


class FakeInternet:
    """Two loopback servers, a resolver that leads every name to them, and a script."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._script = _Script()
        self._release = threading.Event()
        self._plain = _Server(self, tls=None)
        self._secure = _Server(self, tls=_server_context())
        self._threads = [self._plain.start(), self._secure.start()]
        self.closed_port = _closed_port()

    # -- scripting -------------------------------------------------------------

    def get(self, url: str, status: int = 200, body: bytes | str = b"",
            headers: Mapping[str, str] | None = None, content_type: str | None = None,
            then_close: bool = False) -> None:
        """Answer GET url with this (after the answers already scripted for it);
        then_close: close the kept-alive connection afterwards, unannounced."""
        fields = dict(headers or {})
        if content_type is not None:
            fields["Content-Type"] = content_type
        data = body.encode() if isinstance(body, str) else body
        behaviour = "answer-and-close" if then_close else "answer"
        self._add(url, Answer(status, tuple(fields.items()), data, behaviour))

    def stall(self, url: str) -> None:
        """Read the request for url and never answer (until the test ends)."""
        self._add(url, Answer(behaviour="stall"))

    def hang_up(self, url: str) -> None:
        """Read the request for url, then close the connection without a byte."""
        self._add(url, Answer(behaviour="hang-up"))

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._script.calls)

    @property
    def accepts(self) -> int:
        """TCP connections the two servers accepted since the last reset."""
        with self._lock:
            return self._script.accepts

    @property
    def unscripted(self) -> list[str]:
        with self._lock:
            return list(self._script.unscripted)

    def reset(self) -> None:
        """Forget the script and the calls; release stalled answers."""
        self._release.set()
        with self._lock:
            self._script = _Script()
        self._release = threading.Event()

    # -- the client side -------------------------------------------------------

    def resolve(self, host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        """getaddrinfo for this internet: every name is one of the two servers,
        except names under .invalid (RFC 6761), which are not found, and the
        closed port, which refuses connections."""
        if host.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if port != self.closed_port:
            port = (self._secure if port == TLS_PORT else self._plain).port
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (LOOPBACK, port))]

    def session(self, config: FetchConfig, trusted: bool = True) -> HttpSession:
        """An HttpSession that reaches this internet, trusting its test CA unless
        `trusted` is False (then certifi's CAs, which never signed it)."""
        tls = tls_context(ca_bundle=str(TLS_DIR / "ca.pem")) if trusted else None
        return HttpSession(config, Guard(AddressPolicy(allow_private=True), self.resolve), tls)

    def fetcher(self, config: FetchConfig, clock: Clock | None = None,
                policy: RetryPolicy | None = None, trusted: bool = True) -> Fetcher:
        """A Fetcher for config whose every request ends up here."""
        return Fetcher(config, self.session(config, trusted=trusted), clock=clock,
                       resolve=self.resolve, policy=policy)

    def close(self) -> None:
        self._release.set()
        for server in (self._plain, self._secure):
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)

    # -- the server side -------------------------------------------------------

    def _add(self, url: str, answer: Answer) -> None:
        with self._lock:
            self._script.answers.setdefault(url, []).append(answer)

    def _answer_for(self, url: str, headers: Mapping[str, str]) -> Answer | None:
        with self._lock:
            self._script.calls.append(Call(url, headers))
            queued = self._script.answers.get(url)
            if queued:
                return queued.pop(0) if len(queued) > 1 else queued[0]
            self._script.unscripted.append(url)
            return None

    def _accepted(self) -> None:
        with self._lock:
            self._script.accepts += 1

    def _wait_for_release(self) -> None:
        self._release.wait(30)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, internet: FakeInternet, tls: ssl.SSLContext | None) -> None:
        self.internet = internet
        self.tls = tls
        super().__init__((LOOPBACK, 0), _Handler)
        self.port = self.server_address[1]

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02},
                                  daemon=True)
        thread.start()
        return thread

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        self.internet._accepted()
        if self.tls is not None:  # the handshake runs in the handler's thread
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        if isinstance(self.request, ssl.SSLSocket):
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError):
                self.close_connection = True

    def do_GET(self) -> None:
        scheme = "https" if self.server.tls is not None else "http"
        url = f"{scheme}://{self.headers.get('Host', '')}{self.path}"
        answer = self.server.internet._answer_for(url, dict(self.headers.items()))
        if answer is None:
            answer = Answer(404, (("Content-Type", "text/plain"),), b"not scripted")
        if answer.behaviour == "stall":
            self.server.internet._wait_for_release()
            self.close_connection = True
            return
        if answer.behaviour == "hang-up":
            self.close_connection = True
            return
        self._send(answer)
        if answer.behaviour == "answer-and-close":
            self.close_connection = True

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        names = {name.lower() for name, _ in answer.headers}
        for name, value in answer.headers:
            self.send_header(name, value)
        bodiless = answer.status in (204, 304)  # sent with no length, as servers do
        if not bodiless and "content-length" not in names and "transfer-encoding" not in names:
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read `calls`, not a log."""


def _server_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(TLS_DIR / "server.pem"))
    return context


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed): connections are refused."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def fake_internet() -> Iterator[FakeInternet]:
    internet = FakeInternet()
    try:
        yield internet
    finally:
        internet.close()

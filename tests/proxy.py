"""A small HTTP proxy on 127.0.0.1 for the tests: CONNECT tunnels and absolute-URI GETs.

It plays a hospital's or university's proxy: curate sends every request to
it, and it resolves names itself, here with the resolver it is given
(FakeInternet's, so that every name reaches the loopback servers and nothing
leaves 127.0.0.1). It records each request line it was sent.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

from pipeline.fetch.guard import Resolver
from tests.fakes import running_in_thread

LOOPBACK = "127.0.0.1"
MAX_HEAD = 100  # header lines read from a client before giving up
PIPE_TIMEOUT = 5.0


class LoopbackProxy(socketserver.ThreadingTCPServer):
    """A forwarding and tunnelling proxy whose upstream names go through `resolve`."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve
        self.seen: list[str] = []
        self._lock = threading.Lock()
        super().__init__((LOOPBACK, 0), _ProxyHandler)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.server_address[1]}"

    @property
    def requests(self) -> list[str]:
        """Method and target of each request received, in order ("CONNECT host:443")."""
        with self._lock:
            return list(self.seen)

    def record(self, line: str) -> None:
        with self._lock:
            self.seen.append(line)

    def connect(self, host: str, port: int) -> socket.socket:
        family, kind, proto, _, address = self.resolve(host, port, type=socket.SOCK_STREAM)[0]
        upstream = socket.socket(family, kind, proto)
        upstream.settimeout(PIPE_TIMEOUT)
        upstream.connect(address)
        return upstream


class _ProxyHandler(socketserver.StreamRequestHandler):
    server: LoopbackProxy

    def handle(self) -> None:
        self.connection.settimeout(PIPE_TIMEOUT)
        line = self.rfile.readline(65_537).decode("latin-1").rstrip("\r\n")
        head = self._read_head()
        if not line:
            return
        method, target, _ = line.split(" ", 2)
        self.server.record(f"{method} {target}")
        try:
            upstream = self._open(method, target, head)
        except OSError:  # as real proxies answer when the site cannot be reached
            self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        with upstream:
            _pipe(self.connection, upstream)

    def _open(self, method: str, target: str, head: list[str]) -> socket.socket:
        if method != "CONNECT":
            return self._forward(method, target, head)
        host, _, port = target.rpartition(":")
        upstream = self.server.connect(host, int(port))
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        return upstream

    def _read_head(self) -> list[str]:
        lines: list[str] = []
        for _ in range(MAX_HEAD):  # ends at the blank line, or gives up
            raw = self.rfile.readline(65_537)
            if raw in (b"\r\n", b"\n", b""):
                break
            lines.append(raw.decode("latin-1").rstrip("\r\n"))
        return lines

    def _forward(self, method: str, target: str, head: list[str]) -> socket.socket:
        """Send the request on in origin form, one request per connection."""
        parts = urlsplit(target)
        upstream = self.server.connect(parts.hostname or "", parts.port or 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        kept = [h for h in head if not h.lower().startswith(("proxy-", "connection:"))]
        request = "\r\n".join([f"{method} {path} HTTP/1.1", *kept, "Connection: close", "", ""])
        upstream.sendall(request.encode("latin-1"))
        return upstream


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes (or falls silent too long)."""

    def copy(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65_536):
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    back = threading.Thread(target=copy, args=(upstream, client), daemon=True)
    back.start()
    copy(client, upstream)
    back.join(PIPE_TIMEOUT)


@contextlib.contextmanager
def loopback_proxy(resolve: Resolver) -> Iterator[LoopbackProxy]:
    """A running LoopbackProxy, shut down afterwards."""
    with running_in_thread(LoopbackProxy(resolve)) as proxy:
        yield proxy

"""A real HTTP server on loopback that plays a patient hub: `SimulatedHub`.

Standard library only (http.server). The server binds to a loopback
address and nothing else, on a port the OS picks by default, and serves
from daemon threads so a test can never hang on it. stop() returns
promptly even while a slow or huge answer is mid-stream: it sets a
stopping event that streams watch, and shuts down every open connection.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import socketserver
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from pipeline.sim.routes import Request, Response, Router
from pipeline.sim.variants import Variants

STOP_GRACE_SECONDS = 1.0


def require_loopback(host: str) -> None:
    """Refuse any address but IPv4 loopback: the hub must never face a network."""
    try:
        address = ipaddress.IPv4Address(host)
    except ValueError:
        raise ValueError(f"SimulatedHub binds to IPv4 loopback only, not {host!r}") from None
    if not address.is_loopback:
        raise ValueError(f"SimulatedHub binds to IPv4 loopback only, not {host!r}")


def unused_port_url(host: str = "127.0.0.1") -> str:
    """An http URL to a loopback port where nothing listens (connection refused).

    Binds a socket to port 0 to learn a free port, then closes it without
    ever listening.
    """
    require_loopback(host)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    return f"http://{host}:{port}/unreachable"


class _HubState:
    """What the handler threads share: counters, the log, open connections, variants."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.hits_by_path: dict[str, int] = {}
        self.hits_by_target: dict[str, int] = {}
        self.log: list[tuple[str, str, dict[str, str]]] = []
        self.connections: set[socket.socket] = set()
        self.handlers: set[threading.Thread] = set()
        self.errors: list[str] = []
        self.variants = Variants()

    def record(self, method: str, target: str, path: str, headers: dict[str, str]) -> None:
        """Count a request under its path and its full target, and log it."""
        with self.lock:
            self.hits_by_path[path] = self.hits_by_path.get(path, 0) + 1
            self.hits_by_target[target] = self.hits_by_target.get(target, 0) + 1
            self.log.append((method, target, headers))

    def open(self, connection: socket.socket) -> None:
        """Register a connection; shut it at once if the hub is already stopping."""
        with self.lock:
            self.connections.add(connection)
            self.handlers.add(threading.current_thread())
        if self.stopping.is_set():
            _shut(connection)

    def close(self, connection: socket.socket) -> None:
        """Forget a connection whose handler is done."""
        with self.lock:
            self.connections.discard(connection)
            self.handlers.discard(threading.current_thread())

    def shut_all(self) -> list[threading.Thread]:
        """Shut every open connection so blocked handlers wake up; return the handlers."""
        with self.lock:
            connections = list(self.connections)
            handlers = list(self.handlers)
        for connection in connections:
            _shut(connection)
        return handlers


def _shut(connection: socket.socket) -> None:
    """Shut a socket down both ways (the handler thread closes it)."""
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


class _HubServer(ThreadingHTTPServer):
    """A threading HTTP server that never blocks on close and never prints."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # a benchmark opens many connections at once

    def __init__(self, address: tuple[str, int], state: _HubState, trickle: float) -> None:
        self.state = state
        super().__init__(address, _Handler)
        self.base_url = f"http://{address[0]}:{self.server_port}"
        self.router = Router(self.base_url, trickle, state.variants)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup (getfqdn) of the address."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.socket.getsockname()[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore vanished clients; keep other errors for server_errors(), silently."""
        if not isinstance(sys.exc_info()[1], OSError):
            with self.state.lock:
                self.state.errors.append(traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the router; HTTP/1.1 with keep-alive."""

    protocol_version = "HTTP/1.1"
    server_version = "SimulatedHub/1.0"
    timeout = 30
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall between head and body
    server: _HubServer

    def setup(self) -> None:
        super().setup()
        self.server.state.open(self.connection)

    def finish(self) -> None:
        self.server.state.close(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def version_string(self) -> str:
        """The Server header, without the Python version the base class adds."""
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        """Stay silent: test output must stay clean."""

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, *, with_body: bool) -> None:
        """Record the request, resolve it, send the head and (for GET) the body."""
        target = urlsplit(self.path)
        headers = dict(self.headers.items())
        self.server.state.record(self.command, self.path, target.path, headers)
        request = Request(
            self.command, target.path, target.query, {k.lower(): v for k, v in headers.items()}
        )
        response = self.server.router.resolve(request)
        self._send_head(response)
        if with_body:
            self._send_body(response)

    def _send_head(self, response: Response) -> None:
        """Status line and headers; Content-Length unless streamed or bodiless."""
        self.send_response_only(response.status, response.reason)
        names = {name.lower() for name, _ in response.headers}
        if "server" not in names:
            self.send_header("Server", self.version_string())
        self.send_header("Date", self.date_time_string())
        for name, value in response.headers:
            self.send_header(name, value)
        if response.stream is not None:
            if response.declared_length is not None:
                self.send_header("Content-Length", str(response.declared_length))
            self.send_header("Connection", "close")
        elif response.status not in (204, 304):
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()

    def _send_body(self, response: Response) -> None:
        """Write the body; a streamed one until done, stopped or disconnected."""
        if response.stream is None:
            self.wfile.write(response.body)
            return
        try:
            response.stream(self.wfile.write, self.server.state.stopping)
        except OSError:
            self.close_connection = True


class SimulatedHub:
    """A simulated patient hub served over real HTTP on 127.0.0.1.

    Use as a context manager, or call start() and stop(). Every route is
    described in pipeline/sim/__init__.py.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, trickle_seconds: float = 30.0
    ) -> None:
        require_loopback(host)
        self._address = (host, port)
        self._trickle_seconds = trickle_seconds
        self._state = _HubState()
        self._lifecycle = threading.Lock()
        self._server: _HubServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    def start(self) -> SimulatedHub:
        """Bind the socket and serve from a background daemon thread; returns self."""
        with self._lifecycle:
            if self._stopped:
                raise RuntimeError("a stopped SimulatedHub cannot be restarted")
            if self._server is not None:
                return self
            server = _HubServer(self._address, self._state, self._trickle_seconds)
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.02},
                name=f"sim-hub-{server.server_port}",
                daemon=True,
            )
            thread.start()
            self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections, close the socket. Idempotent, prompt."""
        with self._lifecycle:
            if self._stopped:
                return
            self._stopped = True
            server, thread = self._server, self._thread
        self._state.stopping.set()
        if server is None or thread is None:
            return
        server.shutdown()
        handlers = self._state.shut_all()
        server.server_close()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for worker in [thread, *handlers]:
            worker.join(timeout=max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> SimulatedHub:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """e.g. "http://127.0.0.1:40123"; only known once started."""
        if self._server is None:
            raise RuntimeError("SimulatedHub.base_url is known only after start()")
        return self._server.base_url

    def url(self, path: str) -> str:
        """The absolute URL of a path on this hub (path starts with '/')."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        return self.base_url + path

    def refused_url(self) -> str:
        """An http URL to a loopback port where nothing listens."""
        return unused_port_url(self._address[0])

    def set_variant(self, name: str, value: str) -> None:
        """Switch a route between versions, e.g. between two nightly checks.

        "cookie-wall": "open" (default) | "walled" drives /cookie-page;
        "drift": "a" (default) | "b" drives /drift-page. Thread-safe, and
        allowed before start(). ValueError for an unknown name or value.
        """
        self._state.variants.set(name, value)

    def variant(self, name: str) -> str:
        """The current value of a variant (KeyError for an unknown name)."""
        return self._state.variants.get(name)

    def hits(self, path: str) -> int:
        """Requests received for a path (any query), or for an exact 'path?query'."""
        with self._state.lock:
            if "?" in path:
                return self._state.hits_by_target.get(path, 0)
            return self._state.hits_by_path.get(path, 0)

    def requests_log(self) -> list[tuple[str, str, dict[str, str]]]:
        """(method, request target incl. query, headers) of every request, oldest first."""
        with self._state.lock:
            return [(method, target, dict(headers)) for method, target, headers in self._state.log]

    def server_errors(self) -> list[str]:
        """Tracebacks of unexpected errors inside the server (should stay empty)."""
        with self._state.lock:
            return list(self._state.errors)

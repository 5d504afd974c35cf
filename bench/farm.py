"""A loopback link farm: one port on many loopback addresses, each answer late.

    python -m bench.farm --hosts 50 --latency 0.05 [--port 0]

Serves 127.0.0.2, 127.0.0.3, ... (one address per host) on one port and
prints `PORT <p>` once every address is bound. `/u/<n>` answers as
bench.pages.kind_of(n) says, after `--latency` seconds (asyncio.sleep, so
thousands of delayed answers cost nothing); every 200 carries an ETag and
a Last-Modified and answers a matching conditional request with 304.
`GET /_stats` and `GET /_reset` on the first address (undelayed, uncounted)
report and clear what was sent. HTTP/1.1 with keep-alive; stdlib only
(pypdf for the PDF). It stops on SIGTERM/SIGINT or after --max-seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import json
import re
import signal
import socket
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench import pages
from bench.pages import Answer

MAX_HOSTS = 250  # 127.0.0.2 ... 127.0.0.251
IDLE_SECONDS = 30.0  # a keep-alive connection idle this long is closed
MAX_REQUESTS_PER_CONNECTION = 1_000_000
MAX_HEADER_BYTES = 16_384
PORT_TRIES = 20
_PATH = re.compile(r"^/u/(\d{1,9})(/moved)?$")
REASONS = {200: "OK", 301: "Moved Permanently", 304: "Not Modified", 404: "Not Found",
           429: "Too Many Requests", 500: "Internal Server Error"}


def host_address(index: int) -> str:
    """The loopback address of farm host `index` (0 -> 127.0.0.2)."""
    if not 0 <= index < MAX_HOSTS:
        raise ValueError(f"host index {index} outside 0..{MAX_HOSTS - 1}")
    return f"127.0.0.{index + 2}"


@dataclass
class Stats:
    """What the farm sent since the last reset, and how many requests it held at once."""

    requests: int = 0
    body_bytes: int = 0
    header_bytes: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    request_seconds: float = 0.0  # the integral of requests in flight over time
    first: float | None = None  # when the first request arrived
    last: float = 0.0  # when the in-flight count last changed
    peak: int = 0
    peak_per_host: int = 0

    def add(self, status: int, head: int, body: int) -> None:
        self.requests += 1
        self.header_bytes += head
        self.body_bytes += body
        self.statuses[status] += 1

    def advance(self, in_flight: int) -> None:
        """Account for the time since the last change at the old in-flight count."""
        now = time.monotonic()
        if self.first is None:
            self.first = now
        else:
            self.request_seconds += in_flight * (now - self.last)
        self.last = now

    def as_json(self) -> bytes:
        span = self.last - self.first if self.first is not None else 0.0
        return json.dumps({
            "requests": self.requests,
            "body_bytes": self.body_bytes,
            "header_bytes": self.header_bytes,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "fetch_span": span,  # first request in to last answer out
            "mean_in_flight": self.request_seconds / span if span else 0.0,
            "peak_in_flight": self.peak,
            "peak_per_host": self.peak_per_host,
            "cpu_seconds": time.process_time(),  # the farm's own, to show it kept up
        }).encode()


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    keep_alive: bool


def answer_for(path: str, headers: dict[str, str]) -> Answer:
    """The farm's answer to GET path (a conditional request may get a 304)."""
    match = _PATH.match(path)
    if match is None:
        return Answer(404, pages.not_found_page())
    n, moved = int(match.group(1)), match.group(2) is not None
    kind = pages.HTML if moved else pages.kind_of(n)
    if kind == pages.MISSING:
        return Answer(404, pages.not_found_page())
    if kind == pages.MOVED:
        return Answer(301, headers=(("Location", f"/u/{n}/moved"),))
    if kind == pages.ERROR:
        return Answer(500, pages.status_page(500))
    if kind == pages.LIMITED:
        return Answer(429, pages.status_page(429), headers=(("Retry-After", pages.RETRY_AFTER),))
    if kind == pages.PDF:
        return _fresh(Answer(200, pages.pdf_document(), "application/pdf"), headers)
    return _fresh(Answer(200, pages.html_page(n)), headers)


def _fresh(answer: Answer, headers: dict[str, str]) -> Answer:
    """Add validators to a 200, or turn it into a 304 if the client has it."""
    etag = pages.etag_of(answer.body)
    validators = (("ETag", etag), ("Last-Modified", pages.LAST_MODIFIED))
    if _not_modified(headers, etag):
        return Answer(304, b"", "", validators)
    return Answer(answer.status, answer.body, answer.content_type, validators)


def _not_modified(headers: dict[str, str], etag: str) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since when both are sent."""
    if "if-none-match" in headers:
        tags = [t.strip().removeprefix("W/") for t in headers["if-none-match"].split(",")]
        return etag in tags or "*" in tags
    return headers.get("if-modified-since", "").strip() == pages.LAST_MODIFIED


def encode(answer: Answer, keep_alive: bool) -> bytes:
    """Status line and headers of an answer (the body follows separately)."""
    lines = [f"HTTP/1.1 {answer.status} {REASONS.get(answer.status, 'Status')}",
             f"Content-Length: {len(answer.body)}",
             f"Connection: {'keep-alive' if keep_alive else 'close'}"]
    if answer.content_type:
        lines.append(f"Content-Type: {answer.content_type}")
    lines += [f"{name}: {value}" for name, value in answer.headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def parse_request(head: bytes) -> Request | None:
    """Request line and headers of one request, or None if malformed."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection and (
        parts[2] == "HTTP/1.1" or "keep-alive" in connection)
    path = parts[1].split("?", 1)[0].split("#", 1)[0]
    return Request(parts[0].upper(), path, headers, keep_alive)


class Farm:
    """The asyncio servers of every host, sharing one Stats."""

    def __init__(self, hosts: int, latency: float) -> None:
        self.hosts = hosts
        self.latency = latency
        self.stats = Stats()
        self.servers: list[asyncio.Server] = []
        self.in_flight = 0
        self.per_host: Counter[int] = Counter()

    async def start(self, port: int) -> int:
        """Bind every host on port (0: a free one, retried); returns the port."""
        for _ in range(PORT_TRIES):
            chosen = port or _free_port(host_address(0))
            try:
                await self._bind_all(chosen)
                return chosen
            except OSError as exc:
                await self.close()
                if port or exc.errno != errno.EADDRINUSE:
                    raise
        raise OSError(errno.EADDRINUSE, "no port free on every farm address")

    async def _bind_all(self, port: int) -> None:
        for index in range(self.hosts):

            async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                              index: int = index) -> None:
                await self.serve_connection(reader, writer, index)

            server = await asyncio.start_server(
                handler, host_address(index), port, backlog=1024, reuse_address=True,
                limit=MAX_HEADER_BYTES)
            self.servers.append(server)

    async def close(self) -> None:
        for server in self.servers:
            server.close()
        for server in self.servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()
        self.servers = []

    async def serve_connection(self, reader: asyncio.StreamReader,
                               writer: asyncio.StreamWriter, host: int) -> None:
        """Answer requests on one connection until it closes or idles."""
        try:
            for _ in range(MAX_REQUESTS_PER_CONNECTION):
                request = await _read_request(reader)
                if request is None:
                    break
                await self._answer(request, writer, host)
                if not request.keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                TimeoutError, ValueError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, request: Request, writer: asyncio.StreamWriter, host: int) -> None:
        if host == 0 and request.path in ("/_stats", "/_reset"):
            await self._control(request, writer)
            return
        answer = answer_for(request.path, request.headers)
        self._enter(host)
        try:
            await asyncio.sleep(self.latency)
            head = encode(answer, request.keep_alive)
            body = b"" if request.method == "HEAD" else answer.body
            self.stats.add(answer.status, len(head), len(body))
            writer.write(head + body)
            await writer.drain()
        finally:
            self._leave(host)

    async def _control(self, request: Request, writer: asyncio.StreamWriter) -> None:
        """/_stats, or /_reset (which answers with the fresh, empty stats)."""
        if request.path == "/_reset":
            self.stats = Stats()
        body = self.stats.as_json()
        writer.write(encode(Answer(200, body, "application/json"), request.keep_alive) + body)
        await writer.drain()

    def _enter(self, host: int) -> None:
        self.stats.advance(self.in_flight)
        self.in_flight += 1
        self.per_host[host] += 1
        self.stats.peak = max(self.stats.peak, self.in_flight)
        self.stats.peak_per_host = max(self.stats.peak_per_host, self.per_host[host])

    def _leave(self, host: int) -> None:
        self.stats.advance(self.in_flight)
        self.in_flight -= 1
        self.per_host[host] -= 1


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    """The next request on a connection (its body, if any, is discarded)."""
    async with asyncio.timeout(IDLE_SECONDS):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None
    request = parse_request(head[:-4])
    if request is None:
        return None
    length = int(request.headers.get("content-length", "0") or 0)
    if length:
        await reader.readexactly(min(length, 1_048_576))
    return request


def _free_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


async def serve(hosts: int, latency: float, port: int, max_seconds: float) -> None:
    """Run the farm until a signal or max_seconds; prints `PORT <p>` when ready."""
    farm = Farm(hosts, latency)
    pages.pdf_document()  # built once, before the first request
    chosen = await farm.start(port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    last = host_address(hosts - 1)
    print(f"PORT {chosen}", flush=True)
    print(f"farm: {hosts} hosts 127.0.0.2-{last}, latency {latency}s", flush=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), max_seconds)
    await farm.close()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.farm", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=50, help="loopback hosts (default 50)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per answer")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--max-seconds", type=float, default=7200.0,
                        help="stop by itself after this long (default 7200)")
    args = parser.parse_args(argv)
    if not 1 <= args.hosts <= MAX_HOSTS:
        parser.error(f"--hosts must be 1..{MAX_HOSTS}")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    asyncio.run(serve(args.hosts, args.latency, args.port, args.max_seconds))


if __name__ == "__main__":
    main()

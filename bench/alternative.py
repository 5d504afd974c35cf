"""A measured prototype of the alternative fetch layer: asyncio (aiohttp or h11)
or plain http.client threads, with curate's real extraction inline or in a
process pool. A measurement, not part of curate: nothing in pipeline/ imports it.

    python -m bench.alternative [--urls 10000] [--hosts 50] [--latency 0.05]
        [--concurrency 32] [--per-host 2]
        [--client aiohttp h11 httpclient-threads urllib3-threads curate-threads]
        [--extract none inline pool]
        [--repeat 1] [--no-probe] [--pool-batch 16] [--reference 500]

The issue asks: "If requests with threads cannot reach these targets, say what
limits it and measure the alternative before changing course." This starts the
farm (bench/farm.py) in its own process, then runs every chosen client x
extraction mode as a fresh child process (`--run-one CLIENT:MODE --port P`),
each fetching /u/0 ... /u/N-1 as curate would:

- one scheduler for every client: at most --concurrency requests in flight and
  --per-host per host, hosts taken round-robin; a retry (5xx, 429, a failed
  connection) waits in a heap, not in a slot: backoff 0.5 s x 2^k, at most
  --retries, Retry-After honoured up to its cap (the bench's curate.toml);
- redirects followed by hand (same origin only: nothing but the farm's
  127.0.0.x addresses is ever contacted), a body cap (curate's max_bytes) read
  chunk by chunk, a whole-response deadline (curate's timeout);
- curate's soft-404 probe: one made-up sibling per host and folder, fetched in
  the slot of the first HTML page that needs it, so the farm sees the same
  ~12,070 requests as from `curate check`;
- with extraction, `pipeline.extract.extract` on what curate extracts (2xx
  bodies, HTML error pages, probe bodies): inline (in the event loop or the
  fetching thread) or in a ProcessPoolExecutor(2) (forked before the first
  request; bodies sent in batches of --pool-batch, at most 8 batches out).

aiohttp: one ClientSession, TCPConnector(limit=concurrency,
limit_per_host=per_host), allow_redirects=False, resp.content.iter_chunked.
h11: asyncio streams + h11, keep-alive connections pooled per host.
httpclient-threads: --concurrency threads of http.client, keep-alive
connections pooled per host (at most --per-host are ever in use per host, so
at most that many are kept; one per thread per host would open 32 x 50).
urllib3-threads: urllib3's PoolManager without requests (what requests sits
on), raw reads, for the layer in between.
curate-threads: curate's own Fetcher.fetch_once in the same threads and
scheduler, for reference (requests until this measurement; http.client since).

Measured per run: wall (the child process, start-up included, as bench.run
measures curate), CPU (os.wait4 of the child: its own plus its reaped pool
workers'; the farm is the runner's child, never counted), peak RSS (the
child's VmHWM plus each pool worker's, read before they exit: an upper bound,
as forked workers share pages with the parent), and the farm's view (requests
by status, mean in flight, peaks). For reference, in the runner itself: the
CPU per sequential request of a plain requests.Session and of curate's own
Fetcher, and extract()'s CPU per body kind.

aiohttp, h11, urllib3 and requests are not curate dependencies: run this with
a Python that has them (imported only when chosen), e.g.

    python3 -m venv /tmp/altvenv
    /tmp/altvenv/bin/pip install -r <(.venv/bin/pip freeze --exclude-editable) aiohttp h11 requests
    cd /work/main && /tmp/altvenv/bin/python -m bench.alternative
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import functools
import hashlib
import heapq
import http.client
import importlib
import importlib.util
import ipaddress
import json
import multiprocessing
import os
import resource
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from bench import inputs, pages, table
from bench.farm import MAX_HOSTS, host_address
from bench.farmproc import FarmProcess
from bench.inputs import Settings
from bench.measure import Measured, high_water_mb, measure, proc_mb

CLIENTS = ("aiohttp", "h11", "httpclient-threads", "urllib3-threads", "curate-threads")
ASYNC_CLIENTS = frozenset({"aiohttp", "h11"})
MODES = ("none", "inline", "pool")
# client -> module it imports (none is a curate dependency)
NEEDS = {"aiohttp": "aiohttp", "h11": "h11", "urllib3-threads": "urllib3"}
INSTALL_HINT = ("python3 -m venv /tmp/altvenv && /tmp/altvenv/bin/pip install "
                "-r <(.venv/bin/pip freeze --exclude-editable) aiohttp h11 requests; then run "
                "/tmp/altvenv/bin/python -m bench.alternative from the repository")

READ_CHUNK = 65_536
MAX_BODY = 104_857_600  # curate's FetchConfig.max_bytes
MAX_REDIRECTS = 10  # curate's FetchConfig.max_redirects
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TRANSIENT_STATUSES = frozenset({408, 429})  # and every 5xx, and a failed connection
POOL_WORKERS = 2
POOL_BATCH = 16  # bodies per pool task (--pool-batch): one pickle and queue trip for many
POOL_BACKLOG = 8  # batches submitted and not yet back; fetching waits beyond this
USER_AGENT = "curate-bench-alternative"
LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
CHILD_MAX_SECONDS = 600.0


# --- what a fetch gives back, and the rules every client shares -----------------------


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP answer (status 0: no answer, `error` says why)."""

    status: int
    body: bytes = b""
    content_type: str = ""
    location: str = ""
    retry_after: str = ""
    truncated: bool = False
    error: str = ""
    hops: tuple[int, ...] = ()  # statuses of redirects a client followed by itself
    final_path: str = ""  # where those redirects led


@dataclass(slots=True)
class Job:
    """One catalogue URL, /u/<n> on farm host `host`, and its attempt number."""

    n: int
    host: int
    attempt: int = 1


def origin(host: int, port: int) -> str:
    """http://127.0.0.x:port for a farm host; refuses anything off loopback."""
    address = host_address(host)
    if ipaddress.ip_address(address) not in LOOPBACK:
        raise ValueError(f"{address} is not a loopback address")
    return f"http://{address}:{port}"


def redirect_path(reply: Reply, base: str, path: str) -> str | None:
    """The path a redirect leads to on the same origin, else None (not followed)."""
    if reply.status not in REDIRECT_STATUSES or not reply.location:
        return None
    target = urlsplit(urljoin(base + path, reply.location.strip()))
    if f"{target.scheme}://{target.netloc}" != base:
        return None  # another host: the farm never sends one; the prototype stops here
    return target.path + (f"?{target.query}" if target.query else "")


def retry_delay(reply: Reply, attempt: int, settings: Settings) -> float | None:
    """Seconds until attempt+1 (None: final): Retry-After, else backoff x 2^(attempt-1)."""
    transient = reply.status in TRANSIENT_STATUSES or reply.status == 0 or reply.status >= 500
    if attempt > settings.retries or not transient:
        return None
    if reply.retry_after.strip().isdigit():
        return min(float(reply.retry_after), settings.max_retry_after)
    return settings.backoff * 2 ** (attempt - 1)


def wants_extraction(reply: Reply) -> bool:
    """curate's extract_from(): a complete 2xx body, or an HTML error page."""
    if reply.truncated or not reply.body:
        return False
    return 200 <= reply.status <= 299 or "html" in reply.content_type


def wants_probe(reply: Reply) -> bool:
    """curate probes for a 2xx HTML page."""
    return 200 <= reply.status <= 299 and "html" in reply.content_type


def folder_of(path: str) -> str:
    return path.rsplit("/", 1)[0]


def probe_path(path: str) -> str:
    """A sibling no site can have (pipeline.fetch.probe.probe_url, path only)."""
    return f"{folder_of(path)}/curate-probe-{secrets.token_hex(6)}"


def extract_slim(body: bytes, content_type: str) -> Any:
    """curate's extraction of one body, as fetched_from() keeps it (text dropped).

    Module-level so that a ProcessPoolExecutor can pickle a reference to it.
    """
    from pipeline.extract import extract

    hashlib.sha256(body).hexdigest()  # fetched_from() keeps the body's digest
    return dataclasses.replace(extract(body, content_type), text="")


def extract_batch(items: list[tuple[bytes, str]]) -> list[Any]:
    """What a pool worker does with one task: a batch of bodies."""
    return [extract_slim(body, content_type) for body, content_type in items]


def _warm_up(_: int) -> int:
    extract_slim(pages.html_page(0), "text/html; charset=utf-8")
    time.sleep(0.2)  # so that both workers get one
    return os.getpid()


@dataclass
class Tally:
    """What a run saw; thread-safe (the http.client threads share one)."""

    requests: Counter[int] = field(default_factory=Counter)  # status of every request
    finals: Counter[int] = field(default_factory=Counter)  # final status of every URL
    errors: Counter[str] = field(default_factory=Counter)
    probes: int = 0
    extracted: int = 0
    titled: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, reply: Reply) -> None:
        with self.lock:
            self.requests[reply.status] += 1
            self.requests.update(reply.hops)
            if reply.error:
                self.errors[reply.error] += 1

    def final(self, reply: Reply) -> None:
        with self.lock:
            self.finals[reply.status] += 1

    def extraction(self, found: Any) -> None:
        with self.lock:
            self.extracted += 1
            self.titled += found.title is not None

    def as_json(self) -> dict[str, Any]:
        return {"requests": sum(self.requests.values()),
                "request_statuses": {str(k): v for k, v in sorted(self.requests.items())},
                "final_statuses": {str(k): v for k, v in sorted(self.finals.items())},
                "errors": dict(self.errors), "probes": self.probes,
                "extracted": self.extracted, "titled": self.titled}


# --- the scheduler every client shares ---------------------------------------------------


class Plan:
    """Which URL goes next: hosts round-robin, each below its per-host cap.

    A retry waits in a heap until it is due, without a slot, then goes to the
    front of its host's queue. Not thread-safe: the thread runner locks.
    """

    def __init__(self, settings: Settings, retried_first: bool = False) -> None:
        self.per_host = settings.per_host
        self.queues: list[deque[Job]] = [deque() for _ in range(settings.hosts)]
        for n in sorted(range(settings.urls), key=lambda n: not (retried_first and _retried(n))):
            host = pages.host_index(n, settings.hosts)
            self.queues[host].append(Job(n, host))
        self.busy = [0] * settings.hosts
        self.listed = [bool(q) for q in self.queues]
        self.ready: deque[int] = deque(h for h, q in enumerate(self.queues) if q)
        self.delayed: list[tuple[float, int, Job]] = []
        self.outstanding = settings.urls

    @property
    def done(self) -> bool:
        return self.outstanding == 0

    def take(self, now: float) -> Job | None:
        """The next job whose host has a free slot (the slot is now taken), or None."""
        while self.delayed and self.delayed[0][0] <= now:
            job = heapq.heappop(self.delayed)[2]
            self.queues[job.host].appendleft(job)
            self._relist(job.host)
        if not self.ready:
            return None
        host = self.ready.popleft()
        job = self.queues[host].popleft()
        self.busy[host] += 1
        self.listed[host] = False
        self._relist(host)
        return job

    def finish(self, job: Job) -> None:
        self.outstanding -= 1
        self._release(job.host)

    def defer(self, job: Job, due: float) -> None:
        """Give the slot back; the job comes back when due, as its next attempt."""
        job.attempt += 1
        heapq.heappush(self.delayed, (due, job.n, job))
        self._release(job.host)

    def next_due(self) -> float | None:
        return self.delayed[0][0] if self.delayed else None

    def _release(self, host: int) -> None:
        self.busy[host] -= 1
        self._relist(host)

    def _relist(self, host: int) -> None:
        if not self.listed[host] and self.queues[host] and self.busy[host] < self.per_host:
            self.listed[host] = True
            self.ready.append(host)


def _retried(n: int) -> bool:
    """Whether /u/<n> answers 5xx or 429: what curate fetches first on a later night."""
    return pages.kind_of(n) in (pages.ERROR, pages.LIMITED)


def ideal_wall(settings: Settings, probe: bool, retried_first: bool = False) -> float:
    """The Plan in virtual time with a client that costs nothing: every request
    takes exactly the latency. No client can finish this work sooner.
    `retried_first`: the URLs that answer 5xx or 429 first (curate's order on
    a night after one that saw them fail)."""
    plan, now, free = Plan(settings, retried_first), 0.0, settings.concurrency
    running: list[tuple[float, int, Job, Reply]] = []
    probed: set[tuple[int, str]] = set()
    while not plan.done:
        while free and (job := plan.take(now)) is not None:
            requests, reply = _ideal_attempt(job, probe, probed)
            heapq.heappush(running, (now + requests * settings.latency, job.n, job, reply))
            free -= 1
        due = plan.next_due()  # if already due, it waits for a free slot: the next to end
        ends = [running[0][0]] if running else []
        now = min([*ends, due] if due is not None and due > now else ends)
        while running and running[0][0] <= now:
            _, _, job, reply = heapq.heappop(running)
            free += 1
            delay = retry_delay(reply, job.attempt, settings)
            if delay is None:
                plan.finish(job)
            else:
                plan.defer(job, now + delay)
    return now


def later_night_ideals(settings: Settings, bound: float) -> str:
    """The ideal of a later night (304s: no probes), in catalogue order and with
    last night's 5xx and 429 URLs first, as curate orders them then."""
    plain, first = (ideal_wall(settings, False, order) for order in (False, True))
    return (f"ideal wall of a later night (no probes): {plain:.2f} s = {plain / bound:.2f} x "
            f"bound in catalogue order, {first:.2f} s = {first / bound:.2f} x with last night's "
            "5xx and 429 first")


def _ideal_attempt(job: Job, probe: bool, probed: set[tuple[int, str]]) -> tuple[int, Reply]:
    """How many requests one attempt at /u/<n> makes, and its final answer."""
    kind = pages.kind_of(job.n)
    if kind in (pages.ERROR, pages.LIMITED):
        return 1, Reply(int(kind), retry_after=pages.RETRY_AFTER if kind == pages.LIMITED else "")
    if kind == pages.MISSING:
        return 1, Reply(404)
    requests, folder = (2, f"/u/{job.n}") if kind == pages.MOVED else (1, "/u")
    if probe and kind != pages.PDF and (job.host, folder) not in probed:
        probed.add((job.host, folder))
        requests += 1
    return requests, Reply(200)


# --- extraction: inline or in a process pool ----------------------------------------------


class PoolExtraction:
    """A ProcessPoolExecutor forked (and warmed up) before the first request;
    bodies go to it in batches. Thread-safe."""

    def __init__(self, tally: Tally, batch: int) -> None:
        import pipeline.extract  # noqa: F401  (in the parent, so the fork inherits it)

        self.tally = tally
        self.batch_size = batch
        self.batch: list[tuple[bytes, str]] = []
        self.lock = threading.Lock()
        fork = multiprocessing.get_context("fork")  # before the first request: no threads yet
        self.pool = ProcessPoolExecutor(POOL_WORKERS, mp_context=fork)
        self.pids = set(self.pool.map(_warm_up, range(POOL_WORKERS * 2)))
        self.children_before = _children_cpu()

    def add(self, body: bytes, content_type: str) -> Future[list[Any]] | None:
        """Queue a body; the batch's future once it is full and submitted, else None."""
        with self.lock:
            self.batch.append((body, content_type))
            if len(self.batch) < self.batch_size:
                return None
            batch, self.batch = self.batch, []
        return self._submit(batch)

    def flush(self) -> Future[list[Any]] | None:
        with self.lock:
            batch, self.batch = self.batch, []
        return self._submit(batch) if batch else None

    def _submit(self, batch: list[tuple[bytes, str]]) -> Future[list[Any]]:
        future = self.pool.submit(extract_batch, batch)
        future.add_done_callback(self._tally)
        return future

    def _tally(self, future: Future[list[Any]]) -> None:
        for found in future.result():
            self.tally.extraction(found)

    def close(self) -> dict[str, float]:
        """Stop the workers: their CPU (reaped: RUSAGE_CHILDREN), summed VmHWM and Pss."""
        pids = _pool_pids(self.pool, self.pids)
        peaks = sum(high_water_mb(pid) or 0.0 for pid in pids)
        pss = sum(pss_mb(pid) for pid in pids)
        self.pool.shutdown(wait=True)
        return {"workers_cpu": _children_cpu() - self.children_before,
                "workers_rss_mb": peaks, "workers_pss_mb": pss}


def _pool_pids(pool: ProcessPoolExecutor, seen: set[int]) -> set[int]:
    processes = getattr(pool, "_processes", None) or {}  # private, but the only way to list them
    return seen | set(processes)


def pss_mb(pid: int) -> float:
    """A process's proportional set size now (shared pages split among sharers)."""
    return proc_mb(pid, "smaps_rollup", "Pss:") or 0.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- the asyncio runner and its clients ----------------------------------------------------


class AsyncClient(Protocol):
    async def request(self, host: int, path: str) -> Reply: ...
    async def close(self) -> None: ...


async def read_capped(chunks: AsyncIterator[bytes], cap: int) -> tuple[bytes, bool]:
    """The body up to the cap, and whether it went past it (reading stops there)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size > cap:
            return b"".join(parts)[:cap], True
    return b"".join(parts), False


def require(module: str) -> Any:
    """A client library curate does not depend on, or a stop saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise SystemExit(f"{module} is not installed here: {INSTALL_HINT}") from None


class AiohttpClient:
    """One ClientSession, TCPConnector(limit, limit_per_host), redirects by hand."""

    def __init__(self, settings: Settings, port: int) -> None:
        self.aiohttp = aiohttp = require("aiohttp")
        self.origins = [origin(h, port) for h in range(settings.hosts)]
        connector = aiohttp.TCPConnector(limit=settings.concurrency,
                                         limit_per_host=settings.per_host)
        self.session = aiohttp.ClientSession(
            connector=connector, headers={"User-Agent": USER_AGENT}, trust_env=False,
            timeout=aiohttp.ClientTimeout(total=settings.timeout, connect=10.0))

    async def request(self, host: int, path: str) -> Reply:
        try:
            async with self.session.get(self.origins[host] + path,
                                        allow_redirects=False) as resp:
                body, truncated = await read_capped(resp.content.iter_chunked(READ_CHUNK),
                                                    MAX_BODY)
                h = resp.headers
                return Reply(resp.status, body, h.get("Content-Type", ""), h.get("Location", ""),
                             h.get("Retry-After", ""), truncated)
        except (self.aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Reply(0, error=type(exc).__name__)

    async def close(self) -> None:
        await self.session.close()


class H11Connection:
    """One keep-alive connection: asyncio streams carrying h11's bytes."""

    def __init__(self, h11: Any, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 authority: str) -> None:
        self.h11 = h11
        self.reader, self.writer = reader, writer
        self.conn = h11.Connection(h11.CLIENT)
        self.host_header = ("Host", authority)

    async def exchange(self, path: str) -> tuple[Reply, bool]:
        """One request and its answer; True if the connection can be used again."""
        h11, conn = self.h11, self.conn
        headers = [self.host_header, ("User-Agent", USER_AGENT), ("Accept", "*/*")]
        # Small writes need no drain(): the transport's buffer takes them whole.
        self.writer.write(conn.send(h11.Request(method="GET", target=path, headers=headers))
                          + conn.send(h11.EndOfMessage()))
        status, found, parts, size = 0, {}, [], 0
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await self.reader.read(READ_CHUNK))
            elif isinstance(event, h11.Response):
                status = event.status_code
                found = {k: v.decode("latin-1") for k, v in event.headers
                         if k in (b"content-type", b"location", b"retry-after")}
            elif isinstance(event, h11.Data):
                parts.append(event.data)
                size += len(event.data)
                if size > MAX_BODY:
                    return self._reply(status, found, parts, truncated=True), False
            else:  # EndOfMessage or ConnectionClosed
                break
        reusable = conn.our_state is h11.DONE and conn.their_state is h11.DONE
        if reusable:
            conn.start_next_cycle()
        return self._reply(status, found, parts, truncated=False), reusable

    @staticmethod
    def _reply(status: int, found: dict[bytes, str], parts: list[bytes], truncated: bool) -> Reply:
        body = b"".join(parts)[:MAX_BODY]
        return Reply(status, body, found.get(b"content-type", ""), found.get(b"location", ""),
                     found.get(b"retry-after", ""), truncated)

    def close(self) -> None:
        self.writer.close()


class H11Client:
    """asyncio streams + h11; idle keep-alive connections pooled per host."""

    def __init__(self, settings: Settings, port: int) -> None:
        self.h11 = require("h11")
        self.port = port
        self.timeout = settings.timeout
        self.idle: list[list[H11Connection]] = [[] for _ in range(settings.hosts)]
        for h in range(settings.hosts):
            origin(h, port)  # refuses a host off loopback before anything is opened

    async def request(self, host: int, path: str) -> Reply:
        for fresh in (False, True):  # a kept connection the server closed: once more, anew
            reused = not fresh and bool(self.idle[host])
            try:
                async with asyncio.timeout(self.timeout):
                    conn = self.idle[host].pop() if reused else await self._open(host)
                    try:
                        reply, reusable = await conn.exchange(path)
                    except BaseException:
                        conn.close()
                        raise
            except (ConnectionError, self.h11.RemoteProtocolError) as exc:
                if reused:
                    continue
                return Reply(0, error=type(exc).__name__)
            except (OSError, TimeoutError, self.h11.ProtocolError) as exc:
                return Reply(0, error=type(exc).__name__)
            if reply.status == 0 and reused:
                continue  # closed before answering
            if reusable:
                self.idle[host].append(conn)
            else:
                conn.close()
            return reply if reply.status else Reply(0, error="closed before answering")
        return Reply(0, error="no answer")

    async def _open(self, host: int) -> H11Connection:
        address = host_address(host)
        reader, writer = await asyncio.open_connection(address, self.port, limit=READ_CHUNK)
        return H11Connection(self.h11, reader, writer, f"{address}:{self.port}")

    async def close(self) -> None:
        for idle in self.idle:
            for conn in idle:
                conn.close()


class AsyncRun:
    """--concurrency worker coroutines taking jobs from the Plan."""

    def __init__(self, settings: Settings, port: int, client: AsyncClient, tally: Tally,
                 pool: PoolExtraction | None, inline: bool, probe: bool) -> None:
        self.settings, self.client, self.tally = settings, client, tally
        self.origins = [origin(h, port) for h in range(settings.hosts)]
        self.plan = Plan(settings)
        self.waiters: deque[asyncio.Future[None]] = deque()
        self.probes: dict[tuple[int, str], asyncio.Task[None]] | None = {} if probe else None
        self.pool, self.inline = pool, inline
        self.backlog = asyncio.Semaphore(POOL_BACKLOG)
        self.extracting: set[asyncio.Future[Any]] = set()

    async def run(self) -> None:
        await asyncio.gather(*(self.worker() for _ in range(self.settings.concurrency)))
        if self.pool is not None:
            await self._track(self.pool.flush())
        await asyncio.gather(*self.extracting)

    async def worker(self) -> None:
        while (job := await self.next_job()) is not None:
            await self.fetch_url(job)

    async def next_job(self) -> Job | None:
        while True:
            job = self.plan.take(time.monotonic())
            if job is not None or self.plan.done:
                return job
            await self.idle(self.plan.next_due())

    async def idle(self, due: float | None) -> None:
        """Wait for a freed slot, or until the next retry is due."""
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        delay = None if due is None else max(due - time.monotonic(), 0.0)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await waiter

    def wake(self) -> None:
        """Wake one idle worker (every one, once the plan is done)."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                if not self.plan.done:
                    return

    async def fetch_url(self, job: Job) -> None:
        path = f"/u/{job.n}"
        reply, path = await self.follow(job.host, path)
        delay = retry_delay(reply, job.attempt, self.settings)
        if delay is not None:
            self.plan.defer(job, time.monotonic() + delay)
            self.wake()
            return
        if self.probes is not None and wants_probe(reply):
            await self.probe(job.host, path)
        self.tally.final(reply)
        self.plan.finish(job)
        self.wake()
        if wants_extraction(reply):
            await self.extract(reply)

    async def follow(self, host: int, path: str) -> tuple[Reply, str]:
        for _ in range(MAX_REDIRECTS + 1):
            reply = await self.client.request(host, path)
            self.tally.request(reply)
            target = redirect_path(reply, self.origins[host], path)
            if target is None:
                break
            path = target
        return reply, reply.final_path or path

    async def probe(self, host: int, path: str) -> None:
        """The soft-404 probe of this page's folder, fetched once (others wait for it)."""
        assert self.probes is not None
        key = (host, folder_of(path))
        if key not in self.probes:
            self.probes[key] = asyncio.create_task(self._fetch_probe(host, path))
        await self.probes[key]

    async def _fetch_probe(self, host: int, path: str) -> None:
        reply = await self.client.request(host, probe_path(path))
        self.tally.request(reply)
        self.tally.probes += 1
        if reply.body:
            await self.extract(reply)

    async def extract(self, reply: Reply) -> None:
        if self.inline:
            self.tally.extraction(extract_slim(reply.body, reply.content_type))
        elif self.pool is not None:
            await self._track(self.pool.add(reply.body, reply.content_type))

    async def _track(self, submitted: Future[list[Any]] | None) -> None:
        """Wait while POOL_BACKLOG batches are out (no body piles up), then note this one."""
        if submitted is None:
            return
        await self.backlog.acquire()
        future = asyncio.wrap_future(submitted)
        self.extracting.add(future)
        future.add_done_callback(self._extracted)

    def _extracted(self, future: asyncio.Future[Any]) -> None:
        self.extracting.discard(future)
        self.backlog.release()


async def run_async(client_name: str, settings: Settings, port: int, tally: Tally,
                    pool: PoolExtraction | None, inline: bool, probe: bool) -> None:
    maker = AiohttpClient if client_name == "aiohttp" else H11Client
    client: AsyncClient = maker(settings, port)
    try:
        await AsyncRun(settings, port, client, tally, pool, inline, probe).run()
    finally:
        await client.close()


# --- the thread runner and its client ------------------------------------------------------


class HttpClientPool:
    """Plain http.client; idle keep-alive connections shared per host."""

    def __init__(self, settings: Settings, port: int) -> None:
        self.port = port
        self.timeout = settings.timeout
        self.idle: list[list[http.client.HTTPConnection]] = [[] for _ in range(settings.hosts)]
        self.headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
        for h in range(settings.hosts):
            origin(h, port)

    def request(self, host: int, path: str) -> Reply:
        for fresh in (False, True):  # a kept connection the server closed: once more, anew
            conn = None if fresh else self._pop(host)
            reused = conn is not None
            conn = conn or http.client.HTTPConnection(host_address(host), self.port,
                                                      timeout=self.timeout)
            try:
                reply, reusable = self._exchange(conn, path)
            except (ConnectionError, http.client.BadStatusLine) as exc:
                conn.close()
                if reused:
                    continue
                return Reply(0, error=type(exc).__name__)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                return Reply(0, error=type(exc).__name__)
            if reusable:
                self.idle[host].append(conn)  # list.append/pop: atomic under the GIL
            else:
                conn.close()
            return reply
        return Reply(0, error="no answer")

    def _pop(self, host: int) -> http.client.HTTPConnection | None:
        try:
            return self.idle[host].pop()
        except IndexError:
            return None

    def _exchange(self, conn: http.client.HTTPConnection, path: str) -> tuple[Reply, bool]:
        deadline = time.monotonic() + self.timeout
        conn.request("GET", path, headers=self.headers)
        resp = conn.getresponse()
        parts, size, truncated = [], 0, False
        while chunk := resp.read(READ_CHUNK):
            parts.append(chunk)
            size += len(chunk)
            if size > MAX_BODY or time.monotonic() > deadline:
                truncated = True
                break
        reply = Reply(resp.status, b"".join(parts)[:MAX_BODY],
                      resp.getheader("Content-Type", ""), resp.getheader("Location", ""),
                      resp.getheader("Retry-After", ""), truncated)
        return reply, not truncated and not resp.will_close

    def close(self) -> None:
        for idle in self.idle:
            for conn in idle:
                conn.close()


class Urllib3Pool:
    """urllib3 without requests: one PoolManager, a pool per host, raw reads."""

    def __init__(self, settings: Settings, port: int) -> None:
        self.urllib3 = urllib3 = require("urllib3")
        self.origins = [origin(h, port) for h in range(settings.hosts)]
        self.timeout = settings.timeout
        self.manager = urllib3.PoolManager(num_pools=max(settings.hosts, 10),
                                           maxsize=settings.per_host, block=False,
                                           retries=False, headers={"User-Agent": USER_AGENT,
                                                                   "Accept": "*/*"})

    def request(self, host: int, path: str) -> Reply:
        deadline = time.monotonic() + self.timeout
        try:
            resp = self.manager.urlopen("GET", self.origins[host] + path, redirect=False,
                                        preload_content=False, decode_content=False,
                                        timeout=self.timeout)
        except self.urllib3.exceptions.HTTPError as exc:
            return Reply(0, error=type(exc).__name__)
        parts, size, truncated = [], 0, False
        while chunk := resp.read1(READ_CHUNK, decode_content=False):
            parts.append(chunk)
            size += len(chunk)
            if size > MAX_BODY or time.monotonic() > deadline:
                truncated = True
                break
        headers = resp.headers
        reply = Reply(resp.status, b"".join(parts)[:MAX_BODY], headers.get("Content-Type", ""),
                      headers.get("Location", ""), headers.get("Retry-After", ""), truncated)
        resp.release_conn()
        return reply

    def close(self) -> None:
        self.manager.clear()


class CurateClient:
    """curate's own Fetcher.fetch_once (http.client, its address guard, redirects
    followed inside, body cap, deadline): the reference, in the same harness."""

    def __init__(self, settings: Settings, port: int) -> None:
        from pipeline.config import FetchConfig
        from pipeline.fetch.client import Fetcher

        self.origins = [origin(h, port) for h in range(settings.hosts)]
        self.fetcher = Fetcher(FetchConfig(
            timeout=settings.timeout, retries=settings.retries, backoff_base=settings.backoff,
            max_retry_after=settings.max_retry_after, concurrency=settings.concurrency,
            per_host_concurrency=settings.per_host, allow_private_networks=True))

    def request(self, host: int, path: str) -> Reply:
        result = self.fetcher.fetch_once(self.origins[host] + path, {})
        return Reply(result.status or 0, result.body, result.header("content-type"), "",
                     result.header("retry-after"), result.truncated,
                     str(result.error or ""), tuple(hop.status for hop in result.redirects),
                     urlsplit(result.final_url).path)

    def close(self) -> None:
        self.fetcher.close()


class SyncClient(Protocol):
    def request(self, host: int, path: str) -> Reply: ...
    def close(self) -> None: ...


class ThreadRun:
    """--concurrency threads taking jobs from the Plan under one Condition."""

    def __init__(self, settings: Settings, port: int, client: SyncClient, tally: Tally,
                 pool: PoolExtraction | None, inline: bool, probe: bool) -> None:
        self.settings, self.client, self.tally = settings, client, tally
        self.origins = [origin(h, port) for h in range(settings.hosts)]
        self.plan = Plan(settings)
        self.cond = threading.Condition()
        self.probe_on = probe
        self.probes: dict[tuple[int, str], threading.Event] = {}
        self.pool, self.inline = pool, inline
        self.backlog = threading.BoundedSemaphore(POOL_BACKLOG)
        self.extracting: list[Future[Any]] = []

    def run(self) -> None:
        threads = [threading.Thread(target=self.worker, daemon=True)
                   for _ in range(self.settings.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if self.pool is not None:
            self._track(self.pool.flush())
        wait_futures(self.extracting)

    def worker(self) -> None:
        while (job := self.next_job()) is not None:
            self.fetch_url(job)

    def next_job(self) -> Job | None:
        with self.cond:
            while True:
                job = self.plan.take(time.monotonic())
                if job is not None or self.plan.done:
                    return job
                due = self.plan.next_due()
                self.cond.wait(None if due is None else max(due - time.monotonic(), 0.0))

    def fetch_url(self, job: Job) -> None:
        path = f"/u/{job.n}"
        reply, path = self.follow(job.host, path)
        delay = retry_delay(reply, job.attempt, self.settings)
        if delay is not None:
            with self.cond:
                self.plan.defer(job, time.monotonic() + delay)
                self.cond.notify()
            return
        if self.probe_on and wants_probe(reply):
            self.probe(job.host, path)
        self.tally.final(reply)
        with self.cond:
            self.plan.finish(job)
            if self.plan.done:
                self.cond.notify_all()
            else:
                self.cond.notify()
        if wants_extraction(reply):
            self.extract(reply)

    def follow(self, host: int, path: str) -> tuple[Reply, str]:
        for _ in range(MAX_REDIRECTS + 1):
            reply = self.client.request(host, path)
            self.tally.request(reply)
            target = redirect_path(reply, self.origins[host], path)
            if target is None:
                break
            path = target
        return reply, reply.final_path or path

    def probe(self, host: int, path: str) -> None:
        """As pipeline.fetch.probe.SoftProbe: the first asker fetches, the others wait."""
        key = (host, folder_of(path))
        with self.cond:
            event = self.probes.get(key)
            mine = event is None
            if mine:
                event = self.probes[key] = threading.Event()
        assert event is not None
        if not mine:
            event.wait()
            return
        try:
            reply = self.client.request(host, probe_path(path))
            self.tally.request(reply)
            with self.tally.lock:
                self.tally.probes += 1
            if reply.body:
                self.extract(reply)
        finally:
            event.set()

    def extract(self, reply: Reply) -> None:
        if self.inline:
            self.tally.extraction(extract_slim(reply.body, reply.content_type))
        elif self.pool is not None:
            self._track(self.pool.add(reply.body, reply.content_type))

    def _track(self, submitted: Future[list[Any]] | None) -> None:
        """Wait while POOL_BACKLOG batches are out (no body piles up), then note this one."""
        if submitted is None:
            return
        self.backlog.acquire()
        submitted.add_done_callback(lambda _: self.backlog.release())
        with self.cond:
            self.extracting.append(submitted)


def run_threads(client_name: str, settings: Settings, port: int, tally: Tally,
                pool: PoolExtraction | None, inline: bool, probe: bool) -> None:
    makers: dict[str, Callable[[Settings, int], SyncClient]] = {
        "curate-threads": CurateClient, "urllib3-threads": Urllib3Pool}
    client = makers.get(client_name, HttpClientPool)(settings, port)
    try:
        ThreadRun(settings, port, client, tally, pool, inline, probe).run()
    finally:
        client.close()


# --- one configuration, in this process (the child) ---------------------------------------


def run_one(client_name: str, mode: str, settings: Settings, port: int,
            probe: bool, batch: int) -> dict[str, Any]:
    """Fetch every URL once with one client and extraction mode; what it cost."""
    tally = Tally()
    if mode == "inline":
        import pipeline.extract  # noqa: F401  (imported before the clock starts, as curate does)
    pool = PoolExtraction(tally, batch) if mode == "pool" else None
    started = time.perf_counter()
    if client_name in ASYNC_CLIENTS:
        asyncio.run(run_async(client_name, settings, port, tally, pool, mode == "inline", probe))
    else:
        run_threads(client_name, settings, port, tally, pool, mode == "inline", probe)
    fetch_wall = time.perf_counter() - started
    workers = pool.close() if pool is not None else {
        "workers_cpu": 0.0, "workers_rss_mb": 0.0, "workers_pss_mb": 0.0}
    self_usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"client": client_name, "mode": mode, "fetch_wall": fetch_wall,
            "self_cpu": self_usage.ru_utime + self_usage.ru_stime,
            "self_rss_mb": high_water_mb(os.getpid()) or 0.0, **workers, **tally.as_json()}


# --- the runner: farm, references, every configuration, the tables ------------------------


@dataclass(frozen=True)
class Row:
    """One measured configuration."""

    client: str
    mode: str
    measured: Measured
    inner: dict[str, Any]
    farm: dict[str, Any]
    load: tuple[float, float]


def run_child(client_name: str, mode: str, args: argparse.Namespace, farm: FarmProcess,
              scratch: Path) -> Row | None:
    """One configuration as a fresh child process, measured from outside."""
    cmd = [sys.executable, "-m", "bench.alternative", "--run-one", f"{client_name}:{mode}",
           "--port", str(farm.port), *settings_args(args)]
    log = scratch / f"{client_name}-{mode}.log"
    load_before = os.getloadavg()[0]
    before = farm.reset()
    measured = measure(cmd, log, CHILD_MAX_SECONDS, cwd=Path(__file__).resolve().parents[1])
    sent = farm.stats()
    sent["cpu_seconds"] -= before["cpu_seconds"]
    lines = [ln for ln in log.read_text(encoding="utf-8", errors="replace").splitlines()
             if ln.startswith("{")]
    if measured.returncode != 0 or not lines:
        print(f"{client_name}:{mode} failed (exit {measured.returncode}); its output:\n"
              + log.read_text(encoding="utf-8", errors="replace")[-3000:], flush=True)
        return None
    return Row(client_name, mode, measured, json.loads(lines[-1]), sent,
               (load_before, os.getloadavg()[0]))


def settings_args(args: argparse.Namespace) -> list[str]:
    out = ["--urls", str(args.urls), "--hosts", str(args.hosts), "--latency", str(args.latency),
           "--concurrency", str(args.concurrency), "--per-host", str(args.per_host),
           "--pool-batch", str(args.pool_batch)]
    return [*out, "--no-probe"] if args.no_probe else out


def reference_requests(settings: Settings, port: int, count: int) -> dict[str, float]:
    """CPU ms per sequential request: curate's Fetcher, plain http.client, and a
    plain requests.Session where requests is installed (curate no longer uses it)."""
    from pipeline.config import FetchConfig
    from pipeline.fetch.client import Fetcher

    url = origin(pages.host_index(0, settings.hosts), port) + "/u/0"  # a 200 HTML page
    fetcher = Fetcher(FetchConfig(allow_private_networks=True, retries=0))
    threads = HttpClientPool(settings, port)
    host = pages.host_index(0, settings.hosts)
    calls: dict[str, Callable[[], object]] = {
        "curate Fetcher.fetch_once": lambda: fetcher.fetch_once(url, {}),
        "http.client": lambda: threads.request(host, "/u/0"),
    }
    with contextlib.ExitStack() as cleanup:
        if importlib.util.find_spec("requests") is not None:
            import requests

            session = cleanup.enter_context(requests.Session())
            session.trust_env = False  # no proxy: loopback only
            calls["requests.Session"] = lambda: session.get(url, stream=True).content
        cleanup.callback(threads.close)
        cleanup.callback(fetcher.close)
        return {name: _cpu_ms_per_call(call, count) for name, call in calls.items()}


def reference_extraction(count: int = 200) -> dict[str, float]:
    """CPU ms of extract_slim() per body kind the farm serves."""
    html = "text/html; charset=utf-8"
    bodies = {"HTML page": (pages.html_page(3), html),
              "2-page PDF": (pages.pdf_document(), "application/pdf"),
              "404 page": (pages.not_found_page(), html)}
    return {name: _cpu_ms_per_call(functools.partial(extract_slim, body, kind), count)
            for name, (body, kind) in bodies.items()}


def _cpu_ms_per_call(call: Callable[[], object], count: int) -> float:
    call()  # warm: connection opened, modules imported
    started = time.process_time()
    for _ in range(count):
        call()
    return 1000 * (time.process_time() - started) / count


def grid(header: Sequence[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [list(header), *rows]) for i in range(len(header))]
    lines = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(c.rjust(w) if i > 1 else c.ljust(w)
                         for i, (c, w) in enumerate(zip(row, widths, strict=True)))
              for row in rows]
    return "\n".join(lines)


def render(rows: list[Row], settings: Settings) -> str:
    bound = inputs.politeness_bound(settings).seconds
    main = [[r.client, r.mode, f"{r.measured.wall:.2f}", f"{r.inner['fetch_wall']:.2f}",
             f"{r.measured.wall / bound:.2f}", f"{work_floor(r, settings):.2f}",
             f"{r.measured.cpu:.2f}",
             f"{1000 * r.measured.cpu / settings.urls:.3f}",
             f"{r.measured.peak_rss_mb + r.inner['workers_rss_mb']:.0f}",
             f"{r.inner['workers_cpu']:.2f}", f"{r.load[0]:.1f}/{r.load[1]:.1f}"]
            for r in rows]
    farm = [[r.client, r.mode, str(r.farm["requests"]),
             " ".join(f"{k}:{v}" for k, v in r.farm["statuses"].items()),
             " ".join(f"{k}:{v}" for k, v in r.inner["final_statuses"].items()),
             str(r.inner["probes"]), f"{r.inner['extracted']}/{r.inner['titled']}",
             f"{r.farm['fetch_span']:.2f}", f"{r.farm['mean_in_flight']:.1f}",
             f"{r.farm['peak_in_flight']}/{r.farm['peak_per_host']}",
             f"{r.farm['cpu_seconds']:.2f}", f"{r.inner['workers_pss_mb']:.0f}",
             " ".join(f"{k}:{v}" for k, v in r.inner["errors"].items()) or "-"]
            for r in rows]
    return "\n\n".join([
        grid(("client", "extract", "wall s", "fetch s", "ratio", "floor s", "CPU s", "CPU ms/URL",
              "RSS MB", "pool CPU s", "load"), main),
        grid(("client", "extract", "farm requests", "farm statuses", "final statuses (URLs)",
              "probes", "extracted/titled", "span s", "mean in flight", "peak/host",
              "farm CPU s", "pool PSS MB", "errors"), farm),
        f"targets: ratio <= {table.RATIO_TARGET} (wall <= {table.RATIO_TARGET * bound:.1f} s), "
        f"CPU <= {table.CPU_MS_TARGET} ms/URL, peak RSS <= 150 MB. wall and CPU: the whole "
        "child process (start-up included; CPU includes its pool workers); fetch s: first "
        "request to last extraction; RSS: child VmHWM + each pool worker's (an upper bound); "
        "floor s: the farm's requests x latency / concurrency, the least any client needs for "
        "this work (the bound counts one request per URL; the last retries add up to "
        f"{retry_tail(settings):.2f} s more).",
    ])


def work_floor(row: Row, settings: Settings) -> float:
    """Every request the farm answered, at the overall politeness limit."""
    return int(row.farm["requests"]) * settings.latency / settings.concurrency


def retry_tail(settings: Settings) -> float:
    """A URL failing every attempt: its last answer comes this long after its first."""
    waits = sum(settings.backoff * 2 ** k for k in range(settings.retries))
    return waits + settings.retries * settings.latency


def render_references(requests_ms: dict[str, float], extract_ms: dict[str, float],
                      count: int) -> str:
    lines = [f"reference, CPU ms per call in this process ({count} sequential calls each; a "
             "request after a 50 ms wait finds cold caches: under load, see the `none` rows):"]
    lines += [f"  {name:<28} {ms:.3f} ms / request" for name, ms in requests_ms.items()]
    lines += [f"  extract() {name:<18} {ms:.3f} ms / body" for name, ms in extract_ms.items()]
    return "\n".join(lines)


def available(client_name: str) -> bool:
    module = NEEDS.get(client_name)
    return module is None or importlib.util.find_spec(module) is not None


def run_all(args: argparse.Namespace, settings: Settings) -> list[Row]:
    clients = [c for c in args.client if available(c)]
    for missing in sorted(set(args.client) - set(clients)):
        print(f"{missing}: {NEEDS[missing]} is not installed for {sys.executable}; skipped. "
              f"To measure it: {INSTALL_HINT}", flush=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="curate-alternative-") as tmp:
        scratch = Path(tmp)
        max_seconds = 600.0 + CHILD_MAX_SECONDS * len(clients) * len(args.extract) * args.repeat
        with FarmProcess(settings.hosts, settings.latency, scratch / "farm.log",
                         max_seconds) as farm:
            bound = inputs.politeness_bound(settings)
            print(table.preamble(settings, bound, farm.port), flush=True)
            ideal = ideal_wall(settings, not args.no_probe)
            print(f"ideal wall (this scheduler, a client costing nothing, no start-up): "
                  f"{ideal:.2f} s = {ideal / bound.seconds:.2f} x bound", flush=True)
            print(later_night_ideals(settings, bound.seconds), flush=True)
            if args.reference:
                print(render_references(reference_requests(settings, farm.port, args.reference),
                                        reference_extraction(), args.reference), flush=True)
            for _ in range(args.repeat):
                for client_name in clients:
                    for mode in args.extract:
                        row = run_child(client_name, mode, args, farm, scratch)
                        if row is not None:
                            rows.append(row)
                            print(f"  {client_name:<18} {mode:<6} wall {row.measured.wall:6.2f} s"
                                  f"  CPU {row.measured.cpu:6.2f} s  load "
                                  f"{row.load[1]:.1f}", flush=True)
    return rows


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.alternative", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    inputs.add_farm_arguments(p)
    p.add_argument("--client", nargs="+", choices=CLIENTS, default=list(CLIENTS),
                   help="clients to measure (default: all; one not installed is skipped)")
    p.add_argument("--extract", nargs="+", choices=MODES, default=list(MODES),
                   help="extraction modes (default: all)")
    p.add_argument("--repeat", type=int, default=1, help="run every configuration this often")
    p.add_argument("--no-probe", action="store_true", help="no soft-404 probes")
    p.add_argument("--pool-batch", type=int, default=POOL_BATCH, metavar="B",
                   help="bodies per process-pool task (default %(default)s; 1: one each)")
    p.add_argument("--reference", type=int, default=500, metavar="K",
                   help="sequential requests per reference client (0: none; default 500)")
    p.add_argument("--run-one", metavar="CLIENT:MODE",
                   help="measure one configuration in this process against a running farm "
                   "(--port); prints one JSON line (what the runner does in each child)")
    p.add_argument("--port", type=int, help="the farm's port, with --run-one")
    args = p.parse_args(argv)
    if min(args.urls, args.concurrency, args.per_host, args.repeat, args.pool_batch) < 1:
        p.error("--urls, --concurrency, --per-host, --repeat and --pool-batch must be >= 1")
    if not 1 <= args.hosts <= MAX_HOSTS:
        p.error(f"--hosts must be 1..{MAX_HOSTS}")
    if args.run_one is not None:
        client_name, _, mode = args.run_one.partition(":")
        if client_name not in CLIENTS or mode not in MODES or args.port is None:
            p.error(f"--run-one takes CLIENT:MODE ({'|'.join(CLIENTS)}:{'|'.join(MODES)}) "
                    "and needs --port")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings(urls=args.urls, hosts=args.hosts, latency=args.latency,
                        concurrency=args.concurrency, per_host=args.per_host)
    if args.run_one is not None:
        client_name, _, mode = args.run_one.partition(":")
        found = run_one(client_name, mode, settings, args.port, not args.no_probe,
                        args.pool_batch)
        print(json.dumps(found), flush=True)
        return 0
    rows = run_all(args, settings)
    print(render(rows, settings))
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())

"""What the runner gives each tool: the farm's URLs as a catalogue, a
curate.toml and a URL list for lychee, all with the same limits; and the
politeness lower bound those limits imply."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench import pages
from bench.farm import host_address


@dataclass(frozen=True)
class Settings:
    """One bench configuration, shared by curate, lychee and the bound."""

    urls: int = 10_000
    hosts: int = 50
    latency: float = 0.05
    concurrency: int = 32
    per_host: int = 2
    interval: float = 0.0
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 2.0
    timeout: float = 20.0


def add_farm_arguments(parser: argparse.ArgumentParser) -> None:
    """The farm's size and the request limits, options of every bench command
    (defaults: `Settings()`)."""
    d = Settings()
    parser.add_argument("--urls", type=int, default=d.urls, help="N URLs (default %(default)s)")
    parser.add_argument("--hosts", type=int, default=d.hosts, help="loopback hosts (default 50)")
    parser.add_argument("--latency", type=float, default=d.latency, help="seconds per answer")
    parser.add_argument("--concurrency", type=int, default=d.concurrency,
                        help="in flight overall")
    parser.add_argument("--per-host", type=int, default=d.per_host, help="in flight per host")


def url_of(n: int, settings: Settings, port: int) -> str:
    return f"http://{host_address(pages.host_index(n, settings.hosts))}:{port}/u/{n}"


def write_catalogue(path: Path, settings: Settings, port: int) -> Path:
    """One hub file listing /u/0 ... /u/N-1 with the titles the farm serves."""
    lines = ["hub: bench-farm", 'title: "Loopback link farm"', "resources:"]
    for n in range(settings.urls):
        lines += _resource(n, url_of(n, settings, port))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _resource(n: int, url: str) -> list[str]:
    is_pdf = pages.kind_of(n) == pages.PDF
    entry = [f"  - id: u{n}", f"    title: {json.dumps(pages.title_of(n))}",
             f'    url: "{url}"', f"    kind: {'guide' if is_pdf else 'web-page'}",
             f"    format: {'pdf' if is_pdf else 'html'}"]
    if is_pdf:
        entry.append(f"    pages: {pages.PDF_PAGES}")
    return entry


def write_config(path: Path, settings: Settings) -> Path:
    """curate.toml with the bench's limits; loopback allowed."""
    path.write_text(
        "[fetch]\n"
        f"timeout = {settings.timeout}\n"
        f"retries = {settings.retries}\n"
        f"backoff_base = {settings.backoff}\n"
        f"max_retry_after = {settings.max_retry_after}\n"
        f"concurrency = {settings.concurrency}\n"
        f"per_host_concurrency = {settings.per_host}\n"
        f"per_host_interval = {settings.interval}\n"
        "allow_private_networks = true\n",
        encoding="utf-8",
    )
    return path


def write_url_list(path: Path, settings: Settings, port: int) -> Path:
    """The same URLs, one a line, for lychee."""
    path.write_text(
        "".join(url_of(n, settings, port) + "\n" for n in range(settings.urls)),
        encoding="utf-8")
    return path


@dataclass(frozen=True)
class Bound:
    """The politeness lower bound on wall time (seconds)."""

    per_host: float
    overall: float

    @property
    def seconds(self) -> float:
        return max(self.per_host, self.overall)


def politeness_bound(settings: Settings) -> Bound:
    """No polite checker can be faster, whatever its overheads.

    Per host: its U URLs take U x latency / per-host concurrency, and their
    starts are spaced by the interval ((U - 1) x interval + latency): the
    larger of the two, as spacing and waiting overlap. Overall: N x latency
    / global concurrency. One request per URL: redirects, retries and
    probes are extra work the mix asks for, shown in the farm's counts.
    """
    per_host_urls = Counter(pages.host_index(n, settings.hosts) for n in range(settings.urls))
    busiest = max(per_host_urls.values(), default=0)
    waiting = busiest * settings.latency / settings.per_host
    spacing = max(busiest - 1, 0) * settings.interval + settings.latency
    overall = settings.urls * settings.latency / settings.concurrency
    return Bound(max(waiting, spacing), overall)


def expected_kinds(urls: int) -> Counter[str]:
    """How many URLs of each kind the farm serves for /u/0 ... /u/N-1."""
    return Counter(pages.kind_of(n) for n in range(urls))

"""The soft-404 probe: ask the host for a made-up sibling of a page.

One probe per host and folder per run (cached, and fetched once even when
several workers want it at the same moment): a host that answers an
invented path with the same page as a resource is not telling the truth
about either (Bar-Yossef et al., WWW 2004).

The probe only fetches: what its answer means is the caller's. A `read`
function given by the caller (pipeline.check builds the judges' Probe from
it) turns the probe URL and its FetchResult into what is cached and handed
to every page of the folder, once, so the fetch stage imports no extraction
or judgement and keeps no probe body in memory.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Generic, TypeVar
from urllib.parse import urlsplit, urlunsplit

from pipeline.fetch.client import Fetcher
from pipeline.models import FetchResult

PROBE_MAX_BYTES = 1_048_576  # a not-found page is small; never read more
UNFETCHED = FetchResult(url="", final_url="", status=None)  # read for waiters if curate fails
T = TypeVar("T")


def probe_url(page_url: str, token: str) -> str:
    """A sibling of page_url that no site can have: same folder, invented name."""
    parts = urlsplit(page_url)
    folder = parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, f"{folder}curate-probe-{token}", "", ""))


def probe_key(page_url: str) -> tuple[str, str, str]:
    parts = urlsplit(page_url)
    return (parts.scheme, parts.netloc.lower(), parts.path.rsplit("/", 1)[0])


class SoftProbe(Generic[T]):
    """Fetches one probe per (scheme, host, folder) and caches what `read` makes of it."""

    def __init__(
        self,
        fetcher: Fetcher,
        read: Callable[[str, FetchResult], T],
        pace: Callable[[str], None] | None = None,
    ) -> None:
        self.fetcher = fetcher.with_max_bytes(PROBE_MAX_BYTES)
        self.read = read
        self.pace = pace
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str, str], T] = {}
        self._pending: dict[tuple[str, str, str], threading.Event] = {}

    def probe(self, page_url: str, host: str) -> T:
        """The probe for page_url's folder, fetching it only the first time."""
        key = probe_key(page_url)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            waiting = self._pending.get(key)
            if waiting is None:
                self._pending[key] = threading.Event()
        if waiting is not None:
            waiting.wait()
            return self._cache[key]
        return self._fetch_and_store(key, page_url, host)

    def _fetch_and_store(self, key: tuple[str, str, str], page_url: str, host: str) -> T:
        found = self.read("", UNFETCHED)  # what waiters get if curate itself fails
        try:
            found = self._fetch(page_url, host)
            return found
        finally:
            with self._lock:
                self._cache[key] = found
                self._pending.pop(key).set()

    def _fetch(self, page_url: str, host: str) -> T:
        url = probe_url(page_url, secrets.token_hex(6))
        if self.pace is not None:
            self.pace(host)  # the probe is one more request to this host: space it too
        return self.read(url, self.fetcher.fetch_once(url, {}))

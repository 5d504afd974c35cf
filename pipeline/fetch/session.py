"""The one requests Session of a run, with curate's honest User-Agent."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter

from pipeline import __version__
from pipeline.config import FetchConfig


def user_agent(contact: str) -> str:
    """Name the tool, its version and where to reach the people running it."""
    return f"curate/{__version__} (+{contact}; patient-hub link checker)"


def build_session(config: FetchConfig) -> requests.Session:
    """A Session sized for the run's concurrency, retrying nothing by itself.

    Retries are the RetryPolicy's job, so the adapter's own are off; the
    pool holds one connection per concurrent request.
    """
    session = requests.Session()
    session.headers.update(
        {
            "User-Agent": user_agent(config.contact),
            "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
            "Accept-Language": "en;q=0.9, *;q=0.5",
        }
    )
    adapter = HTTPAdapter(
        pool_connections=128,  # host pools kept alive: one per recently seen host
        pool_maxsize=max(config.per_host_concurrency, 1) * 2,
        max_retries=0,
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session

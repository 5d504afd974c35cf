"""The one requests Session of a run: curate's honest User-Agent, guarded connections."""

from __future__ import annotations

import requests

from pipeline import __version__
from pipeline.config import FetchConfig
from pipeline.fetch.connection import GuardedAdapter
from pipeline.fetch.guard import AddressPolicy

# Only what read_body() can inflate within the body cap; never br or zstd.
ACCEPT_ENCODING = "gzip, deflate"


def user_agent(contact: str) -> str:
    """Name the tool, its version and where to reach the people running it."""
    return f"curate/{__version__} (+{contact}; patient-hub link checker)"


def build_session(config: FetchConfig, policy: AddressPolicy | None = None) -> requests.Session:
    """A Session sized for the run's concurrency, retrying nothing by itself.

    Retries are the RetryPolicy's job, so the adapter's own are off; the
    pool holds one connection per concurrent request. Every new connection
    checks the address it reached against policy (by default: private
    networks allowed only if the configuration says so).
    """
    if policy is None:
        policy = AddressPolicy(allow_private=config.allow_private_networks)
    session = requests.Session()
    session.headers.update(
        {
            "User-Agent": user_agent(config.contact),
            "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
            "Accept-Language": "en;q=0.9, *;q=0.5",
            "Accept-Encoding": ACCEPT_ENCODING,
        }
    )
    adapter = GuardedAdapter(
        policy,
        pool_connections=128,  # host pools kept alive: one per recently seen host
        pool_maxsize=max(config.per_host_concurrency, 1) * 2,
        max_retries=0,
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    # No proxies or .netrc credentials from the environment: a connection
    # through a proxy escapes the address check above, credentials must never
    # be sent to the sites checked, and the per-request environment lookups
    # cost a fifth of requests' overhead (measured by `make bench`).
    session.trust_env = False
    return session

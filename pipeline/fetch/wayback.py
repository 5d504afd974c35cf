"""Ask the Wayback Machine for its newest capture of a URL.

`GET https://web.archive.org/web/<url>` (no timestamp) answers with a
redirect to the newest capture, `https://web.archive.org/web/<14 digits>/<url>`,
or 404 when the URL was never archived. Only that redirect answer is read:
the capture itself (a slow replay, maybe a large PDF) is not downloaded, and
the separate availability API, which often answers "nothing" for URLs that
are archived, is not used.

The Fetcher follows redirects by hand and records every hop; a copy of it
with `max_redirects=0` stops after the first answer, so a redirect comes back
as a FetchResult with error `too-many-redirects` whose `redirects[0]` holds
the status and the (absolute) Location. Should the fetcher ever return the
3xx answer itself instead, its Location header is read. A redirect to a
Wayback address without a full timestamp (e.g. `/web/2/<url>`) is followed,
one hop at a time, at most MAX_HOPS times.

Known limit: the newest capture may itself be of an error page; the finding
built from it is a suggestion for a curator to open, never a verdict.

newest_captures() looks up several URLs, politely and within a bound; what
it finds is an ArchiveCapture (pipeline.models). Which resources to look up,
and the `archived-copy` finding made from a capture, are the check stage's
and the judge's (pipeline.check, pipeline.judge.archive): the fetch stage
never reads a verdict.

Nothing here fails a run: a refusal, a timeout, an unexpected or malformed
answer all mean "no capture".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

from pipeline.fetch.client import REDIRECT_STATUSES, Fetcher
from pipeline.models import ArchiveCapture, FetchResult

WAYBACK_ENDPOINT = "https://web.archive.org/web/"
LOOKUP_MAX_BYTES = 65_536  # a 404 page's body is read (and dropped) within this cap
MAX_HOPS = 3  # redirects followed while no timestamped capture has appeared
LOOKUP_INTERVAL = 1.0  # seconds between two look-ups: one polite client, one at a time
MAX_LOOKUPS = 100  # per run; a night with hundreds of broken links is rarely about links
TIMESTAMP = re.compile(r"(\d{14})(?:[a-z]{2}_)?/(.+)", re.DOTALL)
PARTIAL = re.compile(r"\d{1,13}(?:[a-z]{2}_)?/")  # e.g. "2/": the archive picks the capture


def newest_capture(
    url: str, fetcher: Fetcher, endpoint: str = WAYBACK_ENDPOINT
) -> ArchiveCapture | None:
    """The Wayback Machine's newest capture of url, or None (not archived, or no answer)."""
    lookup_url = endpoint + url
    one_hop = single_hop(fetcher)
    current = lookup_url
    for _ in range(MAX_HOPS + 1):
        location = redirect_target(one_hop.fetch(current))
        if location is None or not same_origin(location, endpoint):
            return None
        captured = parse_capture(location, endpoint)
        if captured is not None:
            return ArchiveCapture(url, lookup_url, location, captured)
        if location == current or not partial_timestamp(location, endpoint):
            return None
        current = location
    return None


def single_hop(fetcher: Fetcher) -> Fetcher:
    """The same fetcher (transport, clock, guard, retries) stopping at the first answer."""
    return fetcher.with_config(
        replace(fetcher.config, max_redirects=0, max_bytes=LOOKUP_MAX_BYTES)
    )


def redirect_target(result: FetchResult) -> str | None:
    """The absolute Location of the first answer if it was a redirect, else None."""
    if result.redirects:
        hop = result.redirects[0]
        return hop.location if hop.status in REDIRECT_STATUSES and hop.location else None
    location = result.header("location").strip()
    if result.error is None and result.status in REDIRECT_STATUSES and location:
        return urljoin(result.url, location)
    return None


def same_origin(url: str, endpoint: str) -> bool:
    """True when url is on the endpoint's scheme, host and port."""
    a, b = urlsplit(url), urlsplit(endpoint)
    try:
        return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)
    except ValueError:  # a malformed port
        return False


def _after_prefix(capture_url: str, endpoint: str) -> str | None:
    """What follows the endpoint's path in capture_url (query included), or None."""
    prefix = urlsplit(endpoint).path
    parts = urlsplit(capture_url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path[len(prefix):] if path.startswith(prefix) else None


def partial_timestamp(location: str, endpoint: str) -> bool:
    """True for `<endpoint><1 to 13 digits>/...`: a redirect still to be followed."""
    rest = _after_prefix(location, endpoint)
    return rest is not None and PARTIAL.match(rest) is not None


def parse_capture(capture_url: str, endpoint: str) -> dt.datetime | None:
    """The UTC time of a capture URL `<endpoint><14 digits>[flag_]/<http(s) url>`, else None."""
    rest = _after_prefix(capture_url, endpoint)
    match = TIMESTAMP.fullmatch(rest) if rest is not None else None
    if match is None or not match.group(2).lower().startswith(("http:/", "https:/")):
        return None
    try:
        return dt.datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:  # month 13, hour 25, ...
        return None


def newest_captures(
    urls: Iterable[str],
    fetcher: Fetcher,
    endpoint: str = WAYBACK_ENDPOINT,
    *,
    interval: float = LOOKUP_INTERVAL,
    max_lookups: int = MAX_LOOKUPS,
) -> dict[str, ArchiveCapture]:
    """The newest capture of each of urls that has one, by URL.

    Each distinct URL is looked up once, in order, one after the other,
    `interval` seconds apart, and at most `max_lookups` of them: one polite
    client. A URL without a capture gets no entry.
    """
    found: dict[str, ArchiveCapture] = {}
    for index, url in enumerate(list(dict.fromkeys(urls))[:max_lookups]):
        if index and interval > 0:
            fetcher.clock.sleep(interval)
        capture = newest_capture(url, fetcher, endpoint)
        if capture is not None:
            found[url] = capture
    return found

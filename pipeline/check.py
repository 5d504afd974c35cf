"""Orchestration: resources -> fetches -> judgements -> a Run.

Each URL is fetched once per run even when several entries list it; the
body is read, extracted and then dropped, so memory stays flat however
large the catalogue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from pipeline import __version__
from pipeline.config import Config
from pipeline.extract import extract
from pipeline.fetch.client import Fetcher
from pipeline.fetch.pool import HostScheduler
from pipeline.judge import explain, judge
from pipeline.models import (
    Availability,
    Catalogue,
    Confirmation,
    Extraction,
    FetchResult,
    Mode,
    Network,
    Observation,
    Resource,
    ResourceResult,
    Run,
    RunInfo,
    Severity,
)

SNIFF_BYTES = 1024  # kept from each body after extraction, for format sniffing

Progress = Callable[[int, int, str], None]


class CheckError(Exception):
    """The run cannot start (e.g. --only names an id the catalogue lacks)."""


@dataclass(frozen=True)
class Fetched:
    """One URL's fetch, with the body reduced to what judging still needs."""

    result: FetchResult
    extraction: Extraction
    size: int
    sha256: str


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def default_run_id(started: dt.datetime) -> str:
    return started.strftime("%Y%m%dT%H%M%SZ")


def check(
    catalogue: Catalogue,
    config: Config,
    *,
    mode: Mode = Mode.NIGHTLY,
    only: Sequence[str] = (),
    run_id: str | None = None,
    fetcher: Fetcher | None = None,
    now: Callable[[], dt.datetime] = utc_now,
    progress: Progress | None = None,
) -> Run:
    """Check every selected resource of the catalogue and return the Run."""
    started = now()
    resources = select(catalogue.resources, only)
    fetched = fetch_all(resources, config, fetcher or Fetcher(config.fetch), progress)
    results = tuple(
        result_for(r, fetched.get(r.url), config, mode, started) for r in resources
    )
    info = RunInfo(
        id=run_id or default_run_id(started),
        started=started,
        finished=now(),
        tool_version=__version__,
        mode=mode,
        network=Network.OK,
        catalogue_digest=catalogue.digest,
    )
    return Run(info, results)


def select(resources: Sequence[Resource], only: Sequence[str]) -> list[Resource]:
    """The resources --only asks for (all when empty); unknown ids are an error."""
    if not only:
        return list(resources)
    known = {r.id for r in resources}
    unknown = [i for i in only if i not in known]
    if unknown:
        raise CheckError(f"--only names ids not in the catalogue: {', '.join(unknown)}")
    wanted = set(only)
    return [r for r in resources if r.id in wanted]


def fetch_all(
    resources: Sequence[Resource], config: Config, fetcher: Fetcher, progress: Progress | None
) -> dict[str, Fetched]:
    """Fetch each distinct URL once, politely, in parallel."""
    urls = list(dict.fromkeys(r.url for r in resources if not r.check.skip))
    max_bytes = {r.url: r.check.max_bytes for r in resources if r.check.max_bytes}
    scheduler: HostScheduler[str, Fetched] = HostScheduler(
        config.fetch.concurrency,
        config.fetch.per_host_concurrency,
        config.fetch.per_host_interval,
        fetcher.clock,
    )
    done = 0

    def report(url: str, _: Fetched) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(urls), host_of(url))

    def work(url: str) -> Fetched:
        return fetch_one(fetcher, url, max_bytes.get(url))

    return scheduler.run(urls, host_of, work, report)


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return (parts.hostname or "") + (f":{parts.port}" if parts.port else "")


def fetch_one(fetcher: Fetcher, url: str, max_bytes: int | None = None) -> Fetched:
    """Fetch, extract, then drop the body but for a short prefix."""
    active = fetcher if max_bytes is None else fetcher.with_max_bytes(max_bytes)
    result = active.fetch(url)
    # The readable text is not reported (yet); dropping it keeps memory flat.
    extraction = replace(extract_from(result), text="")
    sha256 = hashlib.sha256(result.body).hexdigest() if result.body else ""
    size = len(result.body)
    return Fetched(replace(result, body=result.body[:SNIFF_BYTES]), extraction, size, sha256)


def extract_from(result: FetchResult) -> Extraction:
    """Titles and page counts of a complete 2xx body; nothing otherwise."""
    if result.error is not None or result.truncated or not result.body:
        return Extraction()
    if result.status is None or not 200 <= result.status <= 299:
        return Extraction()
    return extract(result.body, result.content_type, header_charset(result))


def header_charset(result: FetchResult) -> str | None:
    for param in result.header("content-type").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def result_for(
    resource: Resource,
    fetched: Fetched | None,
    config: Config,
    mode: Mode,
    started: dt.datetime,
) -> ResourceResult:
    """Judge one resource; a skipped one gets the `skipped` availability."""
    needed = config.verdicts.confirm_after
    if fetched is None:
        return ResourceResult(
            resource, Availability.SKIPPED, Severity.INFO, (), None, Confirmation(needed=needed)
        )
    judgement = judge(
        resource, fetched.result, fetched.extraction, started.date(),
        config.verdicts.review_after_days,
    )
    confirmation = confirm(judgement.availability, mode, needed, started)
    severities = [judgement.availability.severity(confirmation.confirmed)]
    severities += [f.effective_severity for f in judgement.findings]
    return ResourceResult(
        resource,
        judgement.availability,
        Severity.highest(severities),
        judgement.findings,
        observe(fetched),
        confirmation,
    )


def confirm(
    availability: Availability, mode: Mode, needed: int, started: dt.datetime
) -> Confirmation:
    """Confirmation of a failure from this run alone.

    Until the history store exists, a failure has been seen on one night:
    it is confirmed when one night suffices (confirm_after = 1) or in CI
    mode, where there is no waiting.
    """
    if not availability.is_failure:
        return Confirmation(failures=0, needed=needed)
    confirmed = mode is Mode.CI or needed <= 1
    return Confirmation(1, needed, confirmed, started.date().isoformat())


def observe(fetched: Fetched) -> Observation:
    result, extraction = fetched.result, fetched.extraction
    return Observation(
        final_url=result.final_url,
        status=result.status,
        redirects=result.redirects,
        content_type=result.content_type,
        bytes=fetched.size,
        sha256=fetched.sha256,
        title=extraction.title,
        pages=extraction.pages,
        language=extraction.language,
        etag=result.header("etag"),
        last_modified=result.header("last-modified"),
        elapsed_ms=result.elapsed_ms,
        error=explain(result),
    )

"""Orchestration: resources -> fetches -> judgements -> a Run.

Each URL is fetched once per run even when several entries list it; the
body is read, extracted and then dropped, so memory stays flat however
large the catalogue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol
from urllib.parse import urlsplit

from pipeline import __version__
from pipeline.config import Config
from pipeline.extract import extract
from pipeline.fetch.client import Fetcher
from pipeline.fetch.oembed import check_video, video_platform
from pipeline.fetch.pool import HostScheduler
from pipeline.fetch.probe import SoftProbe
from pipeline.history import Streak
from pipeline.judge import explain, judge
from pipeline.models import (
    Availability,
    Baseline,
    Catalogue,
    Confirmation,
    Evidence,
    Extraction,
    FetchResult,
    Mode,
    Network,
    Observation,
    Probe,
    Resource,
    ResourceResult,
    Run,
    RunInfo,
    Severity,
    VideoCheck,
)


class Past(Protocol):
    """What the history knows before tonight (pipeline.history.History)."""

    def baselines(self, resource_ids: Iterable[str]) -> dict[str, Baseline]: ...

    def streaks(self, resource_ids: Iterable[str], mode: str = "nightly") -> dict[str, Streak]: ...


SNIFF_BYTES = 1024  # kept from each body after extraction, for format sniffing

Progress = Callable[[int, int, str], None]


class CheckError(Exception):
    """The run cannot start (e.g. --only names an id the catalogue lacks)."""


@dataclass(frozen=True)
class Fetched:
    """One URL's fetch and side checks, the body reduced to what judging needs."""

    result: FetchResult
    extraction: Extraction
    size: int
    sha256: str
    probe: Probe | None = None
    video: VideoCheck | None = None


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
    past: Past | None = None,
) -> Run:
    """Check every selected resource of the catalogue and return the Run.

    `past` (the history) gives each resource's last good night, against
    which drift and cookie walls are measured, and its failing streak, which
    confirms a failure across nights.
    """
    started = now()
    resources = select(catalogue.resources, only)
    fetched = fetch_all(resources, config, fetcher or Fetcher(config.fetch), progress)
    ids = [r.id for r in resources]
    good = past.baselines(ids) if past else {}
    streaks = past.streaks(ids, mode.value) if past else {}
    results = tuple(
        result_for(r, fetched.get(r.url), config, mode, started,
                   good.get(r.id), streaks.get(r.id))
        for r in resources
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
    prober = SoftProbe(fetcher, scheduler.pace) if config.verdicts.soft404_probe else None
    done = 0

    def report(url: str, _: Fetched) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(urls), host_of(url))

    def work(url: str) -> Fetched:
        fetched = fetch_one(fetcher, url, max_bytes.get(url))
        return add_side_checks(fetched, config, fetcher, prober)

    return scheduler.run(urls, host_of, work, report)


def add_side_checks(
    fetched: Fetched, config: Config, fetcher: Fetcher, prober: SoftProbe | None
) -> Fetched:
    """The soft-404 probe for a 2xx HTML page; oEmbed for a video platform URL."""
    result = fetched.result
    platform = video_platform(result.url, config.video)
    if platform is not None and result.error is None:
        return replace(fetched, video=check_video(result.url, platform, config.video, fetcher))
    if prober is not None and _is_html_success(fetched):
        return replace(fetched, probe=prober.probe(result.final_url, host_of(result.final_url)))
    return fetched


def _is_html_success(fetched: Fetched) -> bool:
    status = fetched.result.status or 0
    ok = fetched.result.error is None and 200 <= status <= 299
    return ok and fetched.extraction.features is not None


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
    """What a complete body holds: everything for a 2xx answer; for an error
    page only its HTML (a bot challenge or an "Access Denied" page says who
    refused us)."""
    if result.error is not None or result.truncated or not result.body:
        return Extraction()
    success = result.status is not None and 200 <= result.status <= 299
    if not success and "html" not in result.content_type:
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
    baseline: Baseline | None = None,
    streak: Streak | None = None,
) -> ResourceResult:
    """Judge one resource; a skipped one gets the `skipped` availability."""
    needed = config.verdicts.confirm_after
    if fetched is None:
        return ResourceResult(
            resource, Availability.SKIPPED, Severity.INFO, (), None, Confirmation(needed=needed)
        )
    evidence = Evidence(fetched.result, _with_video_title(fetched), fetched.probe,
                        fetched.video, baseline)
    judgement = judge(resource, evidence, started.date(), config.verdicts.review_after_days)
    confirmation = confirm(judgement.availability, mode, needed, started, streak)
    severities = [judgement.availability.severity(confirmation.confirmed)]
    severities += [f.effective_severity for f in judgement.findings]
    return ResourceResult(
        resource,
        judgement.availability,
        Severity.highest(severities),
        judgement.findings,
        observe(fetched, judgement.reason),
        confirmation,
    )


def _with_video_title(fetched: Fetched) -> Extraction:
    """A video's title is the platform's (oEmbed), not the watch page's."""
    video = fetched.video
    if video is None or not video.title:
        return fetched.extraction
    return replace(fetched.extraction, title=video.title)


def confirm(
    availability: Availability,
    mode: Mode,
    needed: int,
    started: dt.datetime,
    streak: Streak | None = None,
) -> Confirmation:
    """Tonight's failure counted on top of the consecutive failing nights before it.

    In CI mode there is no waiting: a failure (already retried) counts at once.
    """
    if not availability.is_failure:
        return Confirmation(failures=0, needed=needed)
    before = streak.failures if streak is not None and mode is Mode.NIGHTLY else 0
    first = streak.first_failed if before and streak and streak.first_failed else started
    failures = before + 1
    confirmed = mode is Mode.CI or failures >= needed
    return Confirmation(failures, needed, confirmed, first.date().isoformat())


def observe(fetched: Fetched, reason: str = "") -> Observation:
    result, extraction = fetched.result, _with_video_title(fetched)
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
        error=reason or explain(result),
        text_length=extraction.text_length,
        fingerprint=extraction.fingerprint,
    )

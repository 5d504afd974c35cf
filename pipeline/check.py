"""Orchestration: resources -> fetches -> judgements -> a Run.

Each URL is fetched once per run even when several entries list it; the
body is read, extracted and then dropped, so memory stays flat however
large the catalogue.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http.cookiejar import CookieJar
from typing import Protocol
from urllib.parse import urlsplit

from pipeline import __version__
from pipeline.config import Config
from pipeline.extract import extract
from pipeline.fetch.client import Fetcher
from pipeline.fetch.oembed import check_video, video_platform
from pipeline.fetch.pool import Deferred, HostScheduler
from pipeline.fetch.probe import SoftProbe
from pipeline.fetch.wayback import (
    LOOKUP_INTERVAL,
    MAX_LOOKUPS,
    WAYBACK_ENDPOINT,
    newest_captures,
)
from pipeline.judge import explain, judge
from pipeline.judge.archive import archive_finding
from pipeline.models import (
    Availability,
    Baseline,
    Catalogue,
    Confirmation,
    Evidence,
    Extraction,
    FetchError,
    FetchResult,
    Finding,
    Judged,
    Mode,
    Network,
    Observation,
    Probe,
    Resource,
    ResourceResult,
    Run,
    RunInfo,
    Severity,
    Streak,
)
from pipeline.second_opinion import SCRIPT_ONLY_TEXT, candidates, second_opinions


class HistoryReader(Protocol):
    """What curate's history of earlier nights can say (pipeline.history.History)."""

    def good_nights(
        self, resource_ids: Iterable[str]
    ) -> tuple[dict[str, Baseline], dict[str, tuple[str, str]]]: ...

    def streaks(self, resource_ids: Iterable[str], mode: str = "nightly") -> dict[str, Streak]: ...

    def last_availabilities(
        self, resource_ids: Iterable[str], mode: str = "nightly"
    ) -> dict[str, str]: ...


SNIFF_BYTES = 16  # kept from each body after extraction, for format sniffing (%PDF-)
# The headers judging and reporting read; the rest is dropped after the fetch
# so that tens of thousands of results stay small.
KEPT_HEADERS = frozenset({"content-type", "content-length", "etag", "last-modified",
                          "retry-after", "cf-mitigated", "www-authenticate", "location"})

Progress = Callable[[int, int, str, bool], None]  # done, total, host, that one failed


class CheckError(Exception):
    """The run cannot start (e.g. --only names an id the catalogue lacks)."""


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
    history: HistoryReader | None = None,
) -> Run:
    """Check every selected resource of the catalogue and return the Run.

    `history` (of earlier nights) gives each resource's last good night (against
    drift and cookie walls are measured, and whose validators make the
    request conditional) and its failing streak (which confirms a failure
    across nights).
    """
    started = now()
    resources = select(catalogue.resources, only)
    earlier = read_earlier_nights(history, [r.id for r in resources], mode)
    conditions = conditional_headers(resources, earlier)
    judge_now = functools.partial(judge_resource, today=started.date(), earlier=earlier,
                                  review_after_days=config.verdicts.review_after_days)
    with _fetcher_for(config, fetcher) as active:
        checked = fetch_all(retried_first(resources, earlier), config, active, judge_now,
                             progress, conditions)
        context = RunContext(config, mode, started, network_state(checked))
        checked = with_browser_opinions(resources, checked, context, judge_now)
        results = results_of(resources, checked, context, earlier)
        results = with_archive_suggestions(results, context, active)
    info = RunInfo(
        id=run_id or default_run_id(started),
        started=started,
        finished=now(),
        tool_version=__version__,
        mode=mode,
        network=context.network,
        catalogue_digest=catalogue.digest,
    )
    return Run(info, results)


def results_of(
    resources: Sequence[Resource],
    checked: Mapping[str, CheckedUrl],
    context: RunContext,
    earlier: EarlierNights,
) -> tuple[ResourceResult, ...]:
    """Each resource's result, in catalogue order, from the check of its URL."""
    judged = judged_entries(checked)
    return tuple(result_for(r, judged.get(r.id), context, earlier) for r in resources)


def judged_entries(checked: Mapping[str, CheckedUrl]) -> dict[str, Judged]:
    """Every entry's judgement (by id), from the URLs that list them."""
    return {rid: pair for found in checked.values() for rid, pair in found.judged.items()}


@contextlib.contextmanager
def _fetcher_for(config: Config, given: Fetcher | None) -> Iterator[Fetcher]:
    """The fetcher passed in (left open: its owner closes it), or a new one
    closed at the end of the run (its kept-alive connections with it)."""
    if given is not None:
        yield given
        return
    fetcher = Fetcher(config.fetch)
    try:
        yield fetcher
    finally:
        fetcher.close()


@dataclass(frozen=True, slots=True)
class RunContext:
    """What every resource's judgement of this run shares."""

    config: Config
    mode: Mode
    started: dt.datetime
    network: Network


@dataclass(frozen=True, slots=True)
class EarlierNights:
    """What the earlier nights say of the selected resources."""

    baselines: dict[str, Baseline] = field(default_factory=dict)
    streaks: dict[str, Streak] = field(default_factory=dict)
    validators: dict[str, tuple[str, str]] = field(default_factory=dict)
    retried: frozenset[str] = frozenset()  # ids whose last night is retried (see retried_first)


# Answers that are retried after a wait (fetch/retry.py): 5xx, timeouts, and
# 429 (a `blocked` night; a bot challenge is blocked too, and only goes early).
RETRIED_AVAILABILITIES = frozenset(
    {Availability.SERVER_ERROR.value, Availability.TIMEOUT.value, Availability.BLOCKED.value}
)


def read_earlier_nights(
    history: HistoryReader | None, ids: list[str], mode: Mode
) -> EarlierNights:
    """Each selected resource's last good night, failing streak and retry mark."""
    if history is None:
        return EarlierNights()
    baselines, validators = history.good_nights(ids)
    last = history.last_availabilities(ids, mode.value)
    retried = frozenset(rid for rid, seen in last.items() if seen in RETRIED_AVAILABILITIES)
    return EarlierNights(baselines, history.streaks(ids, mode.value), validators, retried)


def retried_first(resources: Sequence[Resource], earlier: EarlierNights) -> list[Resource]:
    """The resources whose last counted night was a 5xx, a timeout or a refusal
    first, the rest after them, each part in catalogue order.

    Such a URL is likely to answer so again and be retried after a wait
    (backoff, or the server's Retry-After). Fetched first, those waits pass
    while the other URLs are fetched; fetched in catalogue order, the last of
    them would keep the run waiting after everything else was done.
    """
    return sorted(resources, key=lambda resource: resource.id not in earlier.retried)


def conditional_headers(
    resources: Sequence[Resource], earlier: EarlierNights
) -> dict[str, tuple[str, str]]:
    """The (ETag, Last-Modified) to send per URL as If-None-Match /
    If-Modified-Since (see `_conditions`), from the last good night.

    Only when every entry listing the URL has a last good night with the
    same validators: a 304 then stands for a body all of them have seen.
    The header dict itself is made per request: 100,000 of them held for
    the whole run would weigh ~20 MB.
    """
    by_url: dict[str, set[tuple[str, str] | None]] = {}
    for resource in resources:
        known = earlier.validators.get(resource.id) if resource.id in earlier.baselines else None
        by_url.setdefault(resource.url, set()).add(known)
    headers = {}
    for url, seen in by_url.items():
        (validators,) = seen if len(seen) == 1 else (None,)
        if validators is not None:
            headers[url] = validators
    return headers


def _conditions(etag: str, last_modified: str) -> dict[str, str]:
    pairs = {"If-None-Match": etag, "If-Modified-Since": last_modified}
    return {name: value for name, value in pairs.items() if value}


NETWORK_ERRORS = frozenset(
    {FetchError.DNS, FetchError.CONNECTION_REFUSED, FetchError.CONNECTION, FetchError.TIMEOUT}
)


def network_state(checked: Mapping[str, CheckedUrl]) -> Network:
    """Inconclusive when every host (two or more) failed to resolve or connect
    in the same way: then the network is down, not the publishers."""
    errors = {found.error for found in checked.values()}
    if len(errors) != 1 or not errors <= NETWORK_ERRORS:
        return Network.OK  # the usual night: decided without parsing every URL's host
    hosts = {host_of(url) for url in checked}
    return Network.INCONCLUSIVE if len(hosts) >= 2 else Network.OK


def script_only(result: FetchResult, evidence: Evidence) -> bool:
    """An HTML page whose readable text is almost empty while it loads scripts:
    what a patient reads is written by them, so only a browser sees it.
    (`result` is the answer as fetched: the evidence keeps only a prefix of the body.)"""
    if not _is_html_success(evidence) or evidence.extraction.text_length >= SCRIPT_ONLY_TEXT:
        return False
    return re.search(rb"<script", result.body, re.IGNORECASE) is not None


def with_browser_opinions(
    resources: Sequence[Resource], checked: dict[str, CheckedUrl], context: RunContext,
    judge_now: Judge,
) -> dict[str, CheckedUrl]:
    """Outcomes with the browser's second opinion folded in (`[browser]`, opt-in)."""
    config = context.config
    if not config.browser.enabled or context.network is not Network.OK:
        return checked
    judged = judged_entries(checked)
    scripted = frozenset(url for url, o in checked.items() if o.script_only)
    found = candidates(resources, judged, scripted, config)
    if not found:
        return checked

    def judge_rendered(resource: Resource, result: FetchResult) -> Judged:
        return judge_now(resource, evidence_from(result))

    from pipeline.browser import BrowserSession  # Playwright is loaded only when used

    with BrowserSession(config.browser, config.fetch) as session:
        again = second_opinions(found, config, session.render, judge_rendered)
    return {url: replace(o, judged={rid: again.get(rid, pair) for rid, pair in o.judged.items()})
            for url, o in checked.items()}


def with_archive_suggestions(
    results: tuple[ResourceResult, ...], context: RunContext, fetcher: Fetcher
) -> tuple[ResourceResult, ...]:
    """Add the Wayback Machine's newest capture to broken resources (opt-in).

    The finding is info: severity needs no recomputing.
    """
    archive = context.config.archive
    if not archive.enabled or context.network is not Network.OK:
        return results
    found = archive_suggestions(results, fetcher, archive.endpoint)
    return tuple(
        replace(r, findings=(*r.findings, found[r.resource.id])) if r.resource.id in found else r
        for r in results
    )


def archive_suggestions(
    results: Iterable[ResourceResult],
    fetcher: Fetcher,
    endpoint: str = WAYBACK_ENDPOINT,
    *,
    interval: float = LOOKUP_INTERVAL,
    max_lookups: int = MAX_LOOKUPS,
) -> dict[str, Finding]:
    """An `archived-copy` finding per broken resource (by id) whose URL has a capture.

    Each distinct broken URL is looked up once (resources sharing it share
    the finding), spaced and bounded by pipeline.fetch.wayback.newest_captures.
    """
    broken = [r for r in results if r.availability is Availability.BROKEN]
    urls = (r.resource.url for r in broken)
    captures = newest_captures(urls, fetcher, endpoint, interval=interval, max_lookups=max_lookups)
    findings = {url: archive_finding(capture) for url, capture in captures.items()}
    return {r.resource.id: f for r in broken if (f := findings.get(r.resource.url)) is not None}


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


@dataclass(frozen=True, slots=True)
class CheckedUrl:
    """One URL after fetching and judging: all that the rest of the run needs.

    The fetch itself (body, page features, probe) is judged in the worker and
    dropped, so memory stays small however large the catalogue.
    """

    error: FetchError | None
    failed: bool
    judged: dict[str, Judged]
    script_only: bool = False  # an HTML page with almost no text that loads scripts


Judge = Callable[[Resource, Evidence], Judged]


def fetch_all(
    resources: Sequence[Resource],
    config: Config,
    fetcher: Fetcher,
    judge_now: Judge,
    progress: Progress | None = None,
    conditions: dict[str, tuple[str, str]] | None = None,
) -> dict[str, CheckedUrl]:
    """Fetch each distinct URL once, politely, in parallel, and judge every
    entry that lists it as soon as its answer is in."""
    conditions = conditions or {}
    listing: dict[str, list[Resource]] = {}
    for resource in resources:
        if not resource.check.skip:
            listing.setdefault(resource.url, []).append(resource)
    urls = list(listing)
    max_bytes = {r.url: r.check.max_bytes for r in resources if r.check.max_bytes}
    scheduler: HostScheduler[str, CheckedUrl] = HostScheduler(
        config.fetch.concurrency,
        config.fetch.per_host_concurrency,
        config.fetch.per_host_interval,
        fetcher.clock,
    )
    probing = config.verdicts.soft404_probe
    prober = SoftProbe(fetcher, probe_from, scheduler.pace) if probing else None
    done = 0

    def report(url: str, found: CheckedUrl) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(urls), host_of(url), found.failed)

    def work(url: str, attempt: int = 1, cookies: CookieJar | None = None
             ) -> CheckedUrl | Deferred[CheckedUrl]:
        active = _with_cap(fetcher, max_bytes.get(url))
        validators = conditions.get(url)
        asked = _conditions(*validators) if validators else {}
        cookies = CookieJar() if cookies is None else cookies  # this URL's, its retries too
        result, delay = active.try_once(url, asked, attempt, cookies)
        if delay is not None:  # retried later, without holding a slot meanwhile
            return Deferred(delay, functools.partial(work, url, attempt + 1, cookies))
        evidence = add_side_checks(evidence_from(result), config, fetcher, prober)
        judged = {r.id: judge_now(r, evidence) for r in listing[url]}
        return CheckedUrl(evidence.result.error, _failed(evidence.result), judged,
                          script_only(result, evidence))

    return scheduler.run(urls, host_of, work, report)


def add_side_checks(
    evidence: Evidence, config: Config, fetcher: Fetcher, prober: SoftProbe[Probe] | None
) -> Evidence:
    """The soft-404 probe for a 2xx HTML page; oEmbed for a video platform URL."""
    result = evidence.result
    platform = video_platform(result.url, config.video)
    if platform is not None and result.error is None:
        video = check_video(result.url, platform, config.video, fetcher)
        return _with_video_title(replace(evidence, video=video))
    if prober is not None and _is_html_success(evidence):
        return replace(evidence, probe=prober.probe(result.final_url, host_of(result.final_url)))
    return evidence


def probe_from(url: str, result: FetchResult) -> Probe:
    """What the soft-404 judge compares with a page: the probe's answer, read
    only when 2xx (an honest 404 page needs no reading; judge/soft404.py).

    SoftProbe calls this once per folder and caches the small Probe.
    """
    answered = result.status is not None and 200 <= result.status <= 299
    # The whole Content-Type, charset included: the probe is read as the page is.
    content_type = result.header("content-type")
    extraction = extract(result.body, content_type) if answered and result.body else None
    return Probe(
        url=url,
        status=result.status,
        final_url=result.final_url,
        title=extraction.title if extraction else None,
        fingerprint=extraction.fingerprint if extraction else None,
        text_length=extraction.text_length if extraction else 0,
    )


def _is_html_success(evidence: Evidence) -> bool:
    status = evidence.result.status or 0
    ok = evidence.result.error is None and 200 <= status <= 299
    return ok and evidence.extraction.features is not None


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return (parts.hostname or "") + (f":{parts.port}" if parts.port else "")


def _failed(result: FetchResult) -> bool:
    return result.error is not None or (result.status or 0) >= 400


def _with_cap(fetcher: Fetcher, max_bytes: int | None) -> Fetcher:
    """The fetcher with an entry's own body cap, if it has one."""
    return fetcher if max_bytes is None else fetcher.with_max_bytes(max_bytes)


def evidence_from(result: FetchResult) -> Evidence:
    """Extract from a final answer, then drop the body but for a short prefix."""
    # The readable text is not reported (yet); dropping it keeps memory flat.
    extraction = replace(extract_from(result), text="")
    sha256 = hashlib.sha256(result.body).hexdigest() if result.body else ""
    size = len(result.body)
    kept = {k: v for k, v in result.headers.items() if k.lower() in KEPT_HEADERS}
    slim = replace(result, body=result.body[:SNIFF_BYTES], headers=kept)
    return Evidence(slim, extraction, size=size, sha256=sha256)


def extract_from(result: FetchResult) -> Extraction:
    """What a complete body holds: everything for a 2xx answer; for an error
    page only its HTML (a bot challenge or an "Access Denied" page says who
    refused us)."""
    if result.error is not None or result.truncated or not result.body:
        return Extraction()
    success = result.status is not None and 200 <= result.status <= 299
    if not success and "html" not in result.content_type:
        return Extraction()
    # The whole header value, so that extract reads its charset parameter too.
    return extract(result.body, result.header("content-type"))


def judge_resource(
    resource: Resource, evidence: Evidence, *, today: dt.date, earlier: EarlierNights,
    review_after_days: int,
) -> Judged:
    """Judge one entry from its URL's fetch (in the worker, right after it)."""
    baseline = earlier.baselines.get(resource.id)
    evidence = replace(_carry_forward(evidence, baseline), baseline=baseline)
    judgement = judge(resource, evidence, today, review_after_days)
    return judgement, observe(evidence, judgement.reason)


def result_for(
    resource: Resource,
    judged: Judged | None,
    context: RunContext,
    earlier: EarlierNights,
) -> ResourceResult:
    """Confirm and rate one judged resource; a skipped one gets `skipped`."""
    verdicts = context.config.verdicts
    if judged is None:
        confirmation = Confirmation(needed=verdicts.confirm_after)
        return ResourceResult(resource, Availability.SKIPPED, Severity.INFO, (), None,
                              confirmation)
    judgement, observation = judged
    confirmation = confirm(judgement.availability, context, earlier.streaks.get(resource.id))
    severities = [judgement.availability.severity(confirmation.confirmed)]
    severities += [f.effective_severity for f in judgement.findings]
    return ResourceResult(
        resource,
        judgement.availability,
        Severity.highest(severities),
        judgement.findings,
        observation,
        confirmation,
    )


def _carry_forward(evidence: Evidence, baseline: Baseline | None) -> Evidence:
    """A 304 answer: what was read on the last good night still holds."""
    if evidence.result.status != 304 or baseline is None:
        return evidence
    extraction = Extraction(title=baseline.title, pages=baseline.pages,
                            text_length=baseline.text_length, fingerprint=baseline.fingerprint,
                            reader=f"not modified since run {baseline.run_id}")
    return replace(evidence, extraction=extraction, sha256=baseline.sha256)


def _with_video_title(evidence: Evidence) -> Evidence:
    """A video's title is the platform's (oEmbed), not the watch page's."""
    video = evidence.video
    if video is None or not video.title:
        return evidence
    return replace(evidence, extraction=replace(evidence.extraction, title=video.title))


def confirm(availability: Availability, context: RunContext, streak: Streak | None) -> Confirmation:
    """Tonight's failure counted on top of the consecutive failing nights before it.

    In CI mode there is no waiting: a failure (already retried) counts at
    once. An inconclusive night (the network was down) counts toward nobody's
    failures: it neither adds to a streak nor confirms one.
    """
    needed = context.config.verdicts.confirm_after
    if not availability.is_failure:
        return Confirmation(failures=0, needed=needed)
    nightly = context.mode is Mode.NIGHTLY
    before = streak.failures if streak is not None and nightly else 0
    first = streak.first_failed if before and streak and streak.first_failed else context.started
    if context.network is Network.INCONCLUSIVE:
        return Confirmation(before, needed, False, first.date().isoformat() if before else None)
    failures = before + 1
    confirmed = not nightly or failures >= needed
    return Confirmation(failures, needed, confirmed, first.date().isoformat())


def observe(evidence: Evidence, reason: str = "") -> Observation:
    result, extraction = evidence.result, evidence.extraction
    return Observation(
        final_url=result.final_url,
        status=result.status,
        redirects=result.redirects,
        content_type=result.content_type,
        bytes=evidence.size,
        sha256=evidence.sha256,
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

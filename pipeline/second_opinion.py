"""The browser pass: after the HTTP pass, a real browser looks at what it could not verify.

Which URLs: those the HTTP check judged `blocked` (a bot challenge, HTTP 999,
a firewall's 403, a persistent 429), and HTML pages whose readable text is
almost empty while they load scripts ("script-only"), as `[browser] for`
says. They are opened one at a time, in catalogue order, at most
`max_pages` a run, with the per-host spacing of the HTTP pass.

What the browser saw becomes evidence, judged by the same judges as any
page (soft 404, walls, challenge markup): a challenge the browser passes
turns `blocked` into the rendered page's verdict, with a `browser-verified`
finding; one it does not pass stays `blocked`, with how long the challenge
was still shown. A page the browser cannot open (a crash, a timeout, a PDF
download) keeps the HTTP verdict and gets a `browser-failed` finding.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from pipeline.config import Config
from pipeline.models import (
    Availability,
    BrowserFailure,
    BrowserOutcome,
    BrowserSeen,
    FetchResult,
    Finding,
    FindingCode,
    Judged,
    Observation,
    Rendered,
    Resource,
)

JudgeRendered = Callable[[Resource, FetchResult], Judged]
SCRIPT_ONLY_TEXT = 200  # fewer readable characters than this, with scripts: script-only


@dataclass(frozen=True)
class Candidate:
    """A URL for the browser, with the entries that list it and their HTTP judgements."""

    url: str
    judged: dict[str, Judged]
    resources: tuple[Resource, ...]


def candidates(resources: Sequence[Resource], judged: Mapping[str, Judged],
               script_only: frozenset[str], config: Config) -> list[Candidate]:
    """The URLs `[browser] for` asks a second opinion on, in catalogue order."""
    wanted = set(config.browser.for_)
    by_url: dict[str, list[Resource]] = {}
    for resource in resources:
        pair = judged.get(resource.id)
        blocked = pair is not None and pair[0].availability is Availability.BLOCKED
        if ("blocked" in wanted and blocked) or ("script-only" in wanted
                                                 and resource.url in script_only):
            by_url.setdefault(resource.url, []).append(resource)
    return [Candidate(url, {r.id: judged[r.id] for r in listed}, tuple(listed))
            for url, listed in by_url.items()]


def second_opinions(
    found: list[Candidate], config: Config,
    render: Callable[[str, Callable[[str], bool]], Rendered | BrowserFailure],
    judge_rendered: JudgeRendered, sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Judged]:
    """Each candidate's entries judged again with what the browser saw (by id)."""
    out: dict[str, Judged] = {}
    last_start: dict[str, float] = {}
    for index, candidate in enumerate(found):
        if index >= config.browser.max_pages:
            note = f"not opened: this run's [browser] max_pages ({config.browser.max_pages}) "
            out |= _failed(candidate, note + "was reached")
            continue
        _space(candidate.url, last_start, config.fetch.per_host_interval, sleep)
        rendered = render(candidate.url, _still_a_challenge(candidate, judge_rendered))
        out |= _judged_again(candidate, rendered, judge_rendered)
    return out


def _still_a_challenge(candidate: Candidate, judge_rendered: JudgeRendered
                       ) -> Callable[[str], bool]:
    """Whether markup the browser shows is still judged `blocked` (a challenge)."""
    resource = candidate.resources[0]

    def waiting(html: str) -> bool:
        page = _as_page(candidate.url, candidate.url, 200, html)
        return judge_rendered(resource, page)[0].availability is Availability.BLOCKED

    return waiting


def _as_page(url: str, final_url: str, status: int, html: str) -> FetchResult:
    """Rendered markup as the answer the judges read."""
    return FetchResult(url=url, final_url=final_url, status=status,
                       headers={"Content-Type": "text/html; charset=utf-8"},
                       body=html.encode("utf-8"))


def _space(url: str, last_start: dict[str, float], interval: float,
           sleep: Callable[[float], None]) -> None:
    """Keep the per-host spacing between two pages of the same host."""
    host = urlsplit(url).netloc
    if host in last_start:
        wait = last_start[host] + interval - time.monotonic()
        if wait > 0:
            sleep(wait)
    last_start[host] = time.monotonic()


def _judged_again(candidate: Candidate, rendered: Rendered | BrowserFailure,
                  judge_rendered: JudgeRendered) -> dict[str, Judged]:
    if isinstance(rendered, BrowserFailure):
        return _failed(candidate, rendered.detail)
    if rendered.content_type and "html" not in rendered.content_type:
        return _failed(candidate, f"the browser was sent {rendered.content_type[:60]}, not a "
                                  "page; the HTTP check's verdict stands")
    result = _as_page(candidate.url, rendered.final_url, rendered.status or 200, rendered.html)
    return {r.id: _verdict(candidate.judged[r.id], judge_rendered(r, result), rendered)
            for r in candidate.resources}


def _verdict(http: Judged, browser: Judged, rendered: Rendered) -> Judged:
    """The rendered page's verdict, unless a challenge the HTTP check met was
    still shown to the browser: then the HTTP verdict, with that evidence."""
    seen = _seen(rendered, browser[1], http[1])
    was_blocked = http[0].availability is Availability.BLOCKED
    if was_blocked and (rendered.still_waiting
                        or browser[0].availability is Availability.BLOCKED):
        reason = f"headless Chromium: the challenge was still shown after {rendered.seconds:.0f} s"
        return _with(http, replace(seen, outcome=BrowserOutcome.STILL_BLOCKED), reason)
    finding = Finding(FindingCode.BROWSER_VERIFIED, _verified_message(http, browser, was_blocked),
                      evidence=_evidence(seen))
    judgement = replace(browser[0], findings=(*browser[0].findings, finding))
    return judgement, replace(browser[1], browser=seen)


def _with(pair: Judged, seen: BrowserSeen, reason: str) -> Judged:
    judgement, observation = pair
    joined = f"{judgement.reason}; {reason}" if judgement.reason else reason
    return replace(judgement, reason=joined), replace(observation, browser=seen)


def _failed(candidate: Candidate, detail: str) -> dict[str, Judged]:
    """The HTTP verdicts, each with a browser-failed finding saying why."""
    finding = Finding(FindingCode.BROWSER_FAILED, f"no second opinion from the browser: {detail}")
    seen = BrowserSeen(BrowserOutcome.FAILED, detail=detail[:300])
    return {rid: (replace(j, findings=(*j.findings, finding)), replace(o, browser=seen))
            for rid, (j, o) in candidate.judged.items()}


def _seen(rendered: Rendered, browser: Observation, http: Observation) -> BrowserSeen:
    refused = ", ".join(rendered.refused)
    return BrowserSeen(
        BrowserOutcome.VERIFIED, final_url=browser.final_url, status=browser.status,
        title=browser.title, text_length=browser.text_length, seconds=round(rendered.seconds, 1),
        detail=f"refused by the address guard: {refused}"[:300] if refused else "",
        http_status=http.status, http_title=http.title)


def _verified_message(http: Judged, browser: Judged, was_blocked: bool) -> str:
    now = browser[0].availability.value
    if was_blocked:
        return (f"headless Chromium got past what refused the automated check; the verdict "
                f"({now}) is the rendered page's")
    return f"the page is written by its scripts; the verdict ({now}) is the rendered page's"


def _evidence(seen: BrowserSeen) -> str:
    return (f"HTTP: status {seen.http_status}, title {seen.http_title!r}; browser: status "
            f"{seen.status}, title {seen.title!r}, {seen.text_length} characters of text, "
            f"{seen.seconds} s")

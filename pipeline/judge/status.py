"""Availability from what the server answered: status codes, errors, redirects.

Pure: a FetchResult in, a Judgement out. Content (titles, page counts,
formats) is judged separately in content.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urljoin

from pipeline.models import (
    Availability,
    FetchError,
    FetchResult,
    Finding,
    FindingCode,
    Hop,
    Judgement,
)

PERMANENT_REDIRECTS = frozenset({301, 308})

_ERROR_VERDICTS: dict[FetchError, tuple[Availability, str]] = {
    FetchError.DNS: (Availability.BROKEN, "the host name does not resolve (unknown host)"),
    FetchError.CONNECTION_REFUSED: (Availability.BROKEN, "the server refused the connection"),
    FetchError.CONNECTION: (Availability.BROKEN, "the connection failed"),
    FetchError.TIMEOUT: (Availability.TIMEOUT, "no complete answer in time"),
    FetchError.TLS: (Availability.TLS_ERROR, "certificate or TLS handshake failure"),
    FetchError.REDIRECT_LOOP: (Availability.BROKEN, "the redirects go round in a loop"),
    FetchError.TOO_MANY_REDIRECTS: (Availability.BROKEN, "too many redirects"),
    FetchError.BAD_REDIRECT: (Availability.BROKEN, "a redirect points to an invalid URL"),
    FetchError.UNSUPPORTED_SCHEME: (Availability.BROKEN, "the URL is not http or https"),
    FetchError.FORBIDDEN_ADDRESS: (
        Availability.BROKEN,
        "the URL leads to a private or local network address, which curate does not contact",
    ),
}


def judge_status(result: FetchResult, accept_status: tuple[int, ...] = ()) -> Judgement:
    """Availability and status findings for one fetch."""
    if result.error is not None:
        return _judge_error(result)
    status = result.status or 0
    if status in accept_status or 200 <= status <= 299:
        return _judge_success(result)
    if status == 304:  # curate asked conditionally: the last good night still holds
        moved = _judge_success(result)  # a 301 before the 304 is still a moved link
        return Judgement(moved.availability, (*moved.findings, _not_modified(result)))
    return _judge_http_failure(result, status)


def explain(result: FetchResult) -> str:
    """One sentence on what went wrong, for the report's `observed.error`."""
    if result.error is not None:
        reason = _ERROR_VERDICTS[result.error][1]
        detailed = result.error in _SPECIFIC_DETAILS and result.error_detail
        return f"{reason}: {result.error_detail}" if detailed else reason
    status = result.status
    if status is None or 200 <= status <= 299:
        return ""
    return f"{_STATUS_WORDS.get(status, _status_class_words(status))} (HTTP {status})"


_SPECIFIC_DETAILS = frozenset(
    {FetchError.TLS, FetchError.CONNECTION, FetchError.REDIRECT_LOOP,
     FetchError.FORBIDDEN_ADDRESS, FetchError.UNSUPPORTED_SCHEME, FetchError.BAD_REDIRECT}
)
_STATUS_WORDS = {
    401: "login required",
    402: "payment required",
    403: "the server refused the automated check",
    404: "not found",
    408: "the server timed out waiting for the request",
    410: "gone for good",
    429: "too many requests: rate-limited",
}


def _status_class_words(status: int) -> str:
    if status >= 500:
        return "server error"
    if status >= 400:
        return "client error"
    return "unexpected answer"


def _not_modified(result: FetchResult) -> Finding:
    validators = [f"ETag {result.header('etag')}" if result.header("etag") else "",
                  f"Last-Modified {result.header('last-modified')}"
                  if result.header("last-modified") else ""]
    return Finding(
        FindingCode.NOT_MODIFIED,
        "Not modified since the last good night (HTTP 304); its title, page count and "
        "text were not downloaded again",
        evidence="; ".join(v for v in validators if v) or "HTTP 304",
    )


def _judge_error(result: FetchResult) -> Judgement:
    availability, _ = _ERROR_VERDICTS[result.error or FetchError.CONNECTION]
    return Judgement(availability)


def _judge_success(result: FetchResult) -> Judgement:
    """2xx: available, or redirected when the link itself moved for good."""
    new_url = permanent_target(result.redirects)
    if new_url is None:
        return Judgement(Availability.AVAILABLE)
    finding = Finding(
        FindingCode.PERMANENT_REDIRECT,
        f"The link moved permanently; update the catalogue URL to {new_url}",
        evidence=" -> ".join(f"{hop.status} {hop.url}" for hop in result.redirects),
    )
    return Judgement(Availability.REDIRECTED, (finding,))


def permanent_target(redirects: Sequence[Hop]) -> str | None:
    """The URL the catalogue should use now, if the chain starts with 301/308.

    Follows the permanent hops from the start and stops at the first
    temporary one: a 302 after a 301 is the site's business, not the link's.
    (A relative Location is resolved against its hop, for chains read back
    from a report.)
    """
    target = None
    for hop in redirects:
        if hop.status not in PERMANENT_REDIRECTS:
            break
        target = urljoin(hop.url, hop.location)
    return target


def _judge_http_failure(result: FetchResult, status: int) -> Judgement:
    if status == 401:
        challenge = result.header("www-authenticate")
        evidence = f"HTTP 401; WWW-Authenticate: {challenge}" if challenge else "HTTP 401"
        finding = Finding(FindingCode.LOGIN_WALL, "The server asks for a login (HTTP 401)",
                          evidence=evidence[:300])
        return Judgement(Availability.GATED, (finding,))
    if status == 402:
        finding = Finding(FindingCode.PAYWALL, "The server asks for payment (HTTP 402)",
                          evidence="HTTP 402 Payment Required")
        return Judgement(Availability.GATED, (finding,))
    if status == 429:
        return Judgement(Availability.BLOCKED, (_rate_limited(result),))
    if status == 403:
        return _judge_forbidden(result)
    if status >= 500:
        return Judgement(Availability.SERVER_ERROR)
    if status == 408:
        return Judgement(Availability.TIMEOUT)
    return Judgement(Availability.BROKEN)


def _rate_limited(result: FetchResult) -> Finding:
    retry_after = result.header("retry-after")
    return Finding(
        FindingCode.RATE_LIMITED,
        f"The server kept answering 429 Too Many Requests after {result.attempts} attempts; "
        "the link could not be verified tonight",
        evidence=f"HTTP 429 on {result.attempts} attempts"
        + (f"; Retry-After: {retry_after}" if retry_after else ""),
    )


def _judge_forbidden(result: FetchResult) -> Judgement:
    """403 without a login: the server refused the automated check. Unverified,
    never 'broken' (bot challenges are recognised before this, in walls.py)."""
    return Judgement(Availability.BLOCKED)

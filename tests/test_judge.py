"""Table-driven tests of the judge: fetch results in, verdicts and findings out.

At the end, the same verdicts through the fetcher: HTTP answers scripted
with `responses` (tests/mocked.py), network failures (a refused port, a name
not found, silence, an untrusted certificate) on the loopback servers of
tests/loopback.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import responses

from pipeline.config import FetchConfig
from pipeline.fetch.client import Fetcher
from pipeline.judge import judge
from pipeline.models import (
    Availability,
    CheckOptions,
    Evidence,
    Extraction,
    FetchError,
    FetchResult,
    FindingCode,
    Format,
    Hop,
    Resource,
    SourceLocation,
)
from tests.fakes import FakeClock
from tests.loopback import FakeInternet
from tests.mocked import (
    fetcher,
    mocked_http,  # noqa: F401  (the `mocked` fixture)
)

URL = "https://hub.example.org/guide"
TODAY = dt.date(2026, 11, 25)


def resource(**fields: object) -> Resource:
    base: dict[str, object] = {
        "id": "guide", "title": "The Guide", "url": URL, "hub": "hub",
        "source": SourceLocation("catalogue/hub.yaml", 3), "format": Format.HTML,
    }
    base.update(fields)
    return Resource(**base)  # type: ignore[arg-type]


def answer(status: int | None = 200, **fields: object) -> FetchResult:
    base: dict[str, object] = {"url": URL, "final_url": URL, "status": status,
                               "headers": {"Content-Type": "text/html"}}
    base.update(fields)
    return FetchResult(**base)  # type: ignore[arg-type]


def verdict(result: FetchResult, res: Resource | None = None,
            extraction: Extraction | None = None) -> tuple[Availability, set[str]]:
    evidence = Evidence(result, extraction or Extraction())
    judgement = judge(res or resource(), evidence, TODAY, 1095)
    return judgement.availability, {f.code.value for f in judgement.findings}


@pytest.mark.parametrize(
    ("result", "availability", "codes"),
    [
        (answer(200), Availability.AVAILABLE, set()),
        (answer(404), Availability.BROKEN, set()),
        (answer(410), Availability.BROKEN, set()),
        (answer(500), Availability.SERVER_ERROR, set()),
        (answer(503), Availability.SERVER_ERROR, set()),
        (answer(408), Availability.TIMEOUT, set()),
        (answer(401), Availability.GATED, {"login-wall"}),
        (answer(402), Availability.GATED, {"paywall"}),
        (answer(429, headers={"Retry-After": "5"}), Availability.BLOCKED, {"rate-limited"}),
        (answer(403, headers={"cf-mitigated": "challenge"}), Availability.BLOCKED,
         {"bot-challenge"}),
        (answer(403), Availability.BLOCKED, set()),
        (answer(None, error=FetchError.CONNECTION_REFUSED), Availability.BROKEN, set()),
        (answer(None, error=FetchError.DNS), Availability.BROKEN, set()),
        (answer(None, error=FetchError.REDIRECT_LOOP), Availability.BROKEN, set()),
        (answer(None, error=FetchError.TOO_MANY_REDIRECTS), Availability.BROKEN, set()),
        (answer(None, error=FetchError.TIMEOUT), Availability.TIMEOUT, set()),
        (answer(None, error=FetchError.TLS), Availability.TLS_ERROR, set()),
    ],
)
def test_status_and_errors_give_the_contract_verdicts(
    result: FetchResult, availability: Availability, codes: set[str]
) -> None:
    assert verdict(result) == (availability, codes)


def test_a_permanent_redirect_names_the_new_url() -> None:
    moved = answer(200, final_url="https://hub.example.org/new",
                   redirects=(Hop(URL, 301, "https://hub.example.org/new"),))
    judgement = judge(resource(), Evidence(moved, Extraction()), TODAY, 1095)
    assert judgement.availability is Availability.REDIRECTED
    (finding,) = judgement.findings
    assert finding.code is FindingCode.PERMANENT_REDIRECT
    assert "https://hub.example.org/new" in finding.message


def test_a_temporary_redirect_is_simply_available() -> None:
    hopped = answer(200, redirects=(Hop(URL, 302, "https://hub.example.org/today"),))
    assert verdict(hopped) == (Availability.AVAILABLE, set())


def test_a_permanent_hop_after_a_temporary_one_is_not_the_links_move() -> None:
    hops = (Hop(URL, 302, "https://hub.example.org/a"),
            Hop("https://hub.example.org/a", 301, "https://hub.example.org/b"))
    assert verdict(answer(200, redirects=hops))[0] is Availability.AVAILABLE


def test_accepted_statuses_count_as_available() -> None:
    res = resource(check=CheckOptions(accept_status=(403,)))
    assert verdict(answer(403), res)[0] is Availability.AVAILABLE


PDF = {"Content-Type": "application/pdf"}


@pytest.mark.parametrize(
    ("res", "result", "extraction", "codes"),
    [
        (resource(format=Format.PDF, pages=92), answer(200, headers=PDF, body=b"%PDF-1.7"),
         Extraction(pages=92, title="The Guide", reader="pypdf"), set()),
        (resource(format=Format.PDF, pages=92), answer(200, headers=PDF, body=b"%PDF-1.7"),
         Extraction(pages=88, reader="pypdf"), {"pages-changed"}),
        (resource(format=Format.PDF, pages=1), answer(200, body=b"<html>"),
         Extraction(title="Register to download"), {"format-mismatch"}),
        (resource(format=Format.PDF), answer(200, headers=PDF, body=b"%PDF-junk"),
         Extraction(damaged=True, problem="pypdf: EOF; pdfium: error"), {"damaged-pdf"}),
        (resource(format=Format.PDF), answer(200, headers=PDF, body=b"%PDF-1.4", truncated=True),
         Extraction(), {"too-large"}),
        (resource(format=Format.IMAGE), answer(200, headers={"Content-Type": "image/png"}),
         Extraction(), set()),
        (resource(format=Format.IMAGE), answer(200), Extraction(), {"format-mismatch"}),
        (resource(title="CAR-T Cell Therapy Program"), answer(200),
         Extraction(title="CAR-T Cell Therapy Program - Mayo Clinic"), set()),
        (resource(title="CAR-T Cell Therapy Program"), answer(200),
         Extraction(title="Page moved to our new site"), {"title-changed"}),
        (resource(url="http://hub.example.org/guide"), answer(200), Extraction(),
         {"insecure-url"}),
        (resource(last_reviewed=dt.date(2020, 1, 1)), answer(200), Extraction(),
         {"review-overdue"}),
        (resource(last_reviewed=dt.date(2025, 1, 1)), answer(200), Extraction(), set()),
    ],
)
def test_content_findings(
    res: Resource, result: FetchResult, extraction: Extraction, codes: set[str]
) -> None:
    assert verdict(result, res, extraction)[1] == codes


def test_content_is_not_judged_on_a_failed_fetch() -> None:
    res = resource(format=Format.PDF, pages=3)
    assert verdict(answer(404), res, Extraction(pages=1)) == (Availability.BROKEN, set())


# --------------------------------------------------------------------------
# The same verdicts end to end through the fetcher: status code -> fetch
# (retried when transient) -> judge -> availability.
# --------------------------------------------------------------------------

FETCH = FetchConfig(allow_private_networks=True, retries=2, timeout=2.0)

SCRIPTED = [  # status, headers -> availability, findings, requests made (2 retries)
    (200, {}, Availability.AVAILABLE, set(), 1),
    (404, {}, Availability.BROKEN, set(), 1),
    (410, {}, Availability.BROKEN, set(), 1),
    (500, {}, Availability.SERVER_ERROR, set(), 3),
    (503, {}, Availability.SERVER_ERROR, set(), 3),
    (401, {"WWW-Authenticate": 'Basic realm="members"'}, Availability.GATED, {"login-wall"}, 1),
    (403, {"cf-mitigated": "challenge"}, Availability.BLOCKED, {"bot-challenge"}, 1),
    (429, {"Retry-After": "2"}, Availability.BLOCKED, {"rate-limited"}, 3),
]


@pytest.mark.parametrize(("status", "headers", "availability", "codes", "asked"), SCRIPTED)
def test_scripted_answers_get_the_contract_verdicts(
    mocked: responses.RequestsMock,
    status: int,
    headers: dict[str, str],
    availability: Availability,
    codes: set[str],
    asked: int,
) -> None:
    mocked.get(URL, status=status, headers=headers, body="<title>The Guide</title>",
               content_type="text/html")
    result = fetcher(FETCH).fetch(URL)
    assert verdict(result) == (availability, codes)
    assert len(mocked.calls) == asked


def test_a_scripted_permanent_redirect_is_redirected(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, status=301, headers={"Location": "/guide-2026"})
    mocked.get("https://hub.example.org/guide-2026", body="<title>The Guide</title>",
               content_type="text/html")
    result = fetcher(FETCH).fetch(URL)
    assert verdict(result) == (Availability.REDIRECTED, {"permanent-redirect"})
    assert len(mocked.calls) == 2


# -- what only a real socket shows, on the loopback servers ---------------------


@pytest.mark.parametrize(
    ("url", "availability"),
    [
        ("http://refusing.example.org:{closed_port}/guide", Availability.BROKEN),
        ("https://nowhere.invalid/guide", Availability.BROKEN),  # a name that is not found
        ("https://slow.example.org/guide", Availability.TIMEOUT),  # never answered
    ],
)
def test_network_failures_get_the_contract_verdicts(
    internet: FakeInternet, url: str, availability: Availability
) -> None:
    internet.stall("https://slow.example.org/guide")
    url = url.format(closed_port=internet.closed_port)
    assert verdict(_fetcher(internet, timeout=0.2).fetch(url))[0] is availability


def test_an_untrusted_certificate_is_a_tls_error(internet: FakeInternet) -> None:
    config = FetchConfig(allow_private_networks=True, retries=0)
    result = internet.fetcher(config, FakeClock().clock(), trusted=False).fetch(URL)
    assert "certificate verify failed" in result.error_detail
    assert verdict(result)[0] is Availability.TLS_ERROR


def _fetcher(internet: FakeInternet, timeout: float = 2.0) -> Fetcher:
    """A fetcher to the loopback servers, configured as FETCH but for the timeout."""
    return internet.fetcher(replace(FETCH, timeout=timeout), clock=FakeClock().clock())

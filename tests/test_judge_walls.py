"""Table-driven tests of the 'still there and still free' rules of the judge."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.judge import judge
from pipeline.judge.soft404 import is_site_root, says_not_found
from pipeline.judge.walls import is_login_url
from pipeline.models import (
    Availability,
    Baseline,
    Evidence,
    Extraction,
    FetchResult,
    Format,
    FormFeatures,
    Hop,
    PageFeatures,
    Probe,
    Resource,
    SourceLocation,
    VideoCheck,
)

URL = "https://charity.example.org/guides/car-t-guide"
TODAY = dt.date(2026, 11, 25)
ARTICLE = 6000  # characters of readable text of a real article


def resource(**fields: object) -> Resource:
    base: dict[str, object] = {"id": "guide", "title": "", "url": URL, "hub": "hub",
                               "source": SourceLocation("catalogue/hub.yaml", 3)}
    base.update(fields)
    return Resource(**base)  # type: ignore[arg-type]


def page(status: int = 200, *, title: str = "A guide", text_length: int = ARTICLE,
         markers: tuple[str, ...] = (), forms: tuple[FormFeatures, ...] = (),
         headings: tuple[str, ...] = (), headers: dict[str, str] | None = None,
         redirects: tuple[Hop, ...] = (), final_url: str = URL,
         fingerprint: int | None = 0x0F0F_0F0F_0F0F_0F0F) -> tuple[FetchResult, Extraction]:
    result = FetchResult(url=URL, final_url=final_url, status=status, redirects=redirects,
                         headers={"Content-Type": "text/html", **(headers or {})},
                         body=b"<html>")
    features = PageFeatures(headings=headings, forms=forms, markers=frozenset(markers))
    extraction = Extraction(title=title, text_length=text_length, fingerprint=fingerprint,
                            features=features, reader="html")
    return result, extraction


def verdict(res: Resource, fetched: tuple[FetchResult, Extraction], *,
            probe: Probe | None = None, video: VideoCheck | None = None,
            baseline: Baseline | None = None) -> tuple[Availability, set[str]]:
    evidence = Evidence(fetched[0], fetched[1], probe, video, baseline)
    judgement = judge(res, evidence, TODAY, 1095)
    return judgement.availability, {f.code.value for f in judgement.findings}


PASSWORD_FORM = FormFeatures(has_password=True, text_inputs=1, action="/login")
HEADER_LOGIN = FormFeatures(has_password=True, text_inputs=1, in_chrome=True)
EMAIL_FORM = FormFeatures(has_email=True, text_inputs=3, vendor="hubspot")
FOOTER_NEWSLETTER = FormFeatures(has_email=True, text_inputs=1, in_chrome=True)
GOOD = Baseline(run_id="night-1", text_length=ARTICLE, fingerprint=0x0F0F_0F0F_0F0F_0F0F)

CASES = [
    # name, resource fields, page, extra evidence, availability, codes
    ("plain article", {}, page(), {}, Availability.AVAILABLE, set()),
    ("title says not found", {}, page(title="Page not found | Example Hospital"), {},
     Availability.BROKEN, {"soft-404"}),
    ("french heading", {}, page(title="Accueil", headings=("Page introuvable",)), {},
     Availability.BROKEN, {"soft-404"}),
    ("deep link sent home", {},
     page(redirects=(Hop(URL, 302, "https://charity.example.org/"),),
          final_url="https://charity.example.org/"), {}, Availability.BROKEN, {"soft-404"}),
    ("probe answers the same page", {}, page(),
     {"probe": Probe("https://charity.example.org/guides/curate-probe-x", 200,
                     fingerprint=0x0F0F_0F0F_0F0F_0F0F)}, Availability.BROKEN, {"soft-404"}),
    ("probe answers 404: honest host", {}, page(),
     {"probe": Probe("https://charity.example.org/guides/curate-probe-x", 404)},
     Availability.AVAILABLE, set()),
    ("probe answers a different page", {}, page(),
     {"probe": Probe("https://charity.example.org/guides/curate-probe-x", 200,
                     fingerprint=0x0F0F_0F0F_F0F0_F0F0)}, Availability.AVAILABLE, set()),
    ("parked domain", {}, page(text_length=300, markers=("parking:sedo", "parking:phrase")),
     {}, Availability.BROKEN, {"parked-domain"}),
    ("redirect to sign-in", {},
     page(redirects=(Hop(URL, 302, "https://charity.example.org/login?next=/guides"),),
          final_url="https://charity.example.org/login?next=/guides"), {},
     Availability.GATED, {"login-wall"}),
    ("password form is the page", {}, page(text_length=400, forms=(PASSWORD_FORM,)), {},
     Availability.GATED, {"login-wall"}),
    ("login form in the header", {}, page(forms=(HEADER_LOGIN,)), {},
     Availability.AVAILABLE, set()),
    ("schema not free, teaser only", {},
     page(text_length=600, markers=("schema:not-free", "paywall:piano")), {},
     Availability.GATED, {"paywall"}),
    ("paywall vendor on a full article", {}, page(markers=("paywall:piano",)), {},
     Availability.AVAILABLE, set()),
    ("paywall vendor, text collapsed", {}, page(text_length=500, markers=("paywall:piano",)),
     {"baseline": GOOD}, Availability.GATED, {"paywall"}),
    ("pdf replaced by an email form", {"format": Format.PDF, "kind": "guide"},
     page(text_length=700, forms=(EMAIL_FORM,), markers=("form:hubspot",)), {},
     Availability.GATED, {"registration-wall"}),
    ("guide page with a footer newsletter", {"kind": "guide"},
     page(forms=(FOOTER_NEWSLETTER,)), {}, Availability.AVAILABLE, set()),
    ("webinar asks to register", {"kind": "webinar"},
     page(text_length=900, forms=(EMAIL_FORM,), markers=("webinar:on24",
                                                         "text:register-to-watch")), {},
     Availability.GATED, {"registration-wall"}),
    ("webinar with the video embedded", {"kind": "webinar"},
     page(forms=(EMAIL_FORM,), markers=("webinar:on24", "video:youtube")), {},
     Availability.AVAILABLE, set()),
    ("consent banner on a full page", {}, page(markers=("consent:onetrust",)),
     {"baseline": GOOD}, Availability.AVAILABLE, set()),
    ("consent wall: text collapsed", {}, page(text_length=150, markers=("consent:onetrust",)),
     {"baseline": GOOD}, Availability.GATED, {"cookie-wall"}),
    ("consent markup, no last good night", {},
     page(text_length=150, markers=("consent:onetrust",)), {}, Availability.AVAILABLE, set()),
    ("cloudflare interstitial on 200", {},
     page(title="Just a moment...", text_length=120, markers=("challenge:cloudflare",)), {},
     Availability.BLOCKED, {"bot-challenge"}),
    ("challenge header on 503", {}, page(503, headers={"cf-mitigated": "challenge"}), {},
     Availability.BLOCKED, {"bot-challenge"}),
    ("akamai access denied", {},
     page(403, title="Access Denied", text_length=200, markers=("challenge:akamai",)), {},
     Availability.BLOCKED, {"bot-challenge"}),
    ("http 999", {}, page(999), {}, Availability.BLOCKED, {"bot-challenge"}),
    ("plain 403", {}, page(403, markers=()), {}, Availability.BLOCKED, set()),
    ("youtube: removed", {"kind": "webinar"}, page(),
     {"video": VideoCheck("youtube", "https://yt.example/oembed", 404)},
     Availability.BROKEN, set()),
    ("youtube: private", {"kind": "webinar"}, page(),
     {"video": VideoCheck("youtube", "https://yt.example/oembed", 400)},
     Availability.BROKEN, set()),
    ("youtube: embedding off", {"kind": "webinar"}, page(),
     {"video": VideoCheck("youtube", "https://yt.example/oembed", 401)},
     Availability.AVAILABLE, {"embedding-disabled"}),
    ("vimeo: embedding restricted", {"kind": "video"}, page(),
     {"video": VideoCheck("vimeo", "https://vimeo.example/oembed", 403)},
     Availability.AVAILABLE, {"embedding-disabled"}),
    ("vimeo: gone", {"kind": "video"}, page(),
     {"video": VideoCheck("vimeo", "https://vimeo.example/oembed", 404)},
     Availability.BROKEN, set()),
    ("oembed down: no verdict from it", {"kind": "video"}, page(),
     {"video": VideoCheck("youtube", "https://yt.example/oembed", 503)},
     Availability.AVAILABLE, set()),
    ("text drifted", {}, page(fingerprint=0xFFFF_0000_FFFF_0000),
     {"baseline": Baseline("night-1", text_length=ARTICLE, fingerprint=0x0000_FFFF_0000_FFFF)},
     Availability.AVAILABLE, {"content-changed"}),
    ("text the same", {}, page(), {"baseline": GOOD}, Availability.AVAILABLE, set()),
]


@pytest.mark.parametrize(("name", "fields", "fetched", "extra", "availability", "codes"),
                         CASES, ids=[c[0] for c in CASES])
def test_rules(name: str, fields: dict[str, object], fetched: tuple[FetchResult, Extraction],
               extra: dict[str, object], availability: Availability, codes: set[str]) -> None:
    assert verdict(resource(**fields), fetched, **extra) == (availability, codes)  # type: ignore[arg-type]


def test_findings_carry_their_evidence() -> None:
    evidence = Evidence(*page(text_length=150, markers=("consent:onetrust",)), baseline=GOOD)
    (finding,) = judge(resource(), evidence, TODAY, 1095).findings
    assert "consent:onetrust" in finding.evidence
    assert "6,000 to 150" in finding.evidence and "night-1" in finding.evidence


def test_a_removed_video_says_why_in_plain_words() -> None:
    video = VideoCheck("youtube", "https://yt.example/oembed", 404)
    judgement = judge(resource(kind="webinar"), Evidence(*page(), video=video), TODAY, 1095)
    assert "removed or is private" in judgement.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Page not found", True), ("404", True), ("Error 404 - Not Found", True),
        ("Oops! Page introuvable | Hôpital", True), ("Seite nicht gefunden", True),
        ("Pagina niet gevonden - UZ Leuven", True), ("Pagina non trovata", True),
        ("Página no encontrada", True), ("PAGINA NO ENCONTRADA", True),
        ("Cause of relapse not found in new CAR-T study", False),
        ("CAR T-cell therapy: a guide for patients", False),
        ("404 reasons to love Leuven", False), ("", False),
    ],
)
def test_not_found_wording(text: str, expected: bool) -> None:
    assert says_not_found(text) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.org/", True), ("https://x.org", True), ("https://x.org/en/", True),
        ("https://x.org/nl-be/", True), ("https://x.org/index.html", True),
        ("https://x.org/guides/car-t", False), ("https://x.org/en/car-t", False),
    ],
)
def test_site_root(url: str, expected: bool) -> None:
    assert is_site_root(url) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.org/login?next=/a", True), ("https://x.org/users/sign-in", True),
        ("https://login.x.org/", True), ("https://sso.hospital.org/auth", True),
        ("https://x.org/auth/realms/h/protocol/openid-connect/auth", True),
        ("https://x.org/my-account/", True),
        ("https://x.org/accounting-for-car-t-costs", False),
        ("https://x.org/guides/login-help-for-patients", False),
        ("https://x.org/blog/authors", False),
    ],
)
def test_login_urls(url: str, expected: bool) -> None:
    assert is_login_url(url) is expected

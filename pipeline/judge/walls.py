"""Walls and refusals: is the resource still *freely* readable?

Each rule looks at the evidence and returns a finding (with the marker,
redirect or measurement behind it) or None. Markers decide first, length
second: of the 45 real pages in ../shared/realworld (none of them a wall),
none has a password form outside the page's header/nav/footer, a parking or
challenge marker, or a login/registration phrase; the shortest real article
has 1,513 characters of text, so SHORT_PAGE alone never decides.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pipeline.models import (
    Baseline,
    Evidence,
    Extraction,
    Finding,
    FindingCode,
    Format,
    FormFeatures,
    PageFeatures,
    Resource,
)

SHORT_PAGE = 2500  # characters of readable text; walls and interstitials are short
COLLAPSE_RATIO = 0.3  # text below this share of the last good night has collapsed
MIN_BASELINE_TEXT = 1000  # a baseline this short says nothing about a collapse

_LOGIN_SEGMENTS = frozenset(
    {
        "login", "log-in", "logon", "signin", "sign-in", "sign_in", "auth", "authenticate",
        "authorize", "sso", "saml", "saml2", "oauth", "oauth2", "openid-connect", "cas",
        "idp", "account", "accounts", "my-account", "myaccount", "user-login", "wp-login.php",
        "login.php", "login.aspx", "signin.aspx",
    }
)
_LOGIN_HOST = re.compile(r"^(?:login|signin|sso|auth|accounts?|idp|id)\.", re.IGNORECASE)


def bot_challenge(resource: Resource, evidence: Evidence) -> Finding | None:
    """A bot challenge or a CDN's refusal, on any status: unverified, not broken."""
    result = evidence.result
    if result.status == 999:  # LinkedIn and others answer automated checks with 999
        return _challenge("HTTP 999 (request denied)")
    if result.header("cf-mitigated").lower() == "challenge":
        return _challenge("cf-mitigated: challenge")
    markers = _features(evidence.extraction).markers_of("challenge")
    short = evidence.extraction.text_length < SHORT_PAGE
    if markers and (short or (result.status or 0) >= 400):
        return _challenge(", ".join(markers))
    return None


def login_redirect(resource: Resource, evidence: Evidence) -> Finding | None:
    """A redirect that ends on (or passes through) a sign-in page."""
    if is_login_url(resource.url):
        return None  # the catalogue lists a sign-in page on purpose
    for target in [hop.location for hop in evidence.result.redirects]:
        if is_login_url(target):
            return Finding(
                FindingCode.LOGIN_WALL,
                f"The link now redirects to a sign-in page ({target}); patients must log in",
                evidence=" -> ".join(f"{h.status} {h.url}" for h in evidence.result.redirects)[
                    :300
                ],
            )
    return None


def is_login_url(url: str) -> bool:
    parts = urlsplit(url)
    segments = {s.lower() for s in parts.path.split("/") if s}
    return bool(segments & _LOGIN_SEGMENTS) or bool(_LOGIN_HOST.match(parts.hostname or ""))


def parked_domain(resource: Resource, evidence: Evidence) -> Finding | None:
    markers = _features(evidence.extraction).markers_of("parking")
    if not markers or evidence.extraction.text_length >= SHORT_PAGE * 2:
        return None
    return Finding(
        FindingCode.PARKED_DOMAIN,
        "The domain is parked or for sale; the publisher's site is no longer there",
        evidence=", ".join(markers),
    )


def password_wall(resource: Resource, evidence: Evidence) -> Finding | None:
    """A page whose main content is a password form (a header login link is not)."""
    extraction = evidence.extraction
    walls = [f for f in _features(extraction).forms if f.has_password and not f.in_chrome]
    if not walls or extraction.text_length >= SHORT_PAGE:
        return None
    return Finding(
        FindingCode.LOGIN_WALL,
        "The page's main content is a password form; patients must log in to read it",
        evidence=_form_evidence(walls[0], extraction),
    )


def paywall(resource: Resource, evidence: Evidence) -> Finding | None:
    """schema.org says not free and the text is a teaser, or a paywall vendor's
    page whose text collapsed since the last good night."""
    extraction, features = evidence.extraction, _features(evidence.extraction)
    if "schema:not-free" in features.markers and extraction.text_length < SHORT_PAGE:
        return Finding(
            FindingCode.PAYWALL,
            "The page declares itself not free to read (schema.org isAccessibleForFree: "
            "false) and shows only a teaser",
            evidence=f"isAccessibleForFree: false; {extraction.text_length} characters of text",
        )
    vendors = features.markers_of("paywall")
    collapse = _collapse(extraction, evidence.baseline)
    if vendors and collapse:
        return Finding(FindingCode.PAYWALL, "A paywall now hides most of the text",
                       evidence=f"{', '.join(vendors)}; {collapse}")
    return None


def registration_wall(resource: Resource, evidence: Evidence) -> Finding | None:
    """A PDF or guide replaced by a form asking for an email, or a webinar
    recording that asks viewers to register first."""
    extraction, features = evidence.extraction, _features(evidence.extraction)
    forms = _email_forms(features)
    if not forms:
        return None
    gated = _guide_gate(features) or bool(forms[0].vendor)
    short = extraction.text_length < SHORT_PAGE
    if resource.format is Format.PDF and (gated or short):
        message = "Instead of the PDF, the link now shows a form asking for an email address"
    elif resource.kind == "guide" and _guide_gate(features) and short:
        message = "Instead of the guide, the link now shows a form asking for an email address"
    elif _is_webinar(resource) and _webinar_gate(features):
        message = "The webinar recording now asks viewers to register before watching"
    else:
        return None
    return Finding(FindingCode.REGISTRATION_WALL, message,
                   evidence=_form_evidence(forms[0], extraction))


def _email_forms(features: PageFeatures) -> list[FormFeatures]:
    """Forms in the page's main content that ask for an email and no password.

    A blog's comment form (WordPress posts it to wp-comments-post.php) asks
    for an email too, but gates nothing.
    """
    return [
        f for f in features.forms
        if f.has_email and not f.has_password and not f.in_chrome
        and "wp-comments-post" not in f.action
    ]


def cookie_wall(resource: Resource, evidence: Evidence) -> Finding | None:
    """Consent markup alone is no wall; it is one when the text collapsed."""
    extraction, features = evidence.extraction, _features(evidence.extraction)
    consent = features.markers_of("consent")
    collapse = _collapse(extraction, evidence.baseline)
    if not consent or not collapse:
        return None
    return Finding(
        FindingCode.COOKIE_WALL,
        "A cookie-consent wall now hides the content until visitors accept cookies",
        evidence=f"{', '.join(consent)}; {collapse}",
    )


def _challenge(evidence: str) -> Finding:
    return Finding(
        FindingCode.BOT_CHALLENGE,
        "The site answered with a bot challenge or refused the automated check; "
        "the link could not be verified (check it in a browser)",
        evidence=evidence,
    )


def _guide_gate(features: PageFeatures) -> bool:
    return features.has_marker("form") or "text:register-to-download" in features.markers


def _webinar_gate(features: PageFeatures) -> bool:
    asks = features.has_marker("webinar") or "text:register-to-watch" in features.markers
    return asks and not features.has_marker("video")


def _is_webinar(resource: Resource) -> bool:
    return resource.kind in ("webinar", "video") or resource.format is Format.VIDEO


def _collapse(extraction: Extraction, baseline: Baseline | None) -> str:
    """'' unless the readable text fell below COLLAPSE_RATIO of the last good night."""
    if baseline is None or baseline.text_length < MIN_BASELINE_TEXT:
        return ""
    if extraction.text_length >= baseline.text_length * COLLAPSE_RATIO:
        return ""
    return (f"readable text fell from {baseline.text_length:,} to "
            f"{extraction.text_length:,} characters since run {baseline.run_id}")


def _form_evidence(form: FormFeatures, extraction: Extraction) -> str:
    parts = [f"form vendor {form.vendor}" if form.vendor else "",
             f"action {form.action}" if form.action else "",
             f"{extraction.text_length} characters of text"]
    return "; ".join(p for p in parts if p)[:300]


def _features(extraction: Extraction) -> PageFeatures:
    return extraction.features or PageFeatures()

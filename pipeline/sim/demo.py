"""The demo catalogue: the simulated hub's resources plus one entry per failure.

`write_demo_catalogue` renders a commented, curator-readable YAML file in
the catalogue format whose URLs point at a running SimulatedHub. The YAML
is written by hand (not dumped) so that it carries comments and keeps a
stable field order; strings are quoted as JSON, which is valid YAML.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from pipeline.sim.content import FACT_SHEET_TITLE, GUIDE_TITLE, LATIN1_TITLE
from pipeline.sim.server import unused_port_url
from pipeline.sim.texts import (
    APHERESIS_TITLE,
    CAR_T_GUIDE_TITLE,
    NEWS_FREE_TITLE,
    NEWS_PAYWALLED_TITLE,
    TRAVEL_TITLE,
    WEBINAR_TITLE,
)

HUB_SLUG = "car-t-phases-demo"
FILENAME = f"{HUB_SLUG}.yaml"
PUBLISHABLE_SLUG = "car-t-phases"
PUBLISHABLE_FILENAME = f"{PUBLISHABLE_SLUG}.yaml"
ALL_PHASES = ("screening", "collection", "bridging", "infusion", "follow-up")
UNREACHABLE = "<refused>"
"""Placeholder path: the entry's URL is a loopback port where nothing listens."""

NA_ATTC = "Northern Alliance Advanced Therapies Treatment Centre (NA-ATTC)"
BMS = "Bristol Myers Squibb"


@dataclass(frozen=True)
class DemoEntry:
    """One catalogue entry of the demo and what a check of it should show."""

    id: str
    title: str
    path: str
    publisher: str
    kind: str
    format: str
    expect: str
    pages: int | None = None
    language: str = "en"
    phases: tuple[str, ...] = ALL_PHASES
    added: str = "2024-03-01"
    last_reviewed: str = "2026-06-01"


HUB_ENTRIES: tuple[DemoEntry, ...] = (
    DemoEntry(
        "mayo-car-t-infographic",
        "Infographic: Mayo Clinic CAR-T Cell Therapy Program",
        "/mayo/car-t-infographic",
        "Mayo Clinic",
        "infographic",
        "html",
        "available",
    ),
    DemoEntry(
        "mayo-car-t-program",
        "CAR-T Cell Therapy Program - Overview",
        "/mayo/car-t-program",
        "Mayo Clinic",
        "web-page",
        "html",
        "available",
        phases=("screening",),
    ),
    DemoEntry(
        "attc-clinical-journey-guide",
        GUIDE_TITLE,
        "/attc/car-t-clinical-journey-guide.pdf",
        NA_ATTC,
        "guide",
        "pdf",
        "available (92 pages; sends ETag and Last-Modified)",
        pages=92,
    ),
    DemoEntry(
        "bms-car-t-infographic",
        "CAR T cell therapy infographic",
        "/bms/car-t-infographic.png",
        BMS,
        "infographic",
        "image",
        "available",
        phases=("collection", "infusion"),
    ),
    DemoEntry(
        "bms-cell-therapy-fact-sheet",
        FACT_SHEET_TITLE,
        "/bms/cell-therapy-fact-sheet.pdf",
        BMS,
        "fact-sheet",
        "pdf",
        "available (1 page)",
        pages=1,
    ),
    DemoEntry(
        "gilead-car-t",
        "CAR T Cell Therapy",
        "/gilead/car-t",
        "Kite, a Gilead Company",
        "web-page",
        "html",
        "available",
        phases=("screening", "infusion"),
    ),
    DemoEntry(
        "mpe-myeloma-car-t-webinar",
        "Doctor and patients' perspective on myeloma CAR-T",
        "/mpe/webinar-myeloma-car-t",
        "Myeloma Patients Europe",
        "webinar",
        "html",
        "available",
        phases=("infusion", "follow-up"),
    ),
    DemoEntry(
        "attc-glossary",
        "The CAR T-Cell Therapy Clinical Journey Guide \u2013 Glossary",
        "/attc/glossary",
        NA_ATTC,
        "glossary",
        "html",
        "available",
    ),
)


def _failure(
    id_: str,
    title: str,
    path: str,
    expect: str,
    fmt: str = "html",
    *,
    publisher: str = "Simulated publisher",
    kind: str = "web-page",
    pages: int | None = None,
    language: str = "en",
) -> DemoEntry:
    """A demo entry that shows one failure; publisher and kind default to generic."""
    return DemoEntry(id_, title, path, publisher, kind, fmt, expect, pages=pages, language=language)


FAILURE_ENTRIES: tuple[DemoEntry, ...] = (
    _failure(
        "mayo-program-old-url",
        "CAR-T Cell Therapy Program - Overview",
        "/moved-permanently",
        "redirected + permanent-redirect (301 to /mayo/car-t-program): update the URL",
        publisher="Mayo Clinic",
    ),
    _failure(
        "removed-leaflet",
        "Preparing for apheresis",
        "/status/404",
        "broken (404 Not Found)",
        kind="fact-sheet",
    ),
    _failure("withdrawn-booklet", "Living with CAR-T", "/status/410", "broken (410 Gone)"),
    _failure(
        "server-error-page",
        "Finding a treatment centre",
        "/status/503",
        "server-error (503), an error once confirmed on a second night",
    ),
    _failure(
        "members-only-guide",
        "Carers' handbook",
        "/status/401",
        "gated + login-wall (401 with WWW-Authenticate)",
        "pdf",
        kind="guide",
        pages=40,
    ),
    _failure(
        "bot-challenge-page",
        "Side effects after infusion",
        "/challenge",
        "blocked + bot-challenge (403 with cf-mitigated: challenge): unverified, not broken",
    ),
    _failure(
        "rate-limited-page",
        "Questions to ask your care team",
        "/rate-limited",
        "blocked + rate-limited (429 with Retry-After: 1, every time)",
    ),
    _failure(
        "slow-server",
        "Travel and accommodation",
        "/slow-trickle",
        "timeout (one byte every 0.2 s, never finishes in time)",
    ),
    _failure("redirect-loop", "Bridging therapy explained", "/loop/a", "broken (redirect loop)"),
    _failure(
        "format-mismatch",
        "Download our guide (PDF)",
        "/guide-now-html",
        "format-mismatch: a PDF was expected, an HTML page came back",
        "pdf",
        kind="guide",
        pages=24,
    ),
    _failure(
        "damaged-pdf",
        "Infusion day checklist",
        "/damaged.pdf",
        "damaged-pdf: starts like a PDF, no reader can open it",
        "pdf",
        kind="fact-sheet",
        pages=2,
    ),
    _failure(
        "pages-changed",
        FACT_SHEET_TITLE,
        "/bms/cell-therapy-fact-sheet.pdf",
        "pages-changed: the catalogue says 2 pages, the PDF has 1",
        "pdf",
        publisher=BMS,
        kind="fact-sheet",
        pages=2,
    ),
    _failure(
        "title-changed",
        "Going home after CAR-T",
        "/title-changed",
        "title-changed: the page is now 'A completely different page title'",
    ),
    _failure(
        "latin1-page",
        LATIN1_TITLE,
        "/latin1-page",
        "available; ISO-8859-1 bytes, charset only in <meta>, the title must decode intact",
        language="fr",
    ),
    _failure(
        "unreachable-host",
        "Support groups near you",
        UNREACHABLE,
        "broken (connection refused: nothing listens on that port)",
    ),
)


WALL_ENTRIES: tuple[DemoEntry, ...] = (
    _failure(
        "soft-404-page",
        CAR_T_GUIDE_TITLE,
        "/soft/car-t-guide",
        "broken + soft-404: 200 with a generic welcome page, and a made-up sibling "
        "address (/soft/<random>) answers the very same page",
        kind="guide",
    ),
    _failure(
        "catch-all-real-guide",
        CAR_T_GUIDE_TITLE,
        "/catchall/car-t-guide",
        "available: the site answers unknown paths with a search page, but this one is a "
        "distinct real article (no soft-404)",
        kind="guide",
    ),
    _failure(
        "not-found-title-de",
        "CAR-T-Zelltherapie: Informationen f\u00fcr Patienten",
        "/nf/de",
        "broken + soft-404: 200, but the title says \u201cSeite nicht gefunden\u201d",
        language="de",
    ),
    _failure(
        "deep-link-to-home",
        "Bridging therapy: an overview",
        "/deep/old-guide.html",
        "broken + soft-404: the deep link now redirects (302) to the site's home page",
    ),
    _failure(
        "parked-domain",
        "CAR-T patient guide",
        "/parked",
        "broken + parked-domain: \u201cThis domain may be for sale\u201d, Sedo parking script",
        kind="guide",
    ),
    _failure(
        "members-guide-login-redirect",
        "Members' guide to CAR-T",
        "/members/guide",
        "gated + login-wall: 302 to /login?next=/members/guide, a username/password form",
        kind="guide",
    ),
    _failure(
        "sso-guide-login-redirect",
        "Hospital CAR-T pathway",
        "/sso/guide",
        "gated + login-wall: 302 to an OpenID Connect sign-in page (Keycloak-style)",
    ),
    _failure(
        "password-protected",
        "Caring for someone after CAR-T",
        "/password-page",
        "gated + login-wall: 200, but the content is a WordPress post-password form",
    ),
    _failure(
        "header-login-article",
        APHERESIS_TITLE,
        "/header-login",
        "available: a real article; the login form sits in the site header (not a wall)",
    ),
    _failure(
        "paywalled-article",
        NEWS_PAYWALLED_TITLE,
        "/paywalled",
        "gated + paywall: a 300-character teaser, JSON-LD isAccessibleForFree false, Tinypass",
        kind="news",
    ),
    _failure(
        "free-article",
        NEWS_FREE_TITLE,
        "/free-article",
        "available: the paywall vendor's script is there, but JSON-LD says the article is free",
        kind="news",
    ),
    _failure(
        "guide-behind-registration",
        "Your CAR-T guide (PDF)",
        "/guide-registration",
        "gated + registration-wall: the PDF is now a HubSpot form to fill in to download it",
        "pdf",
        kind="guide",
        pages=24,
    ),
    _failure(
        "webinar-registration",
        WEBINAR_TITLE,
        "/webinar-register",
        "gated + registration-wall: register (ON24 form) to watch the recording; no video",
        kind="webinar",
    ),
    _failure(
        "webinar-open",
        WEBINAR_TITLE,
        "/webinar-open",
        "available: an embedded video; the only form is a newsletter signup in the footer",
        kind="webinar",
    ),
    _failure(
        "challenge-200",
        "Managing side effects at home",
        "/challenge-200",
        "blocked + bot-challenge: a Cloudflare \u201cJust a moment...\u201d page answered 200, "
        "without cf-mitigated",
    ),
    _failure(
        "akamai-denied",
        "Clinical trials for CAR-T",
        "/akamai-denied",
        "blocked + bot-challenge: Akamai \u201cAccess Denied\u201d (403 with a reference number)",
    ),
    _failure(
        "linkedin-999",
        "Our patient advocates",
        "/status-999",
        "blocked + bot-challenge: status 999 \u201cRequest denied\u201d (LinkedIn-style)",
    ),
    _failure(
        "cloudflare-email-article",
        TRAVEL_TITLE,
        "/cloudflare-email",
        "available: a real article that only loads Cloudflare's e-mail decoding script",
    ),
)
"""Soft 404s, walls and bot blocks, each with a negative twin that is available."""


def demo_entries() -> tuple[DemoEntry, ...]:
    """Every entry of the demo catalogue, hub resources first."""
    return HUB_ENTRIES + FAILURE_ENTRIES + WALL_ENTRIES


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _entry_yaml(entry: DemoEntry, url: str) -> list[str]:
    """The lines of one resource, preceded by a comment saying what it shows."""
    lines = [
        f"  # Shows: {entry.expect}",
        f"  - id: {entry.id}",
        f"    title: {_quote(entry.title)}",
        f"    url: {_quote(url)}",
        f"    publisher: {_quote(entry.publisher)}",
        f"    kind: {entry.kind}",
        f"    format: {entry.format}",
    ]
    if entry.pages is not None:
        lines.append(f"    pages: {entry.pages}")
    lines += [
        f"    language: {entry.language}",
        "    audience: [patients, carers]",
        f"    phases: [{', '.join(entry.phases)}]",
        f"    added: {entry.added}",
        f"    last_reviewed: {entry.last_reviewed}",
        "",
    ]
    return lines


_HEADER = """\
# Demo catalogue for `make demo`, generated by pipeline/sim/demo.py.
# Every URL points at the simulated hub (python -m pipeline.sim) on {base_url},
# so the demo needs no internet. Regenerate it rather than editing it: the
# port changes with every run of the simulated hub.
hub: {slug}
title: "CAR T-cell therapy phases (simulated hub)"
description: >-
{description}
resources:
"""
_DEMO_DESCRIPTION = """  A simulated copy of a CAR T-cell therapy patient hub: guides, infographics,
  fact sheets, company pages, a webinar and a glossary, plus one entry for each
  way a link can go wrong (soft 404s and walls included), so the report shows
  every verdict."""
_HUB_DESCRIPTION = """  CAR T-cell therapy consists of multiple phases, starting with an initial
  screening phase and ending with continued follow-ups upon going through
  infusion. Browse through resources from various sources for each phase."""


def render_demo_catalogue(base_url: str, refused_url: str) -> str:
    """The demo catalogue's YAML text for a hub at `base_url`."""
    sections = (
        ("The hub's resources: all should be available.", HUB_ENTRIES),
        ("One entry per failure the nightly check must report.", FAILURE_ENTRIES),
        ("Soft 404s, walls and bot blocks, and look-alikes that are fine.", WALL_ENTRIES),
    )
    return _render(base_url, refused_url, HUB_SLUG, sections, _DEMO_DESCRIPTION)


def render_hub_catalogue(base_url: str) -> str:
    """Only the hub's eight resources, all available: what `make demo` publishes."""
    sections = (("The hub's resources, ready to publish.", HUB_ENTRIES),)
    return _render(base_url, "", PUBLISHABLE_SLUG, sections, _HUB_DESCRIPTION)


Sections = tuple[tuple[str, tuple[DemoEntry, ...]], ...]


def _render(
    base_url: str, refused_url: str, slug: str, sections: Sections, description: str
) -> str:
    lines = [_HEADER.format(base_url=base_url, slug=slug, description=description)]
    for heading, entries in sections:
        lines += [f"  # ---- {heading}", ""]
        for entry in entries:
            url = refused_url if entry.path == UNREACHABLE else base_url + entry.path
            lines += _entry_yaml(entry, url)
    return "\n".join(lines)


def write_hub_catalogue(directory: pathlib.Path, base_url: str) -> pathlib.Path:
    """Write the publishable hub-only catalogue into `directory`; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / PUBLISHABLE_FILENAME
    path.write_text(render_hub_catalogue(base_url.rstrip("/")), encoding="utf-8")
    return path


def write_demo_catalogue(directory: pathlib.Path, base_url: str) -> pathlib.Path:
    """Write the demo catalogue for the hub at `base_url` into `directory`.

    The unreachable-host entry gets a loopback port on the hub's host where
    nothing listens, found at write time. Returns the file's path.
    """
    base_url = base_url.rstrip("/")
    host = urlsplit(base_url).hostname or ""
    try:
        refused = unused_port_url(host)
    except ValueError:  # e.g. "localhost": fall back to the default loopback address
        refused = unused_port_url()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / FILENAME
    path.write_text(render_demo_catalogue(base_url, refused), encoding="utf-8")
    return path

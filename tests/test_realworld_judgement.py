"""False positives, measured: real pages written by others, judged as curate would.

Every page of ../shared/realworld is real, freely readable content (its
README says so; the manifest labels no soft-404, parked, wall or challenge
page). Whatever kind of resource a catalogue says it is, none may be called
soft-404, a wall, parked or a challenge; every scored PDF is available.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pytest

from pipeline.extract import extract
from pipeline.judge import judge
from pipeline.models import (
    Availability,
    Baseline,
    Evidence,
    Extraction,
    FetchResult,
    Format,
    Probe,
    Resource,
    SourceLocation,
)
from tests.test_realworld import MANIFEST, load_entries, read_body

pytestmark = pytest.mark.skipif(
    not MANIFEST.is_file(),
    reason="../shared/realworld is absent (a user's clone): real-world corpus tests need it",
)

FALSE_ALARMS = {"soft-404", "parked-domain", "login-wall", "paywall", "registration-wall",
                "cookie-wall", "bot-challenge", "damaged-pdf"}
PROFILES = {  # how a catalogue might list the page
    "web-page": {"kind": "web-page", "format": Format.HTML},
    "guide": {"kind": "guide", "format": Format.HTML},
    "webinar": {"kind": "webinar", "format": Format.VIDEO},
}


def judged(entry: dict[str, Any], **fields: Any) -> tuple[Availability, set[str]]:
    """Serve the file as the manifest says, extract, and judge it."""
    url = f"https://publisher.example.org/articles/{entry['id']}"
    body = read_body(entry)
    result = FetchResult(url=url, final_url=url, status=200, body=body,
                         headers={"Content-Type": entry["content_type"]})
    extraction = _extracted(entry["file"], entry["content_type"])
    probe = Probe(url=url + "-curate-probe", status=404)  # an honest host
    same_night = Baseline("last-night", extraction.title, extraction.pages,
                          extraction.text_length, extraction.fingerprint)
    resource = Resource(id=entry["id"], title="", url=url, hub="realworld",
                        source=SourceLocation("manifest.yaml", 1), **fields)
    evidence = Evidence(result, extraction, probe=probe, baseline=same_night)
    judgement = judge(resource, evidence, dt.date(2026, 11, 25), 1095)
    return judgement.availability, {f.code.value for f in judgement.findings}


@functools.cache
def _extracted(file: str, content_type: str) -> Extraction:
    """Each file is parsed once, however many profiles judge it."""
    body = read_body({"file": file})
    return extract(body, content_type)


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("entry", load_entries("html"))
def test_real_pages_raise_no_false_alarm(entry: dict[str, Any], profile: str) -> None:
    availability, codes = judged(entry, **PROFILES[profile])
    assert availability is Availability.AVAILABLE, codes
    assert not codes & FALSE_ALARMS


@pytest.mark.parametrize("entry", load_entries("pdf"))
def test_real_pdfs_are_available_and_undamaged(entry: dict[str, Any]) -> None:
    availability, codes = judged(entry, kind="guide", format=Format.PDF)
    assert availability is Availability.AVAILABLE
    assert not codes & FALSE_ALARMS

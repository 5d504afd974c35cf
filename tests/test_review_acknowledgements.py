"""Tests of pipeline.review.acknowledgements: the file, and what it mutes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.catalogue import (
    ACKNOWLEDGEMENTS_SCHEMA_PATH,
    CatalogueError,
    catalogue_paths,
    load_catalogue,
)
from pipeline.models import Availability, FindingCode, Severity, SourceLocation
from pipeline.review.acknowledgements import (
    ACKNOWLEDGEABLE_CODES,
    ACKNOWLEDGEMENTS_HEADER,
    Acknowledgement,
    Acknowledgements,
    acknowledge,
    apply_acknowledgements,
    is_muted,
    load_acknowledgements,
)
from pipeline.review.listing import needs_decision
from pipeline.review.shared import ReviewError
from tests.review_factory import (
    GUIDE,
    HTML_EVIDENCE,
    TODAY,
    ack,
    broken,
    finding,
    gated,
    guide_run,
    make_resource,
    redirect,
    result_of,
    run_of,
    seen,
    title_changed,
)

# --------------------------------------------------------------------------
# Acknowledgements: the file
# --------------------------------------------------------------------------


ACKS_WITH_COMMENTS = """\
# Findings a curator knows about.
acknowledgements:
  # The guide's PDF link was asked for.
  - id: attc-car-t-patient-guide
    code: format-mismatch   # until the PDF link arrives
    reason: "PDF link requested from NA-ATTC, 2026-11-25"
    by: "j.doe"
    on: 2026-11-25
    until: 2027-01-31
    evidence: "Content-Type: text/html; charset=utf-8"

# Keep this file sorted by id.
"""


def test_acknowledge_adds_an_entry_and_keeps_comments(tmp_path: Path) -> None:
    path = tmp_path / "acknowledgements.yaml"
    path.write_text(ACKS_WITH_COMMENTS, encoding="utf-8")

    made = acknowledge(path, GUIDE, "review-overdue", "  re-read\nin December ", None, TODAY,
                       guide_run(), by="a.curator")

    assert made == Acknowledgement(GUIDE, "review-overdue", "re-read in December", TODAY,
                                   None, "a.curator", "", made.source)
    assert made.source == SourceLocation(str(path), 11)
    assert path.read_text(encoding="utf-8") == ACKS_WITH_COMMENTS.replace(
        "\n# Keep",
        '  - id: attc-car-t-patient-guide\n    code: review-overdue\n'
        '    reason: "re-read in December"\n    by: "a.curator"\n    on: 2026-12-01\n'
        '    evidence: ""\n\n# Keep',
    )


def test_acknowledge_replaces_the_same_id_and_code(tmp_path: Path) -> None:
    path = tmp_path / "acknowledgements.yaml"
    path.write_text(ACKS_WITH_COMMENTS, encoding="utf-8")

    acknowledge(path, GUIDE, "format-mismatch", "asked again", dt.date(2027, 3, 1), TODAY,
                guide_run())

    acks = load_acknowledgements(path).items
    assert [(a.code, a.reason, a.until, a.by) for a in acks] == [
        ("format-mismatch", "asked again", dt.date(2027, 3, 1), "")
    ]
    text = path.read_text(encoding="utf-8")
    assert "code: format-mismatch   # until the PDF link arrives" in text
    assert "# The guide's PDF link was asked for." in text
    assert text.endswith("\n# Keep this file sorted by id.\n")
    assert "by:" not in text


def test_acknowledge_creates_the_file_with_its_header(tmp_path: Path) -> None:
    path = tmp_path / "acknowledgements.yaml"
    acknowledge(path, GUIDE, "format-mismatch", "PDF link requested", dt.date(2027, 1, 31),
                TODAY, guide_run())
    assert path.read_text(encoding="utf-8") == ACKNOWLEDGEMENTS_HEADER + (
        "acknowledgements:\n  - id: attc-car-t-patient-guide\n    code: format-mismatch\n"
        '    reason: "PDF link requested"\n    on: 2026-12-01\n    until: 2027-01-31\n'
        f'    evidence: "{HTML_EVIDENCE}"\n'
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acknowledgements.yaml"]


def test_acknowledge_into_a_file_of_comments_only(tmp_path: Path) -> None:
    path = tmp_path / "acknowledgements.yaml"
    path.write_text("# Reviewed in pull requests.", encoding="utf-8")
    acknowledge(path, GUIDE, "review-overdue", "r", None, TODAY, guide_run())
    assert path.read_text(encoding="utf-8").startswith(
        "# Reviewed in pull requests.\nacknowledgements:\n  - id: attc-car-t-patient-guide\n"
    )
    assert [a.code for a in load_acknowledgements(path).items] == ["review-overdue"]


def test_acknowledge_refuses_what_is_not_there(tmp_path: Path) -> None:
    path, run = tmp_path / "acknowledgements.yaml", guide_run()
    with pytest.raises(ReviewError, match="Give a reason"):
        acknowledge(path, GUIDE, "format-mismatch", "  ", None, TODAY, run)
    with pytest.raises(ReviewError, match="--until must be a date after today"):
        acknowledge(path, GUIDE, "format-mismatch", "r", TODAY, TODAY, run)
    with pytest.raises(ReviewError, match="did you mean 'login-wall'"):
        acknowledge(path, GUIDE, "login-wal", "r", None, TODAY, run)
    with pytest.raises(ReviewError, match=(
        r"did not find 'login-wall' there; it found: format-mismatch \(error\), "
        r"review-overdue \(warning\)")):
        acknowledge(path, GUIDE, "login-wall", "r", None, TODAY, run)
    with pytest.raises(ReviewError, match="did not check 'someone-else'"):
        acknowledge(path, "someone-else", "broken", "r", None, TODAY, run)
    assert not path.exists()


def test_acknowledge_an_availability_only_when_no_finding_explains_it(tmp_path: Path) -> None:
    path = tmp_path / "acknowledgements.yaml"
    down = make_resource("down")
    made = acknowledge(path, "down", "broken", "maintenance", None, TODAY, run_of(broken(down)))
    assert made.evidence == "not found (HTTP 404)"
    soft = result_of(make_resource("soft"), Availability.BROKEN, finding(FindingCode.SOFT_404))
    with pytest.raises(ReviewError, match=r"it found: soft-404 \(error\)"):
        acknowledge(path, "soft", "broken", "r", None, TODAY, run_of(soft))


def test_load_acknowledgements_missing_and_empty(tmp_path: Path) -> None:
    assert load_acknowledgements(tmp_path / "none.yaml") == Acknowledgements()
    (tmp_path / "empty.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert load_acknowledgements(tmp_path / "empty.yaml") == Acknowledgements()


def test_load_acknowledgements_lists_every_problem_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "acknowledgements.yaml"
    path.write_text(
        "acknowledgements:\n"
        "  - id: a\n    code: login-wal\n    reason: r\n    on: 2026-11-25\n"
        "  - id: b\n    code: broken\n    on: 2026-02-30\n"
        "  - id: c\n    code: broken\n    reason: r\n    on: 2026-11-25\n    until: 2026-11-01\n"
        "  - id: c\n    code: broken\n    reason: ''\n    on: 2026-11-25\n    color: red\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as caught:
        load_acknowledgements(path)
    assert [str(p).replace(str(path), "F") for p in caught.value.problems] == [
        "F:3: a: code 'login-wal' is not one of: " + ", ".join(
            json.loads(ACKNOWLEDGEMENTS_SCHEMA_PATH.read_text())["$defs"]["acknowledgement"][
                "properties"]["code"]["enum"]) + " (did you mean 'login-wall'?)",
        "F:6: b: missing required field 'reason'",
        "F:8: b: on '2026-02-30' is not a valid date (write YYYY-MM-DD)",
        "F:13: c: until 2026-11-01 is before on 2026-11-25",
        "F:14: c: 'broken' is acknowledged twice (also at line 9); keep one",
        "F:16: c: reason is empty",
        "F:18: c: unknown field 'color' (allowed: id, code, reason, by, on, until, evidence)",
    ]


def test_schema_codes_are_the_acknowledgeable_codes() -> None:
    schema = json.loads(ACKNOWLEDGEMENTS_SCHEMA_PATH.read_text(encoding="utf-8"))
    codes = schema["$defs"]["acknowledgement"]["properties"]["code"]["enum"]
    assert set(codes) == ACKNOWLEDGEABLE_CODES
    assert len(codes) == len(set(codes))


def test_catalogue_folder_ignores_the_acknowledgements_file(shipped: Path) -> None:
    (shipped.parent / "acknowledgements.yaml").write_text(ACKS_WITH_COMMENTS, encoding="utf-8")
    assert catalogue_paths([shipped.parent]) == [shipped]
    assert load_catalogue([shipped.parent]).resources


# --------------------------------------------------------------------------
# Acknowledgements: muting
# --------------------------------------------------------------------------


def test_is_muted_until_the_end_of_the_until_day() -> None:
    mismatch = finding(FindingCode.FORMAT_MISMATCH, HTML_EVIDENCE)
    known = ack(GUIDE, "format-mismatch", HTML_EVIDENCE, until=dt.date(2027, 1, 31))
    assert is_muted(known, mismatch, dt.date(2027, 1, 31))
    assert not is_muted(known, mismatch, dt.date(2027, 2, 1))
    assert is_muted(dataclasses.replace(known, until=None), mismatch, dt.date(2099, 1, 1))
    assert not is_muted(known, finding(FindingCode.DAMAGED_PDF, HTML_EVIDENCE), TODAY)


def test_a_change_of_evidence_unmutes() -> None:
    known = ack(GUIDE, "format-mismatch", HTML_EVIDENCE)
    assert not is_muted(known, finding(FindingCode.FORMAT_MISMATCH, "Content-Type: image/png"),
                        TODAY)
    assert is_muted(ack(GUIDE, "format-mismatch", None),  # written by hand, no evidence
                    finding(FindingCode.FORMAT_MISMATCH, "Content-Type: image/png"), TODAY)


def test_a_new_title_unmutes_but_nightly_measurements_do_not() -> None:
    resource = make_resource("r", title="Old")
    first = title_changed(resource, "New").findings[0]
    later = title_changed(resource, "Newer").findings[0]
    known = ack("r", "title-changed", "The title is now \u201cNew\u201d; the catalogue says "
                "\u201cOld\u201d")
    assert is_muted(known, first, TODAY)
    assert not is_muted(known, later, TODAY)
    wall = ack("r", "registration-wall", "form vendor hubspot; 1,234 characters of text")
    assert is_muted(wall, finding(FindingCode.REGISTRATION_WALL,
                                  "form vendor hubspot;  1,310 characters of text"), TODAY)
    assert not is_muted(wall, finding(FindingCode.REGISTRATION_WALL,
                                      "form vendor marketo; 1,234 characters of text"), TODAY)


def test_apply_acknowledgements_lowers_findings_and_the_resource() -> None:
    run = guide_run()
    acks = Acknowledgements((
        ack(GUIDE, "format-mismatch", HTML_EVIDENCE, reason="PDF requested",
            until=dt.date(2027, 1, 31)),
    ))
    result = apply_acknowledgements(run, acks, TODAY).results[0]
    mismatch, overdue = result.findings
    assert mismatch.effective_severity is Severity.INFO
    assert mismatch.message.endswith(" (acknowledged: PDF requested, until 2027-01-31)")
    assert overdue == run.results[0].findings[1]
    assert result.severity is Severity.WARNING  # review-overdue is still open

    everything = Acknowledgements((*acks.items, ack(GUIDE, "review-overdue", "")))
    once = apply_acknowledgements(run, everything, TODAY)
    assert once.results[0].severity is Severity.INFO
    assert apply_acknowledgements(once, everything, TODAY) == once
    assert apply_acknowledgements(run, acks, dt.date(2027, 2, 1)) == run  # expired


def test_acknowledged_wall_lowers_the_gated_availability_too() -> None:
    wall_only = gated(make_resource("g"))
    with_more = gated(make_resource("h"), finding(FindingCode.FORMAT_MISMATCH, HTML_EVIDENCE))
    acks = Acknowledgements(
        (ack("g", "login-wall", "HTTP 401"), ack("h", "login-wall", "HTTP 401"))
    )
    g, h = apply_acknowledgements(run_of(wall_only, with_more), acks, TODAY).results
    assert g.severity is Severity.INFO
    assert h.severity is Severity.ERROR  # the format mismatch is not acknowledged
    assert [f.effective_severity for f in h.findings] == [Severity.INFO, Severity.ERROR]
    other = Acknowledgements((ack("g", "paywall", "HTTP 402"),))
    assert apply_acknowledgements(run_of(wall_only), other, TODAY).results[0] == wall_only


def test_acknowledged_redirect_lowers_the_redirected_availability() -> None:
    moved = redirect(make_resource("m"), "https://example.org/new")
    assert moved.severity is Severity.WARNING
    acks = Acknowledgements((ack("m", "permanent-redirect", "301 https://example.org/m"),))
    assert apply_acknowledgements(run_of(moved), acks, TODAY).results[0].severity is Severity.INFO
    assert needs_decision(run_of(moved), acks, TODAY) == []


def test_pseudo_code_broken_mutes_a_broken_resource() -> None:
    down = broken(make_resource("down"))
    assert down.severity is Severity.ERROR
    acks = Acknowledgements((ack("down", "broken", "not found (HTTP 404)",
                                 reason="down for maintenance"),))
    muted = apply_acknowledgements(run_of(down), acks, TODAY).results[0]
    assert muted.severity is Severity.INFO
    assert muted.findings == ()
    moved_on = dataclasses.replace(
        down, observed=seen(down.resource, status=None, error="the host name does not resolve")
    )
    assert apply_acknowledgements(run_of(moved_on), acks, TODAY).results[0] == moved_on

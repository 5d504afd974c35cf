"""Tests of pipeline.review.listing: what needs a decision, and the next commands."""

from __future__ import annotations

import dataclasses
import datetime as dt

from pipeline.models import Availability, FindingCode, Run, Severity
from pipeline.review.acknowledgements import Acknowledgements
from pipeline.review.listing import needs_decision, render_review
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
    title_changed,
)

# --------------------------------------------------------------------------
# What needs a decision
# --------------------------------------------------------------------------


def review_run() -> Run:
    moved = make_resource("moved")
    clean = make_resource("clean", url="http://example.org/clean")
    quiet_title = make_resource("quiet-title", title="Old")
    down = make_resource("down")
    walled = make_resource("walled")
    title_info = title_changed(quiet_title, "New")
    title_info = dataclasses.replace(
        title_info,
        findings=(dataclasses.replace(title_info.findings[0], severity=Severity.INFO),),
        severity=Severity.INFO,
    )
    return run_of(
        redirect(moved, "https://example.org/moved-here"),
        result_of(clean, Availability.AVAILABLE, finding(FindingCode.INSECURE_URL)),
        title_info,
        broken(down, confirmed=False),
        gated(walled, finding(FindingCode.FORMAT_MISMATCH, HTML_EVIDENCE)),
        guide_run().results[0],
    )


def test_needs_decision_lists_open_problems_worst_first() -> None:
    acks = Acknowledgements((
        ack("walled", "login-wall", "HTTP 401", until=dt.date(2027, 1, 31)),
        ack(GUIDE, "format-mismatch", HTML_EVIDENCE),
        ack(GUIDE, "review-overdue", ""),
    ))
    decisions = needs_decision(review_run(), acks, TODAY)

    assert [(d.id, d.severity.value) for d in decisions] == [
        ("walled", "error"),
        ("moved", "warning"),
        ("down", "warning"),
        ("quiet-title", "info"),
    ]
    walled, moved, down, quiet = decisions
    assert [i.code for i in walled.open] == ["format-mismatch"]
    assert [(a.code, a.until) for a in walled.muted] == [("login-wall", dt.date(2027, 1, 31))]
    assert walled.acceptance is None and "gated" in walled.no_acceptance
    assert moved.acceptance is not None
    assert [str(c) for c in moved.acceptance.changes] == [
        "url: https://example.org/moved -> https://example.org/moved-here"
    ]
    assert [i.code for i in down.open] == ["broken"] and down.status == "broken, failing (1/2)"
    assert [str(c) for c in quiet.acceptance.changes] == ["title: Old -> New"]  # type: ignore[union-attr]


def test_render_review_gives_the_next_commands() -> None:
    text = render_review(needs_decision(review_run(), Acknowledgements(), TODAY))
    assert text.startswith("5 resources need a decision: 2 errors, 2 warnings, 1 info.\n\n")
    headers = [block.split("\n")[0] for block in text.split("\n\n")[1:]]
    assert headers == [
        "ERROR  walled  (gated)",
        f"ERROR  {GUIDE}  (available)",
        "WARNING  moved  (redirected)",
        "WARNING  down  (broken, failing (1/2))",
        "INFO  quiet-title  (available)",
    ]
    assert '    curate acknowledge walled login-wall --reason "..."' in text
    assert '    curate acknowledge walled format-mismatch --reason "..."' in text
    assert "    curate accept moved\n" in text
    assert '    curate acknowledge moved permanent-redirect --reason "..."' in text
    assert "    url: https://example.org/moved -> https://example.org/moved-here" in text
    assert '    curate acknowledge down broken --reason "..."' in text
    assert "    curate accept quiet-title\n" in text
    assert "curate accept walled" not in text and "curate accept down" not in text
    assert "Nothing to accept: the resource is gated" in text
    assert "clean" not in text


def test_render_review_when_nothing_is_open() -> None:
    acks = Acknowledgements((ack("g", "login-wall", "HTTP 401"),))
    run = run_of(gated(make_resource("g")), result_of(make_resource("fine")))
    assert needs_decision(run, acks, TODAY) == []
    assert render_review([]).startswith("Nothing needs a decision")


def test_render_review_neutralises_control_characters() -> None:
    hostile = make_resource("hostile", title="Guide\x1b[2J\x1b]0;pwned\x07")
    text = render_review(needs_decision(run_of(gated(hostile)), Acknowledgements(), TODAY))
    assert "\x1b" not in text and "\x07" not in text
    assert "Guide [2J ]0;pwned" in text

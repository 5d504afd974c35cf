"""Tests of report.html: escaping, no external assets, "changed since the last run",
the history context and the sparkline (the browser test drives the page itself)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from pipeline import history as history_store
from pipeline.cli import history_context
from pipeline.history import History
from pipeline.models import (
    Availability,
    CheckOptions,
    Confirmation,
    Finding,
    FindingCode,
    Hop,
    Mode,
    Network,
    ResourceResult,
    Run,
    Severity,
)
from pipeline.report import (
    EMPTY_CONTEXT,
    NightDot,
    PreviousState,
    ReportContext,
    render_html,
    write_reports,
)
from pipeline.report import html as report_html
from pipeline.report.context import (
    dot_of_night,
    dot_of_result,
    newest_conclusive,
    state_of_night,
)
from pipeline.report.html import script_json, stream_html
from pipeline.report.html_view import change_of, safe_href
from pipeline.report.text import what_happened_text
from tests.test_report import full_run, observed, result, run_of

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)><b>bold</b>\"'&</script><!--"
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

# --------------------------------------------------------------------------
# Reading the page back
# --------------------------------------------------------------------------


class Page(HTMLParser):
    """Every start tag with its attributes, the scripts' text and the visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "style":
            self.styles[-1] += data
        else:
            self.text.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def data(self) -> dict[str, Any]:
        (block,) = (a for a in self.named("script") if a.get("type") == "application/json")
        index = self.named("script").index(block)
        parsed: dict[str, Any] = json.loads(self.scripts[index])
        return parsed


def section(html: str, start: str, end: str) -> str:
    """The HTML between two markers (e.g. the changes section)."""
    return html.split(start, 1)[1].split(end, 1)[0]


def group_ids(html: str, kind: str) -> list[str]:
    """Resource ids listed in one group of "changed since the last run"."""
    changes = section(html, 'id="changes"', 'id="all"')
    if f"group-{kind}" not in changes:
        return []
    group = section(changes, f'class="group group-{kind}"', "</section>")
    return re.findall(r'class="open-detail" href="#detail-\d+" data-index="\d+">([^<]*)</a>', group)


# --------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------


def hostile_result(where: str) -> ResourceResult:
    """A result with HOSTILE text in one place."""
    seen = observed("x", redirects=(Hop("https://example.org/x", 301, "https://example.org/y"),))
    finding = Finding(FindingCode.TITLE_CHANGED, "Title is now something", evidence="plain")
    base = result("x", Availability.AVAILABLE, finding, seen=seen)
    resource, seen = base.resource, base.observed
    assert seen is not None
    changes: dict[str, Any] = {
        "title": {"resource": dataclasses.replace(resource, title=HOSTILE)},
        "id": {"resource": dataclasses.replace(resource, id=HOSTILE)},
        "publisher": {"resource": dataclasses.replace(resource, publisher=HOSTILE)},
        "hub": {"resource": dataclasses.replace(resource, hub=HOSTILE)},
        "url": {"resource": dataclasses.replace(resource, url="https://e.org/" + HOSTILE)},
        "observed title": {"observed": dataclasses.replace(seen, title=HOSTILE)},
        "final url": {"observed": dataclasses.replace(seen, final_url=HOSTILE)},
        "hop": {"observed": dataclasses.replace(seen, redirects=(Hop(HOSTILE, 301, HOSTILE),))},
        "error": {"observed": dataclasses.replace(seen, error=HOSTILE)},
        "etag": {"observed": dataclasses.replace(seen, etag=HOSTILE)},
        "message": {"findings": (dataclasses.replace(finding, message=HOSTILE),)},
        "evidence": {"findings": (dataclasses.replace(finding, evidence=HOSTILE),)},
        "source": {"resource": dataclasses.replace(
            resource, source=dataclasses.replace(resource.source, file=HOSTILE))},
        "first failed": {"confirmation": Confirmation(1, 2, False, HOSTILE),
                         "availability": Availability.BROKEN},
    }
    return dataclasses.replace(base, **changes[where])


PLACES = ["title", "id", "publisher", "hub", "url", "observed title", "final url", "hop",
          "error", "etag", "message", "evidence", "source", "first failed"]


@pytest.mark.parametrize("where", PLACES)
def test_hostile_text_is_escaped_everywhere(where: str) -> None:
    run = run_of(hostile_result(where), id=HOSTILE if where == "id" else "night-1")
    previous = {"x": PreviousState(Availability.BROKEN, Severity.ERROR, run_id=HOSTILE)}
    dots = {"x": (NightDot("2026-11-24", Availability.BROKEN, Severity.ERROR, run_id=HOSTILE),)}
    html = render_html(run, ReportContext(previous, dots, compared_with=HOSTILE))
    page = Page(html)
    assert "<script>alert" not in html and "<img" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, "shown as text"
    assert html.count("</script>") == 3, "the JSON block and the code (two), nothing else"
    assert [t for t, _ in page.tags if t in ("img", "b", "iframe", "object", "embed")] == []
    assert not [a for _, attrs in page.tags for a in attrs if a.startswith("on")]
    assert HOSTILE.replace('"', "") in " ".join(page.text).replace('"', "") or where in (
        "url", "final url", "hop"), "the text reads as it was"


def test_hostile_text_survives_the_json_block_unchanged() -> None:
    run = run_of(hostile_result("title"), hostile_result("id"))
    page = Page(render_html(run))
    rows = page.data()["rows"]
    assert {r["id"] for r in rows} == {"x", HOSTILE}
    assert any(HOSTILE.lower()[:40] in r["search"] for r in rows)


def test_script_json_escapes_markup_characters() -> None:
    text = str(script_json({"a": "</script><!-- & \u2028"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.org/a b", True),
        ("http://example.org/", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox", False),
        ("//evil.example/x", False),
        ("https://example.org/" + "a" * 3000, False),
    ],
)
def test_only_http_urls_become_links(url: str, linked: bool) -> None:
    assert bool(safe_href(url)) is linked
    run = run_of(result("x", Availability.AVAILABLE, seen=observed("x", final_url=url), url=url))
    hrefs = [a.get("href") or "" for a in Page(render_html(run)).named("a")]
    assert not [h for h in hrefs if not h.startswith(("#", "http://", "https://", "HTTP"))]
    assert any(h.lower().startswith("http") for h in hrefs) is linked


def test_control_and_bidi_characters_are_removed_and_text_is_bounded() -> None:
    message = "safe\u202etxt.exe\x1b[31m " + "x" * 10_000
    run = run_of(result("x", Availability.AVAILABLE,
                        Finding(FindingCode.CONTENT_CHANGED, message), seen=observed("x")))
    html = render_html(run)
    assert "\u202e" not in html and "\x1b" not in html
    assert "x" * 2_001 not in html and "x" * 1_000 in html


# --------------------------------------------------------------------------
# A standalone page
# --------------------------------------------------------------------------


def test_no_external_assets_and_a_strict_csp() -> None:
    html = render_html(full_run())
    page = Page(html)
    assert [a for a in page.named("script") if "src" in a] == []
    assert page.named("link") == [] and page.named("img") == [] and page.named("iframe") == []
    (csp,) = [m for m in page.named("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp["content"] == CSP
    assert "url(" not in " ".join(page.styles) and "@import" not in " ".join(page.styles)
    code = [text for attrs, text in zip(page.named("script"), page.scripts, strict=True)
            if attrs.get("type") != "application/json"]
    assert len(code) == 2 and "http" not in " ".join(code), "the code fetches nothing"
    assert html.startswith("<!doctype html>\n") and html.endswith("</html>\n")


def test_filters_have_labels_and_headers_sort_buttons() -> None:
    page = Page(render_html(full_run()))
    labelled = {a.get("for") for a in page.named("label")}
    controls = [a["id"] for a in page.named("select") + page.named("input") if a.get("id")]
    assert controls and set(controls) <= labelled
    headers = [a for a in page.named("th") if "data-sort" in a]
    assert [h["data-sort"] for h in headers] == [
        "severity", "resource", "publisher", "hub", "availability", "what", "status", "url"]
    assert headers[0]["aria-sort"] == "descending"
    (dialog,) = page.named("dialog")
    assert dialog["aria-labelledby"] == "dialog-heading"


def test_table_rows_are_worst_first_then_catalogue_order() -> None:
    html = render_html(full_run())
    body = section(html, "<tbody>", "</tbody>")
    ids = re.findall(r'class="open-detail" href="#detail-\d+" data-index="\d+">([^<]*)<', body)
    assert ids[:3] == ["members", "gone-twice", "bad-cert"]
    assert ids[-2:] == ["ok-1", "ok-2"]


def test_every_availability_renders_with_its_label() -> None:
    html = render_html(full_run())
    data = Page(html).data()["rows"]
    assert {r["availability"] for r in data} == {a.value for a in Availability}
    for label in ("broken — failing (1/2)", "broken — confirmed since 2026-11-24T0930Z",
                  "server-error — failing (1/2)", "tls-error", "skipped", "gated", "blocked"):
        assert f">{label}</td>" in html, label
    assert "not found (HTTP 404)</td>" in html
    assert "not found (HTTP 410) <span class=\"more\">(+1 more finding)</span>" in html
    assert "not checked: robots.txt disallows" in html
    assert html.count('class="detail"') == 13


def test_detail_view_shows_expected_observed_redirects_findings_and_source() -> None:
    html = render_html(full_run())
    moved = section(html, 'id="detail-3"', "</article>")
    assert "Expected and observed" in moved
    assert "https://example.org/new" in moved and "differs" in moved
    assert "<li><span class=\"num\">301</span> https://example.org/moved" in moved
    assert "permanent-redirect" in moved
    assert "catalogue/car-t.yaml:1" in moved
    renamed = section(html, 'id="detail-4"', "</article>")
    assert "Evidence:" in renamed
    skipped = section(html, 'id="detail-12"', "</article>")
    assert "not fetched" in skipped and "No findings." in skipped


def test_ci_mode_and_inconclusive_runs() -> None:
    ci = render_html(full_run(mode=Mode.CI))
    assert "failing (1/2)" not in ci and "pull-request check" in ci
    assert "Inconclusive run" in render_html(full_run(network=Network.INCONCLUSIVE))
    assert "Inconclusive run" not in render_html(full_run())


def test_an_empty_run_renders() -> None:
    html = render_html(run_of())
    assert "no resources were checked" in html
    assert Page(html).data() == {"rows": []}


def test_what_happened_follows_the_markdown_wording() -> None:
    rows = {r.resource.id: what_happened_text(r) for r in full_run().results}
    assert rows["gone-once"] == "not found (HTTP 404)"
    assert rows["gone-twice"] == "not found (HTTP 410)", "an info finding does not explain a 404"
    assert rows["members"] == "Redirected to a sign-in page"
    assert rows["plain-http"] == "Listed with http://; https works"
    assert rows["ok-1"] == "available"


# --------------------------------------------------------------------------
# Changed since the last run
# --------------------------------------------------------------------------

TITLE = Finding(FindingCode.TITLE_CHANGED, "The title is now X")
OK_BEFORE = PreviousState(Availability.AVAILABLE, Severity.NONE, run_id="night-1")


def changes_run() -> tuple[Run, ReportContext]:
    """A run and a hand-made context with one resource of every kind of change."""
    broken = Confirmation(1, 2, False, "night-2")
    run = run_of(
        result("went-down", Availability.BROKEN, seen=observed("went-down", 404),
               confirmation=broken),
        result("came-back", Availability.AVAILABLE, seen=observed("came-back")),
        result("renamed", Availability.AVAILABLE, TITLE, seen=observed("renamed")),
        result("still-renamed", Availability.AVAILABLE, TITLE, seen=observed("still-renamed")),
        result("brand-new", Availability.AVAILABLE, seen=observed("brand-new")),
        result("new-and-gated", Availability.GATED, seen=observed("new-and-gated")),
        result("now-walled", Availability.BLOCKED, seen=observed("now-walled", 403)),
        result("steady", Availability.AVAILABLE, seen=observed("steady")),
        result("still-down", Availability.BROKEN, seen=observed("still-down", 404),
               confirmation=Confirmation(3, 2, True, "night-0")),
        result("now-skipped", Availability.SKIPPED, check=CheckOptions(skip=True)),
        id="night-2",
    )
    failing = PreviousState(Availability.BROKEN, Severity.ERROR, run_id="night-1")
    previous = {
        "went-down": OK_BEFORE,
        "came-back": failing,
        "renamed": OK_BEFORE,
        "still-renamed": dataclasses.replace(OK_BEFORE, codes=("title-changed",)),
        "now-walled": OK_BEFORE,
        "steady": OK_BEFORE,
        "still-down": failing,
        "now-skipped": failing,
    }
    return run, ReportContext(previous=previous, compared_with="night-1")


def test_changes_lists_new_failures_recoveries_drift_and_new_resources() -> None:
    run, context = changes_run()
    html = render_html(run, context)
    assert group_ids(html, "failure") == ["new-and-gated", "went-down", "now-walled"]
    assert group_ids(html, "recovery") == ["came-back"]
    assert group_ids(html, "drift") == ["renamed"]
    assert group_ids(html, "new") == ["brand-new"]
    changes = section(html, 'id="changes"', 'id="all"')
    assert "was available, now broken — failing (1/2)" in changes
    assert "was broken, now available" in changes
    assert "renamed</a>: The title is now X" in changes
    assert "Compared with the previous run (night-1)" in changes
    for unchanged in ("steady", "still-down", "still-renamed", "now-skipped"):
        assert f">{unchanged}<" not in changes


def test_changes_come_before_the_table() -> None:
    run, context = changes_run()
    html = render_html(run, context)
    assert html.index('id="summary-title"') < html.index('id="changes"') < html.index('id="all"')


def test_first_run_has_nothing_to_compare_with() -> None:
    run, _ = changes_run()
    html = render_html(run, EMPTY_CONTEXT)
    assert "No earlier run to compare with" in html
    assert "group-" not in section(html, 'id="changes"', 'id="all"')


def test_nothing_changed_says_so() -> None:
    run = run_of(result("steady", Availability.AVAILABLE, seen=observed("steady")))
    html = render_html(run, ReportContext(previous={"steady": OK_BEFORE}))
    assert "Nothing changed." in html


@pytest.mark.parametrize(
    ("availability", "severity", "before", "kind"),
    [
        (Availability.TIMEOUT, Severity.WARNING, Availability.AVAILABLE, "failure"),
        (Availability.TLS_ERROR, Severity.ERROR, Availability.REDIRECTED, "failure"),
        (Availability.AVAILABLE, Severity.ERROR, Availability.AVAILABLE, "failure"),
        (Availability.REDIRECTED, Severity.WARNING, Availability.GATED, "recovery"),
        (Availability.AVAILABLE, Severity.NONE, Availability.SERVER_ERROR, "recovery"),
        (Availability.GATED, Severity.ERROR, Availability.BROKEN, None),
        (Availability.SKIPPED, Severity.INFO, Availability.BROKEN, None),
        (Availability.BROKEN, Severity.WARNING, Availability.SKIPPED, "failure"),
    ],
)
def test_change_kinds(
    availability: Availability, severity: Severity, before: Availability, kind: str | None
) -> None:
    now = dataclasses.replace(result("r", availability, seen=observed("r")), severity=severity)
    previous = PreviousState(before, before.severity(confirmed=True))
    change = change_of(now, previous, has_baseline=True, mode=Mode.NIGHTLY)
    assert (change.kind if change else None) == kind


def test_a_newly_permanent_redirect_is_drift() -> None:
    moved = Finding(FindingCode.PERMANENT_REDIRECT, "301 to https://example.org/new")
    now = result("r", Availability.REDIRECTED, moved, seen=observed("r"))
    change = change_of(now, OK_BEFORE, has_baseline=True, mode=Mode.NIGHTLY)
    assert change is not None and change.kind == "drift"
    redirected = PreviousState(Availability.REDIRECTED, Severity.WARNING,
                               codes=("permanent-redirect",))
    assert change_of(now, redirected, has_baseline=True, mode=Mode.NIGHTLY) is None


# --------------------------------------------------------------------------
# The history context and the sparkline
# --------------------------------------------------------------------------

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)


def night(day: int, states: dict[str, Availability], mode: Mode = Mode.NIGHTLY,
          network: Network = Network.OK) -> Run:
    """A run on 2026-11-<day> with the given availability per resource id."""
    results = [
        result(rid, a, seen=observed(rid, 200 if a.is_reachable else 404),
               confirmation=Confirmation(1, 2, False) if a.is_failure else Confirmation())
        for rid, a in states.items()
    ]
    return run_of(*results, id=f"n{day}", started=T0 + dt.timedelta(days=day),
                  finished=T0 + dt.timedelta(days=day, minutes=5), mode=mode, network=network)


OK, BROKEN = Availability.AVAILABLE, Availability.BROKEN


@pytest.fixture
def history() -> History:
    store = History.in_memory()
    store.record(night(1, {"a": OK, "b": BROKEN}))
    store.record(night(2, {"a": BROKEN, "b": BROKEN}))
    store.record(night(3, {"a": OK, "b": OK}))
    return store


def test_context_of_the_newest_recorded_run(history: History) -> None:
    context = history_context(history, night(3, {"a": OK, "b": OK}))
    assert context.previous["a"].availability is BROKEN
    assert context.previous["a"].run_id == "n2"
    assert context.compared_with == "n2"
    assert [d.availability for d in context.nights["a"]] == [OK, BROKEN, OK]
    assert [d.date for d in context.nights["a"]] == ["2026-11-02", "2026-11-03", "2026-11-04"]


def test_context_of_a_run_not_recorded_yet(history: History) -> None:
    """The CLI renders before it records: "previous" is then the newest night."""
    tonight = night(4, {"a": BROKEN, "c": OK})
    context = history_context(history, tonight)
    assert context.previous["a"].availability is OK and context.previous["a"].run_id == "n3"
    assert "c" not in context.previous, "new in the catalogue"
    assert [d.run_id for d in context.nights["a"]] == ["n1", "n2", "n3", "n4"]
    assert [d.run_id for d in context.nights["c"]] == ["n4"]
    html = render_html(tonight, context)
    assert group_ids(html, "failure") == ["a"] and group_ids(html, "new") == ["c"]


def test_context_of_an_old_run_is_relative_to_that_run(history: History) -> None:
    old = night(2, {"a": BROKEN, "b": BROKEN})
    context = history_context(history, old)
    assert context.previous["a"].availability is OK and context.previous["a"].run_id == "n1"
    assert [d.run_id for d in context.nights["a"]] == ["n1", "n2"], "nothing after that run"
    html = render_html(old, context)
    assert group_ids(html, "failure") == ["a"]
    first = history_context(history, night(1, {"a": OK, "b": BROKEN}))
    assert first.previous == {} and not first.has_baseline


def test_context_skips_ci_runs_and_network_down_nights(history: History) -> None:
    history.record(night(4, {"a": BROKEN}, mode=Mode.CI))
    history.record(night(5, {"a": BROKEN}, network=Network.INCONCLUSIVE))
    tonight = night(6, {"a": OK})
    context = history_context(history, tonight)
    assert context.previous["a"].run_id == "n3", "not the ci run, not the network-down night"
    dots = context.nights["a"]
    assert [d.run_id for d in dots] == ["n1", "n2", "n3", "n5", "n6"]
    assert dots[3].network_down and not dots[4].network_down
    ci = history_context(history, night(6, {"a": OK}, mode=Mode.CI))
    assert ci.previous["a"].run_id == "n4", "a ci run compares with any run"


def test_sparkline_is_bounded_by_limit(history: History) -> None:
    for day in range(4, 30):
        history.record(night(day, {"a": OK}))
    context = history_context(history, night(30, {"a": BROKEN}), limit=14)
    dots = context.nights["a"]
    assert len(dots) == 14 and dots[-1].run_id == "n30" and dots[0].run_id == "n17"


def context_one_by_one(history: History, run: Run, limit: int) -> ReportContext:
    """The context as it was read before batching: one `nights` query per resource
    (the oracle of the batched `history_context`)."""
    previous: dict[str, PreviousState] = {}
    nights: dict[str, tuple[NightDot, ...]] = {}
    for res in run.results:
        rid = res.resource.id
        recorded = history.nights(rid, 10_000)
        own = [i for i, n in enumerate(recorded) if n.run_id == run.info.id]
        before = (recorded[own[0] + 1 :] if own
                  else [n for n in recorded if n.started < run.info.started])
        earlier = [n for n in before if run.info.mode is Mode.CI or n.mode == run.info.mode]
        if (conclusive := newest_conclusive(earlier)) is not None:
            previous[rid] = state_of_night(conclusive)
        shown = [dot_of_night(n) for n in reversed(earlier[: max(limit - 1, 0)])]
        nights[rid] = (*shown, dot_of_result(res, run))[-limit:] if limit > 0 else ()
    newest = max(previous.values(), key=lambda p: p.started or T0, default=None)
    return ReportContext(previous, nights, newest.run_id if newest else None)


def mixed_history() -> tuple[History, list[Run]]:
    """Nine runs of up to five resources: nightly and ci, network down, some
    resources missing some nights, one never recorded, r9 starting when r7 did."""
    ids = ["a", "b", "c", "d", "e"]
    states = [OK, BROKEN, Availability.TIMEOUT, OK, Availability.REDIRECTED]
    runs, store = [], History.in_memory()
    for day in range(1, 10):
        mode = Mode.CI if day % 4 == 0 else Mode.NIGHTLY
        network = Network.INCONCLUSIVE if day in (5, 6, 7) else Network.OK
        there = {rid: states[(i + day) % 5] for i, rid in enumerate(ids) if (i + day) % 3}
        runs.append(night(7 if day == 9 else day, there, mode=mode, network=network))
        runs[-1] = dataclasses.replace(runs[-1], info=dataclasses.replace(
            runs[-1].info, id=f"r{day}"))
        if day != 3:  # r3 never recorded
            store.record(runs[-1])
    return store, runs


@pytest.mark.parametrize("limit", [0, 1, 2, 3, 14])
def test_context_equals_reading_each_resource_on_its_own(limit: int) -> None:
    store, runs = mixed_history()
    everyone = night(12, dict.fromkeys(["a", "b", "c", "d", "e", "new"], OK))
    ci = night(12, dict.fromkeys(["a", "b", "new"], BROKEN), mode=Mode.CI)
    assert runs
    for rendered in [*runs, everyone, ci]:
        assert history_context(store, rendered, limit) == context_one_by_one(
            store, rendered, limit), rendered.info.id


def test_context_reads_the_history_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    store, _ = mixed_history()
    tonight = night(12, {f"r{i}": OK for i in range(7)} | dict.fromkeys("abcde", BROKEN))
    whole = history_context(store, tonight)
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    monkeypatch.setattr(history_store, "BATCH", 4)
    assert history_context(store, tonight) == whole
    assert sum("SELECT" in sql for sql in statements) <= 2 * 3, "per batch, not per resource"


def test_previous_state_older_than_the_sparkline() -> None:
    store = History.in_memory()
    store.record(night(1, {"a": OK}))
    for day in (2, 3, 4):
        store.record(night(day, {"a": BROKEN}, network=Network.INCONCLUSIVE))
    context = history_context(store, night(5, {"a": BROKEN}), limit=2)
    assert context.previous["a"].run_id == "n1", "the newest night the network was ok"
    assert [d.run_id for d in context.nights["a"]] == ["n4", "n5"]


def test_sparkline_has_text_not_only_colour() -> None:
    run = run_of(result("a", Availability.AVAILABLE, seen=observed("a")), id="n3")
    dots = (
        NightDot("2026-11-01", Availability.BROKEN, Severity.ERROR, "n1"),
        NightDot("2026-11-02", Availability.BROKEN, Severity.WARNING, "n2", network_down=True),
        NightDot("2026-11-03", Availability.AVAILABLE, Severity.NONE, "n3"),
    )
    html = render_html(run, ReportContext(nights={"a": dots}))
    nights = section(html, 'class="nights"', "</ol>")
    assert 'aria-label="Recent runs, oldest first"' in html
    assert nights.count("<li") == 3
    assert "2026-11-01: broken, error" in nights
    assert "2026-11-02: broken, warning, network down" in nights
    assert "dot-bad" in nights and "dot-down" in nights and "dot-ok" in nights
    assert "✕" in nights and "✓" in nights


def test_without_history_the_sparkline_shows_this_run() -> None:
    html = render_html(run_of(result("a", Availability.BROKEN, seen=observed("a", 404))))
    assert "2026-11-25: broken, warning" in section(html, 'class="nights"', "</ol>")


# --------------------------------------------------------------------------
# Streamed
# --------------------------------------------------------------------------


def test_the_page_is_streamed_in_bounded_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    run, context = changes_run()
    whole = render_html(run, context)
    monkeypatch.setattr(report_html, "BLOCK", 500)
    pieces = list(stream_html(run, context))
    assert "".join(pieces) == whole and whole.endswith("</html>\n")
    assert len(pieces) > len(whole) // 2_000, "many pieces, none of them the page"
    css = len(Path(report_html.__file__).with_name("templates").joinpath("report.css").read_text())
    assert max(map(len, pieces)) < 500 + css, "a block, or the style sheet (jinja2's one piece)"


@pytest.mark.parametrize(("blocks", "text"), [
    ([], "\n"), ([""], "\n"), (["a\n\n"], "a\n"), (["a", "\n", "\n\n"], "a\n"),
    (["a\n", "\n", "b\n"], "a\n\nb\n"), (["\n", "a"], "\na\n"), (["a\nb"], "a\nb\n"),
])
def test_the_page_ends_in_one_newline(blocks: list[str], text: str) -> None:
    pieces = list(report_html._one_final_newline(blocks))
    assert "".join(pieces) == text == "".join(blocks).rstrip("\n") + "\n"


def test_the_script_data_is_the_json_of_every_row_written_whole() -> None:
    run, context = changes_run()
    page = report_html.build_page(run, context)
    whole = script_json({"rows": [report_html._row_data(row) for row in page.catalogue]})
    assert "".join(page.data_json()) == whole
    assert [row["index"] for row in Page(render_html(run, context)).data()["rows"]] == list(
        range(len(run.results)))
    assert "".join(report_html.build_page(run_of(), EMPTY_CONTEXT).data_json()) == '{"rows":[]}'


# --------------------------------------------------------------------------
# Written beside report.json
# --------------------------------------------------------------------------


def test_write_reports_writes_the_html_with_or_without_context(tmp_path: Path) -> None:
    run, context = changes_run()
    plain = write_reports(run, tmp_path / "plain")
    assert (plain / "report.html").read_text(encoding="utf-8") == render_html(run)
    with_context = write_reports(run, tmp_path / "context", context=context)
    html = (with_context / "report.html").read_text(encoding="utf-8")
    assert html == render_html(run, context) and "group-failure" in html

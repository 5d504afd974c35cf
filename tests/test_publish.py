"""curate publish: planning from a reviewed run, the hub page, the feed and the atomic writer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from pipeline import atomic, publish
from pipeline.models import (
    Availability,
    Catalogue,
    CheckOptions,
    Confirmation,
    Finding,
    FindingCode,
    Format,
    Hub,
    Mode,
    Network,
    Observation,
    Resource,
    ResourceResult,
    Run,
    RunInfo,
    Severity,
    SourceLocation,
)
from pipeline.publish import (
    Publication,
    PublishError,
    plan_publication,
    render_feed,
    render_hub_page,
    render_index,
    sections_of,
    write_site,
)

STARTED = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
FINISHED = STARTED + dt.timedelta(minutes=3)
DIGEST = "ab" * 32
ALL_PHASES = ("screening", "collection", "bridging", "infusion", "follow-up")
HOSTILE = 'Guide <script>alert("x")</script> & <img src=x onerror=alert(1)>'

# --------------------------------------------------------------------------
# Factory
# --------------------------------------------------------------------------


def resource(rid: str, hub: str = "car-t-phases", **changes: Any) -> Resource:
    base = Resource(
        id=rid,
        title=f"Title of {rid}",
        url=f"https://example.org/{rid}",
        hub=hub,
        source=SourceLocation(f"catalogue/{hub}.yaml", 1),
        publisher="Example Trust",
        kind="guide",
        format=Format.PDF,
        pages=92,
        language="en",
        phases=("screening",),
    )
    return dataclasses.replace(base, **changes)


def hub_of(slug: str, *resources: Resource, title: str = "", description: str = "") -> Hub:
    return Hub(slug, title or f"Hub {slug}", description or f"About {slug}.",
               f"catalogue/{slug}.yaml", resources)


def result(
    res: Resource,
    availability: Availability = Availability.AVAILABLE,
    *findings: Finding,
    confirmed: bool = False,
    severity: Severity | None = None,
) -> ResourceResult:
    """A result whose severity is derived as check.py does, unless given (acknowledged)."""
    failures = (2 if confirmed else 1) if availability.is_failure else 0
    confirmation = Confirmation(failures, 2, confirmed, "2026-11-24" if failures else None)
    derived = Severity.highest(
        [availability.severity(confirmed)] + [f.effective_severity for f in findings]
    )
    seen: Observation | None = None
    if availability is not Availability.SKIPPED:
        seen = Observation(final_url=res.url, status=404 if availability.is_failure else 200)
    return ResourceResult(res, availability, severity or derived, findings, seen, confirmation)


def run_of(catalogue: Catalogue, *results: ResourceResult, **info: Any) -> Run:
    base = RunInfo("20261125T093000Z", STARTED, FINISHED, "0.1.0", Mode.NIGHTLY, Network.OK,
                   catalogue.digest)
    return Run(dataclasses.replace(base, **info), results)


def catalogue_of(*hubs: Hub) -> Catalogue:
    return Catalogue(hubs, DIGEST)


def sample() -> tuple[Catalogue, list[ResourceResult]]:
    """Two hubs: every phase, a multi-phase item, a no-phase item, hostile and non-English text."""
    phases = hub_of(
        "car-t-phases",
        resource("guide-all", title="The CAR T-Cell Therapy Clinical Journey Guide",
                 phases=ALL_PHASES),
        resource("screen-only", kind="fact-sheet", pages=1),
        resource("infusion-fr", title="Perfusion des CAR-T : ce qu’il faut savoir",
                 language="fr", format=Format.HTML, pages=None, kind="web-page",
                 phases=("infusion",)),
        resource("hostile", title=HOSTILE, publisher="<b>Evil</b> & Co", phases=("follow-up",)),
        resource("glossary", kind="glossary", format=Format.HTML, pages=None, phases=(),
                 language=""),
        resource("skipped-one", phases=("collection",), check=CheckOptions(skip=True)),
        title="CAR T-cell therapy phases",
        description="CAR T-cell therapy consists of multiple phases.",
    )
    more = hub_of("car-t-more", resource("more-1", hub="car-t-more", phases=("bridging",)))
    catalogue = catalogue_of(phases, more)
    results = [result(r) for r in catalogue.resources if not r.check.skip]
    results.insert(5, result(phases.resources[5], Availability.SKIPPED))
    return catalogue, results


def ready_publication() -> Publication:
    catalogue, results = sample()
    publication = plan_publication(catalogue, run_of(catalogue, *results))
    assert publication.ready, publication.blockers
    return publication


def soup_of(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def hub_soup() -> BeautifulSoup:
    publication = ready_publication()
    return soup_of(render_hub_page(publication, publication.included[0]))


def section_titles(soup: BeautifulSoup) -> dict[str, list[str]]:
    """Section heading -> item titles, in page order."""
    sections = {}
    for section in soup.find_all("section"):
        heading = section.find("h2")
        assert isinstance(heading, Tag)
        sections[heading.get_text()] = [a.get_text() for a in section.select(".item-title")]
    return sections


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder (relative name -> bytes), hidden ones included."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def old_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old index", encoding="utf-8")
    (site / "old-hub.html").write_text("old hub", encoding="utf-8")
    return site


# --------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------


def test_a_clean_run_is_ready() -> None:
    publication = ready_publication()
    assert publication.blockers == ()
    assert publication.left_out == ()
    assert publication.generated == FINISHED
    assert [h.slug for h in publication.included] == ["car-t-phases", "car-t-more"]


def test_sections_follow_the_treatment_phases_with_general_last() -> None:
    sections = sections_of(ready_publication().included[0].items)
    assert [s.heading for s in sections] == [
        "Screening", "Cell collection", "Bridging therapy", "Infusion", "Follow-up", "General",
    ]
    assert [s.phase for s in sections][-1] == ""


def test_unknown_phases_come_after_the_known_ones() -> None:
    publication = ready_publication()
    items = [dataclasses.replace(publication.included[0].items[0], phases=("aftercare",)),
             publication.included[0].items[1]]
    assert [s.heading for s in sections_of(items)] == ["Screening", "Aftercare"]


def test_skipped_resources_are_published_without_a_check_date() -> None:
    items = {i.id: i for i in ready_publication().included[0].items}
    assert items["skipped-one"].availability is Availability.SKIPPED
    assert items["skipped-one"].last_checked is None
    assert items["guide-all"].last_checked == FINISHED


def test_items_keep_the_catalogue_url_title_and_pages() -> None:
    catalogue, results = sample()
    seen = Observation(final_url="https://moved.example/new", status=200, title="Other",
                       pages=90)
    results[0] = dataclasses.replace(results[0], availability=Availability.REDIRECTED,
                                     severity=Severity.WARNING, observed=seen)
    item = plan_publication(catalogue, run_of(catalogue, *results)).included[0].items[0]
    assert (item.url, item.title, item.pages) == (
        "https://example.org/guide-all", "The CAR T-Cell Therapy Clinical Journey Guide", 92)
    assert item.availability is Availability.REDIRECTED


@pytest.mark.parametrize(
    ("availability", "confirmed", "words"),
    [
        (Availability.BROKEN, True, "confirmed broken"),
        (Availability.GATED, False, "gated"),
        (Availability.TLS_ERROR, False, "tls-error"),
        (Availability.TIMEOUT, True, "confirmed timeout"),
    ],
)
def test_an_unacknowledged_error_blocks(
    availability: Availability, confirmed: bool, words: str
) -> None:
    catalogue, results = sample()
    results[1] = result(catalogue.resources[1], availability, confirmed=confirmed)
    publication = plan_publication(catalogue, run_of(catalogue, *results))
    assert not publication.ready
    (blocker,) = publication.blockers
    assert blocker.startswith("screen-only (“Title of screen-only”): " + words)
    assert "acknowledge" in blocker


def test_an_error_finding_blocks_and_is_named() -> None:
    catalogue, results = sample()
    mismatch = Finding(FindingCode.FORMAT_MISMATCH, "expected a PDF, got an HTML page")
    results[0] = result(catalogue.resources[0], Availability.AVAILABLE, mismatch)
    (blocker,) = plan_publication(catalogue, run_of(catalogue, *results)).blockers
    assert "format-mismatch: expected a PDF, got an HTML page" in blocker
    assert "guide-all" in blocker


def test_broken_and_gated_are_left_out_and_listed() -> None:
    catalogue, results = sample()
    results[1] = result(catalogue.resources[1], Availability.BROKEN)  # first night: a warning
    results[2] = result(catalogue.resources[2], Availability.GATED,
                        severity=Severity.WARNING)  # acknowledged by a curator
    publication = plan_publication(catalogue, run_of(catalogue, *results))
    assert publication.ready, publication.blockers
    assert [(e.id, e.availability) for e in publication.left_out] == [
        ("screen-only", Availability.BROKEN), ("infusion-fr", Availability.GATED)]
    assert publication.left_out[0].reason.startswith("broken (failing 1/2)")
    assert publication.left_out[1].hub == "car-t-phases"
    published = {i.id for h in publication.included for i in h.items}
    assert not published & {"screen-only", "infusion-fr"}


def test_other_failures_stay_published() -> None:
    catalogue, results = sample()
    results[1] = result(catalogue.resources[1], Availability.TIMEOUT)
    results[2] = result(catalogue.resources[2], Availability.BLOCKED)
    publication = plan_publication(catalogue, run_of(catalogue, *results))
    assert publication.ready and publication.left_out == ()


def test_a_changed_catalogue_refuses() -> None:
    catalogue, results = sample()
    run = run_of(catalogue, *results, catalogue_digest="cd" * 32)
    publication = plan_publication(catalogue, run)
    assert not publication.ready
    assert publication.blockers == (
        "The catalogue changed since run 20261125T093000Z was made from it. "
        "Run curate check again.",
    )


def test_an_only_run_refuses_and_names_what_it_missed() -> None:
    catalogue, results = sample()
    publication = plan_publication(catalogue, run_of(catalogue, *results[:2]))
    (blocker,) = publication.blockers
    assert "did not check 5 of the catalogue's resources" in blocker
    assert "infusion-fr, hostile, glossary, skipped-one, more-1" in blocker
    assert "--only" in blocker
    assert {e.reason for e in publication.left_out} == {"not checked in this run"}


def test_a_long_list_of_missing_ids_is_bounded() -> None:
    many = hub_of("many", *(resource(f"r{i}", hub="many") for i in range(25)))
    catalogue = catalogue_of(many)
    (blocker,) = plan_publication(catalogue, run_of(catalogue)).blockers
    assert "r9 and 15 more" in blocker


def test_an_inconclusive_run_refuses() -> None:
    catalogue, results = sample()
    publication = plan_publication(catalogue, run_of(catalogue, *results,
                                                     network=Network.INCONCLUSIVE))
    assert not publication.ready
    assert "inconclusive" in publication.blockers[0]


def test_a_hub_called_index_refuses() -> None:
    catalogue = catalogue_of(hub_of("index", resource("a", hub="index")))
    (blocker,) = plan_publication(catalogue, run_of(catalogue, result(
        catalogue.resources[0]))).blockers
    assert "index.html is the site's list of hubs" in blocker


# --------------------------------------------------------------------------
# The hub page
# --------------------------------------------------------------------------


def test_the_hub_page_groups_by_phase_in_order() -> None:
    soup = hub_soup()
    headings = [h2.get_text() for h2 in soup.find_all("h2")]
    assert headings == ["On this page", "Screening", "Cell collection", "Bridging therapy",
                        "Infusion", "Follow-up", "General"]
    sections = section_titles(soup)
    guide = "The CAR T-Cell Therapy Clinical Journey Guide"
    for phase in ("Screening", "Cell collection", "Bridging therapy", "Infusion", "Follow-up"):
        assert sections[phase][0] == guide  # a multi-phase item under each of its phases
    assert sections["Screening"] == [guide, "Title of screen-only"]
    assert sections["General"] == ["Title of glossary"]
    assert "Title of skipped-one" in sections["Cell collection"]
    assert sections["Bridging therapy"] == [guide]


def test_empty_sections_and_the_contents_of_a_one_section_page_are_left_out() -> None:
    publication = ready_publication()
    soup = soup_of(render_hub_page(publication, publication.included[1]))
    assert [h2.get_text() for h2 in soup.find_all("h2")] == ["Bridging therapy"]
    assert soup.find("nav") is None


def test_the_hub_page_has_title_description_check_date_and_disclaimer() -> None:
    soup = hub_soup()
    assert soup.title is not None and soup.title.get_text() == "CAR T-cell therapy phases"
    h1 = soup.find("h1")
    assert h1 is not None and h1.get_text() == "CAR T-cell therapy phases"
    text = " ".join(soup.get_text().split())
    assert "CAR T-cell therapy consists of multiple phases." in text
    assert "This list is checked every night; last checked 25 November 2026." in text
    time = soup.find("time")
    assert isinstance(time, Tag) and time["datetime"] == "2026-11-25T09:33:00Z"
    assert "the list of resources presented is not exhaustive" in text


def test_items_show_publisher_kind_format_pages_and_language() -> None:
    soup = hub_soup()
    assert soup.select_one(".meta .vh") is not None  # "; " between parts for screen readers
    for hidden in soup.select(".vh"):
        hidden.decompose()
    metas = [" ".join(p.get_text(" ").split()) for p in soup.select(".meta")]
    assert "From Example Trust · Fact sheet · PDF, 1 page · Language: en" in metas
    assert "From Example Trust · Web page · Language: fr" in metas  # not "Web page" twice
    assert "From Example Trust · Glossary · Web page" in metas
    assert any("PDF, 92 pages" in m for m in metas)


def test_titles_carry_their_language() -> None:
    soup = hub_soup()
    html = soup.find("html")
    assert isinstance(html, Tag) and html["lang"] == "en"
    french = soup.find("a", string="Perfusion des CAR-T : ce qu’il faut savoir")
    assert isinstance(french, Tag)
    assert (french["lang"], french["hreflang"]) == ("fr", "fr")
    assert french["href"] == "https://example.org/infusion-fr"
    glossary = soup.find("a", string="Title of glossary")
    assert isinstance(glossary, Tag) and not glossary.has_attr("lang")


def test_hostile_text_is_escaped() -> None:
    publication = ready_publication()
    html = render_hub_page(publication, publication.included[0])
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    soup = soup_of(html)
    assert soup.find("a", string=HOSTILE) is not None
    assert "From <b>Evil</b> & Co" in soup.get_text()


def test_a_non_http_url_is_not_a_link() -> None:
    catalogue = catalogue_of(hub_of("h", resource("x", hub="h", url="javascript:alert(1)")))
    publication = plan_publication(catalogue, run_of(catalogue, result(catalogue.resources[0])))
    html = render_hub_page(publication, publication.included[0])
    assert "javascript:" not in html
    assert "Title of x" in html


def test_pages_have_no_external_assets() -> None:
    publication = ready_publication()
    assert publication.included  # a hub page to render, or the loop checks only the index
    for html in (render_hub_page(publication, publication.included[0]),
                 render_index(publication)):
        soup = soup_of(html)
        assert not soup.find_all(["script", "link", "img", "iframe", "object", "embed"])
        assert not soup.find_all(src=True)
        style = "".join(s.get_text() for s in soup.find_all("style"))
        assert "url(" not in style and "@import" not in style
        assert "@media print" in style


def test_left_out_items_are_not_on_the_public_pages() -> None:
    catalogue, results = sample()
    results[1] = result(catalogue.resources[1], Availability.BROKEN)
    publication = plan_publication(catalogue, run_of(catalogue, *results))
    pages = render_hub_page(publication, publication.included[0]) + render_index(publication)
    assert "screen-only" not in pages


def test_an_empty_hub_says_so() -> None:
    catalogue = catalogue_of(hub_of("h", resource("x", hub="h")))
    publication = plan_publication(catalogue, run_of(
        catalogue, result(catalogue.resources[0], Availability.GATED, severity=Severity.INFO)))
    assert "No resources are listed at the moment." in render_hub_page(
        publication, publication.included[0])


def test_the_index_lists_every_hub() -> None:
    soup = soup_of(render_index(ready_publication()))
    links = [(a["href"], a.get_text()) for a in soup.select("a.item-title")]
    assert links == [("car-t-phases.html", "CAR T-cell therapy phases"),
                     ("car-t-more.html", "Hub car-t-more")]
    assert "6 resources" in soup.get_text() and "1 resource" in soup.get_text()


# --------------------------------------------------------------------------
# The feed
# --------------------------------------------------------------------------


def test_the_feed_shape() -> None:
    catalogue, results = sample()
    results[1] = result(catalogue.resources[1], Availability.BROKEN)
    text = render_feed(plan_publication(catalogue, run_of(catalogue, *results)))
    assert "ce qu’il faut savoir" in text  # ensure_ascii=False
    feed = json.loads(text)
    assert list(feed) == ["generated", "run_id", "hubs", "left_out"]
    assert (feed["generated"], feed["run_id"]) == ("2026-11-25T09:33:00Z", "20261125T093000Z")
    assert [(h["hub"], h["title"]) for h in feed["hubs"]] == [
        ("car-t-phases", "CAR T-cell therapy phases"), ("car-t-more", "Hub car-t-more")]
    first = feed["hubs"][0]["items"][0]
    assert list(first) == ["id", "title", "url", "publisher", "kind", "format", "pages",
                           "language", "phases", "last_checked", "availability"]
    assert first == {
        "id": "guide-all", "title": "The CAR T-Cell Therapy Clinical Journey Guide",
        "url": "https://example.org/guide-all", "publisher": "Example Trust", "kind": "guide",
        "format": "pdf", "pages": 92, "language": "en", "phases": list(ALL_PHASES),
        "last_checked": "2026-11-25T09:33:00Z", "availability": "available",
    }
    items = {i["id"]: i for i in feed["hubs"][0]["items"]}
    assert "screen-only" not in items
    assert items["skipped-one"]["last_checked"] is None
    assert items["glossary"]["pages"] is None and items["glossary"]["phases"] == []
    (gone,) = feed["left_out"]
    assert list(gone) == ["id", "hub", "title", "url", "availability", "reason"]
    assert (gone["id"], gone["availability"]) == ("screen-only", "broken")


def test_the_feed_is_stable() -> None:
    assert render_feed(ready_publication()) == render_feed(ready_publication())


# --------------------------------------------------------------------------
# Writing the site
# --------------------------------------------------------------------------


def test_a_ready_run_writes_the_site(tmp_path: Path) -> None:
    site = tmp_path / "out" / "site"
    written = write_site(ready_publication(), site)
    names = ["car-t-phases.html", "car-t-more.html", "index.html", "feed.json"]
    assert written == [site / n for n in names]
    assert sorted(tree(site)) == sorted(names)
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]  # no temp folders left
    assert json.loads((site / "feed.json").read_text(encoding="utf-8"))["run_id"]
    assert oct(site.stat().st_mode & 0o777) == "0o755"


def test_publishing_replaces_the_previous_site_whole(tmp_path: Path) -> None:
    site = old_site(tmp_path)
    write_site(ready_publication(), site)
    assert "old-hub.html" not in tree(site)
    assert (site / "index.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_run_that_is_not_ready_writes_nothing(tmp_path: Path) -> None:
    catalogue, results = sample()
    results[0] = result(catalogue.resources[0], Availability.BROKEN, confirmed=True)
    publication = plan_publication(catalogue, run_of(catalogue, *results))
    site = old_site(tmp_path)
    before = tree(tmp_path)
    with pytest.raises(PublishError) as raised:
        write_site(publication, site)
    assert raised.value.reasons == publication.blockers
    assert "guide-all" in str(raised.value) and str(raised.value).startswith("not ready")
    assert tree(tmp_path) == before
    with pytest.raises(PublishError):
        write_site(publication, tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()


def test_a_file_in_the_way_refuses(tmp_path: Path) -> None:
    (tmp_path / "site").write_text("not a folder", encoding="utf-8")
    with pytest.raises(PublishError, match="not a folder"):
        write_site(ready_publication(), tmp_path / "site")


def test_a_failing_write_keeps_the_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = old_site(tmp_path)
    before = tree(tmp_path)
    real = publish.write_atomic
    written: list[str] = []

    def fail_on_second(path: Path, text: str) -> None:
        written.append(path.name)
        if len(written) == 2:
            raise OSError("disk full")
        real(path, text)

    monkeypatch.setattr(publish, "write_atomic", fail_on_second)
    with pytest.raises(OSError, match="disk full"):
        write_site(ready_publication(), site)
    assert tree(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_failing_renderer_touches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = old_site(tmp_path)
    before = tree(tmp_path)

    def boom(publication: Publication) -> str:
        raise RuntimeError("template bug")

    monkeypatch.setattr(publish, "render_feed", boom)
    with pytest.raises(RuntimeError):
        write_site(ready_publication(), site)
    assert tree(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_failing_swap_restores_the_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = old_site(tmp_path)
    before = tree(tmp_path)
    real = os.rename

    def refuse_new_site(src: Any, dst: Any) -> None:
        if Path(src).name.startswith(".site.new-"):
            raise OSError("rename failed")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "rename", refuse_new_site)
    with pytest.raises(OSError, match="rename failed"):
        write_site(ready_publication(), site)
    assert tree(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]

"""`curate import` (pipeline/hubimport.py): a hand-made hub page becomes a catalogue.

Against the simulated hub's copy of the T2EVOLVE "CAR T-cell therapy phases"
page (pipeline/sim/hubpage.py: the seed page's text and links, inside a
cookie banner, navigation, breadcrumbs, a share bar and a footer), fetched
over loopback and read from a saved file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import responses
from click.testing import CliRunner

from pipeline.catalogue import load_catalogue
from pipeline.cli import cli
from pipeline.config import FetchConfig
from pipeline.hubimport import (
    guess_format,
    guess_kind,
    guess_publisher,
    read_hub_page,
    read_source,
)
from pipeline.sim import SimulatedHub
from pipeline.sim.hubpage import CHROME_LINKS, SHARE_LINKS, hub_page
from tests.mocked import fetcher, mocked_http  # noqa: F401  (the `mocked` fixture)

REPO = Path(__file__).resolve().parents[1]


def shipped_phases_hub() -> list[tuple[str, str, str, int | None]]:
    hub = next(h for h in load_catalogue([REPO / "catalogue"]).hubs if h.slug == "car-t-phases")
    return [(r.url, r.kind, r.format.value if r.format else "", r.pages) for r in hub.resources]


def imported(target: Path) -> list[tuple[str, str, str, int | None]]:
    return [(r.url, r.kind, r.format.value if r.format else "", r.pages)
            for r in load_catalogue([target]).resources]


@pytest.mark.integration
def test_importing_the_hub_page_gives_the_shipped_eight_resources_in_order(
    hub: SimulatedHub, tmp_path: Path
) -> None:
    target = tmp_path / "car-t-phases.yaml"
    result = CliRunner().invoke(cli, ["import", hub.url("/hub/car-t-phases"), "--hub",
                                      "car-t-phases", "-o", str(target),
                                      "--allow-private-networks"])
    assert result.exit_code == 0, result.output
    assert "8 resources" in result.output
    assert imported(target) == shipped_phases_hub()
    validated = CliRunner().invoke(cli, ["validate", str(target)])
    assert validated.exit_code == 0, validated.output


def test_a_saved_page_imports_the_same_and_every_guess_is_marked(tmp_path: Path) -> None:
    page = tmp_path / "hub.html"
    page.write_text(hub_page(), encoding="utf-8")
    target = tmp_path / "out.yaml"
    result = CliRunner().invoke(cli, ["import", str(page), "--hub", "car-t-phases",
                                      "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert imported(target) == shipped_phases_hub()
    resources = load_catalogue([target]).resources
    assert all("check these guesses" in r.notes for r in resources)
    assert [r.publisher for r in resources][3:5] == ["Bristol Myers Squibb",
                                                     "cartautoimmune.com"]
    assert resources[6].publisher == "Myeloma Patients Europe (MPE)"


def test_nothing_is_taken_from_the_navigation_banner_share_bar_or_footer() -> None:
    urls = [entry.url for entry in read_hub_page(hub_page(), "https://t2evolve.com/hub")]
    chrome = {href for _, href in CHROME_LINKS} | set(SHARE_LINKS)
    assert len(urls) == 8 and not chrome & set(urls)
    assert not [u for u in urls if "cookie" in u or "imi.europa" in u]


def _import(page: Path, target: Path) -> str:
    result = CliRunner().invoke(cli, ["import", str(page), "--hub", "car-t-phases",
                                      "-o", str(target)])
    assert result.exit_code == 0, result.output
    return result.output


def test_importing_the_same_page_again_changes_nothing(tmp_path: Path) -> None:
    page, target = tmp_path / "hub.html", tmp_path / "car-t-phases.yaml"
    page.write_text(hub_page(), encoding="utf-8")
    _import(page, target)
    before = target.read_bytes()
    assert "0 new link(s)" in _import(page, target)
    assert target.read_bytes() == before


def test_a_reimport_adds_new_links_lists_gone_ones_and_keeps_the_curators_edits(
    tmp_path: Path
) -> None:
    page, target = tmp_path / "hub.html", tmp_path / "car-t-phases.yaml"
    page.write_text(hub_page(), encoding="utf-8")
    _import(page, target)
    text = target.read_text(encoding="utf-8")
    first, rest = text.split("  - id: for-more-from-the-mayo-clinic\n", 1)
    mayo_overview, later = rest.split("  - id: ", 1)
    edited = (first.replace("title: Infographic from the Mayo Clinic CAR-T Cell Therapy Program",
                            "title: 'Mayo Clinic infographic'  # shortened by a curator")
              + "  - id: " + later
              + "  # added by hand, not on the hub page\n  - id: local-leaflet\n"
                "    title: Local leaflet\n    url: https://leaflets.example.org/car-t\n")
    target.write_text(edited, encoding="utf-8")
    output = _import(page, target)
    after = target.read_text(encoding="utf-8")
    assert after.startswith(edited)  # everything the curator had, byte for byte
    assert "1 new link(s)" in output and "added for-more-from-the-mayo-clinic" in output
    assert "no longer on the page" in output and "local-leaflet" in output
    ids = [r.id for r in load_catalogue([target]).resources]
    assert ids[-1] == "for-more-from-the-mayo-clinic" and "local-leaflet" in ids
    assert mayo_overview.strip()


def test_a_file_that_is_not_a_catalogue_is_left_alone(tmp_path: Path) -> None:
    page, target = tmp_path / "hub.html", tmp_path / "mine.yaml"
    page.write_text(hub_page(), encoding="utf-8")
    target.write_text("# a curator's file\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(page), "--hub", "h", "-o", str(target)])
    assert result.exit_code == 2 and "no list of resources" in result.output
    assert target.read_text(encoding="utf-8") == "# a curator's file\n"


def test_a_problem_in_the_file_imported_into_names_that_file(tmp_path: Path) -> None:
    page, target = tmp_path / "hub.html", tmp_path / "mine.yaml"
    page.write_text(hub_page(), encoding="utf-8")
    curated = ("hub: car-t-phases\ntitle: Mine\nresources:\n  - id: bad\n    url: https://e.test/a\n"
               "    title: A\n    kind: not-a-kind\n")
    target.write_text(curated, encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(page), "--hub", "car-t-phases",
                                      "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert f"{target}:7" in result.output, result.output
    assert target.read_text(encoding="utf-8") == curated


@pytest.mark.parametrize(("text", "problem"), [
    ("<html><body><main><p>No links here at all.</p></main></body></html>",
     "no links to other sites"),
])
def test_a_page_without_resources_is_a_clear_error(tmp_path: Path, text: str,
                                                   problem: str) -> None:
    page = tmp_path / "empty.html"
    page.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(page), "--hub", "h",
                                      "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2 and problem in result.output
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize(("words", "kind"), [
    ("This glossary from the ATTC to the Clinical Journey Guide", "glossary"),
    ("Webinar | Doctor and patients' perspective", "webinar"),
    ("Infographic from Bristol Myers Squibb", "infographic"),
    ("Cell therapy treatment experience fact sheet (1 page)", "fact-sheet"),
    ("A Guide for Patients and Carers", "guide"),
    ("Information and advice by Gilead", "web-page"),
])
def test_the_kind_is_guessed_from_the_most_specific_word(words: str, kind: str) -> None:
    assert guess_kind(words)[0] == kind


@pytest.mark.parametrize(("url", "kind", "pages", "fmt"), [
    ("https://e.org/guide.PDF", "guide", None, "pdf"),
    ("https://e.org/guide", "guide", 92, "pdf"),
    ("https://e.org/chart.png", "infographic", None, "image"),
    ("https://e.org/watch", "video", None, "video"),
    ("https://e.org/page", "web-page", None, "html"),
])
def test_the_format_is_guessed_from_the_address_and_the_wording(
    url: str, kind: str, pages: int | None, fmt: str
) -> None:
    assert guess_format(url, kind, pages)[0] == fmt


def test_the_publisher_is_read_where_the_text_says_so_else_the_sites_name() -> None:
    assert guess_publisher(["Recording of webinar organised by Myeloma Patients Europe (MPE) "
                            "on 14 February 2023."], "https://mpeurope.org/")[0] == \
        "Myeloma Patients Europe (MPE)"
    assert guess_publisher(["A page."], "https://www.example.org/x")[0] == "example.org"


@pytest.mark.integration
def test_check_fills_in_what_each_link_returned(hub: SimulatedHub, tmp_path: Path) -> None:
    """A saved page linking to the simulated hub's 92-page guide and a web page."""
    page = tmp_path / "hub.html"
    page.write_text(
        "<html><body><main><h1>Resources</h1>"
        f'<p><a href="{hub.url("/attc/car-t-clinical-journey-guide.pdf")}">The guide</a></p>'
        "<p>A long guide for patients and carers, with everything about each phase.</p>"
        f'<p><a href="{hub.url("/gilead/car-t")}">Advice from Gilead</a></p>'
        "<p>Information and advice on CAR T Cell Therapy for patients and their families.</p>"
        "</main></body></html>", encoding="utf-8")
    target = tmp_path / "out.yaml"
    result = CliRunner().invoke(cli, ["import", str(page), "--hub", "h", "-o", str(target),
                                      "--check", "--allow-private-networks"])
    assert result.exit_code == 0, result.output
    guide, advice = load_catalogue([target]).resources
    assert (guide.format.value if guide.format else "", guide.pages) == ("pdf", 92)
    assert guide.title.startswith("The CAR T-Cell Therapy Clinical Trial Journey")
    assert "the hub's link says 'The guide'" in guide.notes
    assert (advice.format.value if advice.format else "", advice.pages) == ("html", None)


REALWORLD = REPO.parent / "shared" / "realworld" / "html"
PAGES = ["rd-webmd-1.html", "rd-wikipedia.html", "rd-bbc-1.html", "rd-lwn-1.html",
         "rd-mozilla-1.html", "rd-gitlab-blog.html"]


@pytest.mark.skipif(not REALWORLD.is_dir(), reason="../shared/realworld is absent (a user's clone)")
@pytest.mark.parametrize("name", PAGES)
def test_real_pages_give_content_links_only_and_a_valid_catalogue(
    name: str, tmp_path: Path
) -> None:
    from bs4 import BeautifulSoup, UnicodeDammit

    raw = (REALWORLD / name).read_bytes()
    html = UnicodeDammit(raw, is_html=True).unicode_markup or ""
    soup = BeautifulSoup(html, "lxml")
    chrome = ["nav", "header", "footer", "aside"]
    in_chrome = {a["href"] for tag in soup.find_all(chrome) for a in tag.find_all("a", href=True)}
    elsewhere = {a["href"] for a in soup.find_all("a", href=True) if not a.find_parent(chrome)}
    chrome_only = in_chrome - elsewhere
    found = read_hub_page(html, "")
    assert found, name
    assert not [e.url for e in found if e.url in chrome_only]
    target = tmp_path / "out.yaml"
    result = CliRunner().invoke(cli, ["import", str(REALWORLD / name), "--hub", "h",
                                      "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert len(load_catalogue([target]).resources) == len(found)


def test_phases_come_from_the_heading_a_link_sits_under() -> None:
    page = ("<html><body><main><h1>Phases</h1><h2>Screening</h2><p>Before anything, "
            "<a href='https://a.example.org/s'>a screening leaflet</a> explains the tests.</p>"
            "<h2>Follow up after infusion</h2><p>Afterwards, <a href='https://b.example.org/f'>"
            "a follow-up guide</a> covers the months after.</p></main></body></html>")
    assert [e.phases for e in read_hub_page(page, "")] == [("screening",),
                                                           ("infusion", "follow-up")]


def test_a_fetched_hub_page_is_read_in_the_charset_its_header_names(
    mocked: responses.RequestsMock,
) -> None:
    # No <meta>: only the Content-Type says ISO-8859-2, where 0xB3 is "ł"
    # (a guess from the bytes alone reads Latin-1's "³").
    words = "Poradnik dla pacjent\u00f3w, \u0141\u00f3d\u017a i okolice"
    page = f'<html><body><main><p><a href="https://e.test/a.pdf">{words}</a></p></main></body></html>'
    mocked.get("http://hub.test/phases", body=page.encode("iso-8859-2"),
               content_type="text/html; charset=iso-8859-2")
    config = FetchConfig(allow_private_networks=True)
    html, _ = read_source("http://hub.test/phases", fetcher(config))
    assert words in html

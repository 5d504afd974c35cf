"""Pages that answer 200 but are not what was asked for: soft 404s, parked domains.

- /soft/<anything>: every path answers the same generic welcome page, so a
  made-up sibling address gives the page away;
- /catchall/<anything>: a generic search page, except /catchall/car-t-guide,
  a distinct real article (an honest catch-all: that one is no soft 404);
- /nf/<lang>: "not found" said in the title and heading, in six languages;
- /parked: a domain-parking page (Sedo) where a guide used to be.
"""

from __future__ import annotations

import functools
import re

from pipeline.sim.answers import Response, html_ok, status_response
from pipeline.sim.site import CHARITY, Page, Site, article, link_list, page_text, render, script
from pipeline.sim.texts import CAR_T_GUIDE, CAR_T_GUIDE_TITLE

PARKED_DOMAIN = "example-cart-guide.org"
SEDO_SCRIPT = "https://img.sedoparking.com/js/park.js"

_TEASERS = (
    (
        "/about-cancer/car-t",
        "Understanding CAR T-cell therapy",
        "How a treatment made from your own immune cells works, who it is for, and what "
        "the main steps are.",
    ),
    (
        "/get-support/helpline",
        "Talk to our nurses",
        "Our specialist nurses answer questions about diagnosis, treatment and side effects, "
        "Monday to Friday.",
    ),
    (
        "/get-support/money",
        "Help with money and travel",
        "Grants, benefits and travel schemes that can help with the extra costs of treatment.",
    ),
    (
        "/get-involved/events",
        "Take part in an event",
        "Walk, run or bake to raise money for research into blood cancers.",
    ),
)


def _search_form(label: str = "Search our site", button: str = "Search") -> str:
    """A site search form (GET /search?q=...)."""
    return (
        '<form role="search" method="get" action="/search">\n'
        f'<label for="q">{page_text(label)}</label>\n'
        '<input type="search" id="q" name="q">\n'
        f'<button type="submit">{page_text(button)}</button>\n</form>'
    )


@functools.cache
def welcome_page() -> bytes:
    """The generic home-like page every /soft/ path answers (no "not found" words)."""
    cards = "\n".join(
        f'<section class="teaser"><h2><a href="{href}">{page_text(title)}</a></h2>'
        f"<p>{page_text(text)}</p></section>"
        for href, title, text in _TEASERS
    )
    intro = article(
        "We support everyone affected by blood cancer: people living with it, their families "
        "and carers. Find reliable information, practical help and people to talk to."
    )
    page = Page(f"Welcome | {CHARITY.name}", f"{intro}\n{cards}", h1=f"Welcome to {CHARITY.name}")
    return render(page)


@functools.cache
def search_page() -> bytes:
    """The generic page the catch-all answers for any unknown /catchall/ path."""
    popular = link_list(
        (
            ("/search?q=car-t", "CAR T-cell therapy"),
            ("/search?q=myeloma", "Myeloma"),
            ("/search?q=lymphoma", "Lymphoma"),
            ("/search?q=travel+grants", "Travel grants"),
        )
    )
    intro = article(
        "Search our information on blood cancers, treatments, side effects and support, or "
        "choose one of the popular topics below."
    )
    main = f"{_search_form()}\n{intro}\n<h2>Popular searches</h2>\n{popular}"
    return render(Page(f"Search | {CHARITY.name}", main, h1="Search our site"))


@functools.cache
def car_t_guide_page() -> bytes:
    """The one real article behind the catch-all: /catchall/car-t-guide."""
    return render(Page(CAR_T_GUIDE_TITLE, article(*CAR_T_GUIDE)))


_NOT_FOUND: dict[str, tuple[str, str, str, str, str]] = {
    # lang: (heading, site, apology, search label, search button)
    "en": (
        "Page not found",
        "Example Hospital",
        "Sorry, the page you were looking for may have been moved or deleted.",
        "Search our website",
        "Search",
    ),
    "fr": (
        "Page introuvable",
        "H\u00f4pital Exemple",
        "D\u00e9sol\u00e9, la page que vous cherchez a peut-\u00eatre \u00e9t\u00e9 "
        "d\u00e9plac\u00e9e ou supprim\u00e9e.",
        "Rechercher sur le site",
        "Rechercher",
    ),
    "de": (
        "Seite nicht gefunden",
        "Beispielklinikum",
        "Die gesuchte Seite wurde leider verschoben oder gel\u00f6scht.",
        "Website durchsuchen",
        "Suchen",
    ),
    "nl": (
        "Pagina niet gevonden",
        "Voorbeeldziekenhuis",
        "Sorry, de pagina die u zoekt is mogelijk verplaatst of verwijderd.",
        "Zoeken op de website",
        "Zoeken",
    ),
    "it": (
        "Pagina non trovata",
        "Ospedale Esempio",
        "Ci dispiace, la pagina che cerchi potrebbe essere stata spostata o eliminata.",
        "Cerca nel sito",
        "Cerca",
    ),
    "es": (
        "P\u00e1gina no encontrada",
        "Hospital Ejemplo",
        "Lo sentimos, es posible que la p\u00e1gina que busca se haya movido o eliminado.",
        "Buscar en el sitio",
        "Buscar",
    ),
}
NOT_FOUND_LANGUAGES = tuple(_NOT_FOUND)


@functools.cache
def not_found_page(lang: str) -> bytes:
    """A 200 page whose title and h1 say "not found" in `lang`, with a search box."""
    heading, name, apology, label, button = _NOT_FOUND[lang]
    site = Site(name, (("/", name),), f"\u00a9 2024 {name}")
    main = f"{article(apology)}\n{_search_form(label, button)}"
    return render(Page(f"{heading} | {name}", main, site=site, h1=heading, lang=lang))


@functools.cache
def parked_page() -> bytes:
    """A Sedo domain-parking page: for sale, sponsored links, the parking script."""
    related = link_list(
        (
            ("/search/tsc.php?q=car+t+cell+therapy", "Car T Cell Therapy"),
            ("/search/tsc.php?q=cancer+treatment", "Cancer Treatment Options"),
            ("/search/tsc.php?q=clinical+trials", "Clinical Trials Near Me"),
        ),
        css="related-searches",
    )
    main = (
        '<div class="sale-banner"><p>This domain may be for sale. '
        '<a href="https://sedo.com/search/details/?domain=example-cart-guide.org">'
        "Buy this domain</a></p></div>\n<h2>Related searches</h2>\n" + related
    )
    site = Site(PARKED_DOMAIN, (), f"Copyright \u00a9 2024 {PARKED_DOMAIN}. All rights reserved.")
    page = Page(
        f"{PARKED_DOMAIN} is for sale", main, site=site, h1=PARKED_DOMAIN, tail=script(SEDO_SCRIPT)
    )
    return render(page)


def _soft(_: re.Match[str]) -> Response:
    """/soft/<anything>: the same welcome page for every path."""
    return html_ok(welcome_page())


def _catchall(match: re.Match[str]) -> Response:
    """/catchall/<anything>: the real guide for car-t-guide, the search page otherwise."""
    return html_ok(car_t_guide_page() if match.group(1) == "car-t-guide" else search_page())


def _not_found(match: re.Match[str]) -> Response:
    """/nf/<lang>: a "not found" page answered 200; a true 404 for other languages."""
    lang = match.group(1)
    return html_ok(not_found_page(lang)) if lang in _NOT_FOUND else status_response(404)


SOFT_404_PATTERNS = (
    (re.compile(r"/soft/.*", re.S), _soft),
    (re.compile(r"/catchall/(.*)", re.S), _catchall),
    (re.compile(r"/nf/([a-z]{2})"), _not_found),
)

"""/hub/car-t-phases: the T2EVOLVE "CAR T-cell therapy phases" hub page, as a hub page is.

The text and the order of ../shared/seed/t2evolve-car-t-phases.txt, with the
links of catalogue/car-t-phases.yaml, inside what surrounds real content:
a cookie banner, a header with the site's navigation, breadcrumbs, a footer
of links and a share bar. `curate import` is tested against it: it must find
the eight resources in the main content, and nothing from the chrome.
"""

from __future__ import annotations

from pipeline.sim.answers import Handler, html_ok
from pipeline.sim.site import attr, page_text

MAYO_INFOGRAPHIC = "https://www.mayoclinic.org/es/car-t-cell-therapy-program-infographic/ifg-20404289"
MAYO_OVERVIEW = ("https://www.mayoclinic.org/departments-centers/car-t-cell-therapy-program/"
                 "sections/overview/ovc-20404319")
ATTC_GUIDE = "https://www.theattcnetwork.co.uk/car-t-patient-guide"
BMS = "https://cartautoimmune.com/what-to-expect-from-car-t-cell-therapy"
KITE = "https://yourcartguide.com/preparing-for-treatment/understanding-your-treatment"
MPE = "https://mpeurope.org/"
ATTC_GLOSSARY = "https://www.theattcnetwork.co.uk/car-t-patient-guide/glossary"

# (link text, href, description) in the page's order; a None text: the link
# is the description's "here".
RESOURCES = (
    ("Infographic from the Mayo Clinic CAR-T Cell Therapy Program.", MAYO_INFOGRAPHIC, ""),
    (None, MAYO_OVERVIEW, "For more from the Mayo Clinic, see {here}."),
    ("The CAR T-Cell Therapy Clinical Trial Journey – A Guide for Patients and Carers",
     ATTC_GUIDE,
     "The NA-ATTC is pleased to offer {link} in partnership with Autolus Therapeutics. This "
     "Guide is intended for people who are either considering enrolling in or are already "
     "enrolled in a CAR T-cell therapy clinical trial. It contains information for both "
     "patients and those who care for them (92 pages)."),
    ("Infographic on CAR T Cell Therapy Treatment Experience", BMS,
     "Infographic from Bristol Myers Squibb."),
    ("Cell therapy treatment experience fact sheet (1 page).", BMS, ""),
    ("Information and advice on CAR T Cell Therapy by Gilead", KITE,
     "{link}, helping patients through CAR T Cell treatment."),
    ("Webinar | Doctor and patients' perspective on myeloma CAR-T", MPE,
     "Recording of webinar organised by Myeloma Patients Europe (MPE) on 14 February 2023. "
     "This webinar includes the participation of Prof. Dr. Michel Delforge, Professor of "
     "Medicine and Clinical Head of Haematology at the University Hospital Leuven, Belgium, "
     "and two myeloma patients who have received CAR-T treatment."),
    ("The CAR T-Cell Therapy Clinical Journey Guide", ATTC_GLOSSARY,
     "This glossary from the Advanced Therapy Treatment Centres (ATTC) allows patients to "
     "look up terms related to CAR T."),
)
CHROME_LINKS = (("Home", "/"), ("Patient hub", "/patient-hub"), ("About T2EVOLVE", "/about"),
                ("News", "/news"), ("Contact", "/contact"))
SHARE_LINKS = ("https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Ft2evolve.com",
               "https://twitter.com/intent/tweet?url=https%3A%2F%2Ft2evolve.com",
               "https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Ft2evolve.com")
INTRO = ("CAR T-cell therapy consists of multiple phases, starting with an initial screening "
         "phase and ending with continued follow-ups upon going through infusion.",
         "On this page, you can learn more about the different phases and browse through "
         "resources from various sources selected by the T2EVOLVE consortium.")
DISCLAIMER = ("Please note, the list of resources presented is not exhaustive and is regularly "
              "updated. The T2EVOLVE consortium followed an internal process in order to "
              "evaluate and select the material shared under the Patient material hub. This "
              "selection is limited to material freely available.")


def _link(text: str, href: str) -> str:
    return f'<a href="{attr(href)}" target="_blank" rel="noopener">{page_text(text)}</a>'


def _resource(text: str | None, href: str, description: str) -> str:
    """One resource block: the link on its own line, or inside its description."""
    if text is None:
        return f"<p>{page_text(description).replace('{here}', _link('here', href))}</p>"
    if "{link}" in description:
        return f"<p>{page_text(description).replace('{link}', _link(text, href))}</p>"
    block = f'<div class="resource"><p>{_link(text, href)}</p>'
    return block + (f"<p>{page_text(description)}</p></div>" if description else "</div>")


def _chrome_nav() -> str:
    items = "".join(f"<li>{_link(text, href)}</li>" for text, href in CHROME_LINKS)
    return f'<nav class="menu"><ul>{items}<li>{_link("Twitter", SHARE_LINKS[1])}</li></ul></nav>'


def hub_page() -> str:
    """The whole page, chrome included."""
    resources = "\n".join(_resource(*entry) for entry in RESOURCES)
    intro = "".join(f"<p>{page_text(text)}</p>" for text in INTRO)
    share = "".join(_link(name, href) for name, href in zip(("Facebook", "X", "LinkedIn"),
                                                            SHARE_LINKS, strict=True))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>CAR T-cell therapy phases - T2EVOLVE</title>
</head><body>
<div id="cookie-banner" class="cookie-notice"><p>We use cookies to improve your experience.
{_link("Cookie policy", "https://t2evolve.com/cookie-policy")} <button>Accept</button></p></div>
<header class="site-header"><a href="/">T2EVOLVE</a>{_chrome_nav()}</header>
<div class="breadcrumbs"><a href="/">Home</a> / <a href="/patient-hub">Patient hub</a> /
CAR T-cell therapy treatment...</div>
<main id="content"><article class="post">
<h1>CAR T-cell therapy phases</h1>
{intro}
<h2>Additional resources</h2>
{resources}
<p><em>{page_text(DISCLAIMER)}</em></p>
</article>
<div class="share-bar">Share This {share}</div></main>
<footer class="site-footer"><ul>{"".join(f"<li>{_link(t, h)}</li>" for t, h in CHROME_LINKS)}
<li>{_link("Funded by the Innovative Medicines Initiative", "https://www.imi.europa.eu/")}</li>
</ul><p>&copy; 2026 T2EVOLVE consortium</p></footer>
</body></html>
"""


def hub_page_routes() -> dict[str, Handler]:
    """The hub page by path."""
    page = hub_page().encode("utf-8")
    return {"/hub/car-t-phases": lambda _: html_ok(page)}

"""Soft 404s: pages that answer 200 but are really "not found".

Three independent signs, each enough on its own:
- the title or a main heading says "not found" (in the hub's six languages);
- a deep link now redirects to the site's home page;
- a made-up sibling address on the same host answers with the same page
  (Bar-Yossef et al., "Sic transit gloria telae", WWW 2004).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from pipeline.extract.fingerprint import similarity
from pipeline.models import Evidence, Finding, FindingCode, Probe, Resource

# Phrases, written without accents (titles are compared accent-folded).
_NOT_FOUND_PHRASES = (
    # en
    "page not found", "not found", "file not found", "document not found",
    "page cannot be found", "page can't be found", "page could not be found",
    "this page does not exist", "this page doesn't exist", "page does not exist",
    "we can't find that page", "we couldn't find that page", "sorry, page not found",
    # fr
    "page introuvable", "page non trouvee", "cette page n'existe pas", "page inexistante",
    "la page demandee est introuvable", "document introuvable",
    # de
    "seite nicht gefunden", "die seite wurde nicht gefunden", "seite wurde nicht gefunden",
    "nicht gefunden", "diese seite existiert nicht", "die seite existiert nicht",
    "die seite konnte nicht gefunden werden",
    # nl
    "pagina niet gevonden", "niet gevonden", "deze pagina bestaat niet",
    "pagina bestaat niet", "de pagina is niet gevonden",
    # it
    "pagina non trovata", "non trovata", "la pagina non esiste", "pagina inesistente",
    "pagina non disponibile",
    # es
    "pagina no encontrada", "no encontrada", "la pagina no existe", "pagina no existe",
    "no se encontro la pagina",
)
_DECORATION = r"(?:oops|sorry|error|erreur|fehler|fout|errore|ups|oups|desole|excusez-nous)"
_NOT_FOUND = re.compile(
    rf"^(?:{_DECORATION}\W*)*(?:(?:error\s*|erreur\s*|fehler\s*|fout\s*|errore\s*)?404\W*)?"
    rf"(?:{'|'.join(re.escape(p) for p in _NOT_FOUND_PHRASES)})?\W*(?:\(?404\)?)?\W*$"
)
_SEPARATORS = re.compile(r"\s+[|\-–—:·]\s+|\s*\|\s*")
_ROOTISH_PATH = re.compile(
    r"^/?(?:[a-z]{2}(?:[-_][a-z]{2})?/?)?(?:index\.\w{2,5}|home/?|default\.aspx|start/?)?$",
    re.IGNORECASE,
)
PROBE_SIMILARITY = 0.92  # SimHash similarity above which two pages are the same page
MIN_PROBE_TEXT = 200  # a near-empty app shell looks the same on every path: no verdict


def soft_404(resource: Resource, evidence: Evidence) -> Finding | None:
    """The first soft-404 sign found, as a finding with its evidence."""
    return (
        _said_not_found(evidence)
        or _sent_home(evidence, resource.url)
        or _same_as_probe(evidence)
    )


def says_not_found(text: str) -> bool:
    """True if a title segment or heading is (only) a "not found" message."""
    folded = _fold(text[:300])
    if not folded or not _has_words_or_404(folded):  # no segment can have them either
        return False
    segments = [folded, *(_SEPARATORS.split(folded))]
    return any(s.strip() and _has_words_or_404(s) and _NOT_FOUND.match(s.strip()) for s in segments)


def is_site_root(url: str) -> bool:
    return bool(_ROOTISH_PATH.match(urlsplit(url).path))


def _said_not_found(evidence: Evidence) -> Finding | None:
    extraction = evidence.extraction
    headings = extraction.features.headings[:3] if extraction.features else ()
    for label, text in [("title", extraction.title or ""), *(("heading", h) for h in headings)]:
        if says_not_found(text):
            return Finding(
                FindingCode.SOFT_404,
                f"The page answers 200 OK but its {label} says it was not found: "
                f"\u201c{text}\u201d",
                evidence=f"{label}: {text}"[:300],
            )
    return None


def _sent_home(evidence: Evidence, resource_url: str) -> Finding | None:
    """A deep link that now lands on the home page: the page itself is gone."""
    result = evidence.result
    if not result.redirects or is_site_root(resource_url) or not is_site_root(result.final_url):
        return None
    return Finding(
        FindingCode.SOFT_404,
        f"The link now redirects to the site's home page ({result.final_url}); "
        "the resource itself is gone",
        evidence=" -> ".join(f"{hop.status} {hop.url}" for hop in result.redirects)[:300],
    )


def _same_as_probe(evidence: Evidence) -> Finding | None:
    """The host answers an invented sibling path with this very page."""
    probe = evidence.probe
    if probe is None or probe.status is None or not 200 <= probe.status <= 299:
        return None
    score = _probe_score(probe, evidence)
    if score is None or score < PROBE_SIMILARITY:
        return None
    return Finding(
        FindingCode.SOFT_404,
        "The site answers a made-up address on the same path with this same page, "
        "so this page is probably its 'not found' page",
        evidence=f"probe {probe.url} answered {probe.status}; similarity {score:.2f}",
    )


def _probe_score(probe: Probe, evidence: Evidence) -> float | None:
    """How alike the page and the probe are; None when that cannot be told.

    Both redirected to the same place counts as identical. A near-empty page
    (a JavaScript app's shell looks the same on every path) cannot be told.
    """
    result, extraction = evidence.result, evidence.extraction
    if result.redirects and probe.final_url == result.final_url:
        return 1.0
    if extraction.fingerprint is None or probe.fingerprint is None:
        return None
    if extraction.text_length < MIN_PROBE_TEXT:
        return None
    return similarity(extraction.fingerprint, probe.fingerprint)


def _fold(text: str) -> str:
    """Casefold, strip accents and normalise spaces and apostrophes."""
    if text.isascii():  # the usual title: nothing to decompose, casefold is lower
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain.replace("\u2019", "'")).strip()


def _has_words_or_404(segment: str) -> bool:
    """The pattern allows every part to be optional; demand some substance."""
    return "404" in segment or any(p in segment for p in _NOT_FOUND_PHRASES)

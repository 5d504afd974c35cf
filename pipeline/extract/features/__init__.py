"""Facts about an HTML page for the judge: headings, forms, recognised signatures.

No judgement here. This package says "the page loads Piano's paywall script"
or "this form has a password field inside <header>"; the judge decides what
that means. Markers are "<family>:<name>" strings (see markers.SIGNATURES).

Two steps: `read_features(document)` reads the parsed tree (markup, forms,
JSON-LD), then `read_text_markers(text, title)` reads the visible text and
the title.

One module per kind of evidence:

- signatures.py: the Signature type, its builders and the scan;
- walls.py, interstitials.py, registration.py: the signature tables of
  paywalls and cookie walls; parked domains and bot challenges; form,
  webinar and video vendors and the phrases of registration and log-in walls;
- markers.py: every table in one catalogue, split by where it is looked for;
- markup.py and text.py: the scans of the markup and of the visible text;
- forms.py, structure.py, schema.py: forms, headings and meta refresh,
  schema.org isAccessibleForFree; attributes.py: attribute values as strings.

Pure and bounded: pages are untrusted, so every walk, string and count is
capped, regexes have no nested quantifiers, and no input makes these
functions raise.
"""

from __future__ import annotations

from pipeline.extract.features.forms import read_forms
from pipeline.extract.features.markup import collect_markup, markup_markers
from pipeline.extract.features.schema import schema_markers
from pipeline.extract.features.structure import read_headings, read_meta_refresh
from pipeline.extract.features.text import read_text_markers
from pipeline.extract.tree import Document
from pipeline.models import PageFeatures

__all__ = ["read_features", "read_text_markers"]


def read_features(document: Document) -> PageFeatures:
    """Headings, forms, meta refresh and markup markers of a parsed page.

    Text markers are added afterwards with `read_text_markers`.
    """
    markup = collect_markup(document)
    markers = set(markup_markers(markup))
    markers.update(schema_markers(document))
    forms = read_forms(document)
    markers.update(form.vendor for form in forms if form.vendor)
    return PageFeatures(
        headings=read_headings(document),
        forms=forms,
        markers=frozenset(markers),
        meta_refresh=read_meta_refresh(document),
    )

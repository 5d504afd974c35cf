"""Every signature table in one catalogue, split by the part of the page it needs.

Markup signatures are scanned during the tree walk (markup.py), the others
in the visible text and the title (text.py); keeping the split here keeps
the two scanners from missing or doubling a signature.
"""

from __future__ import annotations

from pipeline.extract.features.interstitials import CHALLENGE_SIGNATURES, PARKING_SIGNATURES
from pipeline.extract.features.registration import (
    FORM_SIGNATURES,
    TEXT_SIGNATURES,
    VIDEO_SIGNATURES,
    WEBINAR_SIGNATURES,
)
from pipeline.extract.features.signatures import Signature, Where
from pipeline.extract.features.walls import CONSENT_SIGNATURES, PAYWALL_SIGNATURES

SIGNATURES: tuple[Signature, ...] = (
    *PAYWALL_SIGNATURES,
    *CONSENT_SIGNATURES,
    *PARKING_SIGNATURES,
    *CHALLENGE_SIGNATURES,
    *FORM_SIGNATURES,
    *WEBINAR_SIGNATURES,
    *VIDEO_SIGNATURES,
    *TEXT_SIGNATURES,
)
_MARKUP_PLACES = frozenset({Where.CODE, Where.TOKENS, Where.EMBED})
MARKUP_SIGNATURES = tuple(s for s in SIGNATURES if s.where in _MARKUP_PLACES)
TEXT_PLACE_SIGNATURES = tuple(s for s in SIGNATURES if s.where not in _MARKUP_PLACES)

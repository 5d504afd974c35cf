"""SimHash fingerprints of readable text, to tell "the same page" from "another page".

A 64-bit SimHash (Charikar, STOC 2002) over word 3-shingles: near-duplicate
texts get fingerprints that differ in few bits, unrelated texts in about
half of them. The judge compares a page with its last good night (content
changed?) and with the answer to an invented sibling URL (soft-404?).

Pure and deterministic: shingles are hashed with BLAKE2b, never with
Python's per-process salted `hash()`, so fingerprints stored one night
compare with those computed the next.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from itertools import islice

BITS = 64
MASK = (1 << BITS) - 1
SHINGLE_WORDS = 3
# Fewer words than this give too few shingles for a fingerprint that means
# anything (an empty shell or a one-line error page).
MIN_TOKENS = 8
# Bound on the work per text: 50,000 words is a long book chapter; the
# start of a page identifies it as well as its end.
MAX_TOKENS = 50_000

_WORD = re.compile(r"\w+")
_DIGEST_BYTES = BITS // 8


def simhash(text: str) -> int | None:
    """64-bit SimHash of a text's casefolded word 3-shingles; None below MIN_TOKENS words.

    Each distinct shingle votes with its number of occurrences; bit k of the
    result is set when the shingles whose hash has bit k set outweigh those
    where it is clear.
    """
    tokens = [m.group().casefold() for m in islice(_WORD.finditer(text), MAX_TOKENS)]
    if len(tokens) < MIN_TOKENS:
        return None
    shingles = Counter(
        " ".join(tokens[i : i + SHINGLE_WORDS]) for i in range(len(tokens) - SHINGLE_WORDS + 1)
    )
    return _vote(_tally(shingles), shingles.total())


def similarity(a: int, b: int) -> float:
    """Share of equal bits between two fingerprints: 1.0 identical, ~0.5 unrelated."""
    return 1.0 - ((a ^ b) & MASK).bit_count() / BITS


def shingle_hash(shingle: str) -> bytes:
    """The 8-byte BLAKE2b digest of a shingle (lone surrogates are kept, not lost)."""
    return hashlib.blake2b(shingle.encode("utf-8", "surrogatepass"), digest_size=8).digest()


# Bit-sliced counting: each digest is spread into 64 counter fields of
# _FIELD bits inside one big integer, so adding a shingle's vote to all 64
# counters is one big-integer addition per digest byte (C speed) instead of
# 64 Python steps. A field never overflows: weights total at most MAX_TOKENS.
_FIELD = (MAX_TOKENS * 2).bit_length() + 1
_FIELD_MASK = (1 << _FIELD) - 1
_SPREAD = [
    [sum(((value >> bit) & 1) << ((position * 8 + bit) * _FIELD) for bit in range(8))
     for value in range(256)]
    for position in range(_DIGEST_BYTES)
]


def _tally(shingles: Counter[str]) -> int:
    """The 64 per-bit weights, packed into one integer of _FIELD-bit fields.

    Field k holds the total weight of the shingles whose digest (read as a
    big-endian integer) has bit k set.
    """
    packed = 0
    last = _DIGEST_BYTES - 1
    for shingle, weight in shingles.items():
        digest = shingle_hash(shingle)
        spread = sum(_SPREAD[last - index][value] for index, value in enumerate(digest))
        packed += spread * weight if weight != 1 else spread
    return packed


def _vote(packed: int, total: int) -> int:
    """Set each bit whose weight is more than half the total (ties stay clear)."""
    result = 0
    for bit in range(BITS):
        if 2 * ((packed >> (bit * _FIELD)) & _FIELD_MASK) > total:
            result |= 1 << bit
    return result

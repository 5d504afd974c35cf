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
from collections import deque
from functools import partial
from itertools import islice, repeat

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
# Texts up to this length (extract's whole cap) are split in one findall
# call; longer ones word by word, so the work stays bounded.
_FINDALL_CHARS = 4 * MAX_TOKENS
_DIGEST_BYTES = BITS // 8
_ENCODE = partial(str.encode, encoding="utf-8", errors="surrogatepass")
# Copying a fresh hash object is cheaper than creating one with digest_size.
_BLAKE2B = hashlib.blake2b(digest_size=_DIGEST_BYTES)
# One slice per bit of the 64-bit rows of `_bit_rows`, most significant first.
_COLUMNS = [slice(column, None, BITS) for column in range(BITS)]


def simhash(text: str) -> int | None:
    """64-bit SimHash of a text's casefolded word 3-shingles; None below MIN_TOKENS words.

    Each distinct shingle votes with its number of occurrences; bit k of the
    result is set when the shingles whose hash has bit k set outweigh those
    where it is clear.
    """
    words = _tokens(text)
    if len(words) < MIN_TOKENS:
        return None
    offsets = (words[i:] for i in range(SHINGLE_WORDS))  # shingle k: words k, k+1, k+2
    shingles = list(map(b" ".join, zip(*offsets, strict=False)))
    return _vote(_bit_rows(shingles), len(shingles))


def _tokens(text: str) -> list[bytes]:
    """The first MAX_TOKENS words of a text, casefolded, as UTF-8.

    Casefolding the joined words equals casefolding each (it maps character
    by character and never yields a space from a word character), and the
    UTF-8 of a word holds no space byte, so one call each does all words.
    Shingles of the encoded words are the encoded shingles.
    """
    if len(text) <= _FINDALL_CHARS:
        words = _WORD.findall(text)[:MAX_TOKENS]
    else:
        words = [m.group() for m in islice(_WORD.finditer(text), MAX_TOKENS)]
    if not words:
        return []
    return _ENCODE(" ".join(words).casefold()).split(b" ")


def similarity(a: int, b: int) -> float:
    """Share of equal bits between two fingerprints: 1.0 identical, ~0.5 unrelated."""
    return 1.0 - ((a ^ b) & MASK).bit_count() / BITS


def _bit_rows(shingles: list[bytes]) -> str:
    """Each shingle occurrence's digest as 64 "0"/"1" characters, one row after another.

    The digest is the 8-byte BLAKE2b of the shingle's UTF-8 (lone surrogates
    kept: "surrogatepass"). A shingle that occurs n times has n rows: its
    vote counts n times. Every step runs in C over all shingles at once
    (map, join, int formatting) instead of 64 Python steps per shingle.
    """
    states = list(map(hashlib.blake2b.copy, repeat(_BLAKE2B, len(shingles))))
    deque(map(hashlib.blake2b.update, states, shingles), maxlen=0)
    packed = b"".join(map(hashlib.blake2b.digest, states))
    return format(int.from_bytes(packed, "big"), f"0{len(packed) * 8}b")


def _vote(rows: str, total: int) -> int:
    """Set each bit whose weight is more than half the total (ties stay clear).

    Column k of the rows (from the left) is bit 63 - k of the digests read
    as big-endian integers; its count of "1"s is that bit's weight.
    """
    half = total // 2  # weight > total / 2 exactly when weight > total // 2
    return int("".join(["1" if rows[column].count("1") > half else "0" for column in _COLUMNS]), 2)

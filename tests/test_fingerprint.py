"""SimHash fingerprints: same text, lightly edited text, unrelated text."""

from __future__ import annotations

import hashlib
import os
import random
import re
import subprocess
import sys
from collections import Counter

import pytest

from pipeline.extract.fingerprint import MAX_TOKENS, MIN_TOKENS, simhash, similarity

# Thirty sentences of patient information, the size of a short leaflet page.
LEAFLET = [
    "CAR-T cell therapy is a treatment that uses your own immune cells to fight cancer.",
    "Before treatment, your blood is collected in a process called leukapheresis.",
    "The collected T cells are sent to a laboratory where they are changed to find cancer cells.",
    "Making your cells usually takes between three and five weeks.",
    "While you wait, your team may give you bridging therapy to keep the cancer under control.",
    "A few days before the infusion you will have a short course of chemotherapy.",
    "This chemotherapy makes room in your body for the new cells to grow.",
    "The infusion itself is quick and feels much like a blood transfusion.",
    "Most people stay in hospital or very close to it for the first weeks.",
    "Your nurses will check your temperature, blood pressure and oxygen levels often.",
    "A common side effect is cytokine release syndrome, which can cause fever and chills.",
    "Some people get confused, sleepy or have trouble finding words for a while.",
    "Tell your team straight away if you notice any change in how you think or speak.",
    "These side effects are usually treated quickly and go away in most people.",
    "You should not drive for at least eight weeks after your infusion.",
    "Plan who will stay with you and take you to appointments during this time.",
    "Your immune system will be weaker for several months after treatment.",
    "Wash your hands often and avoid people who have colds or other infections.",
    "Ask your team which vaccinations you will need and when you can have them.",
    "Many people feel very tired for weeks or months after CAR-T therapy.",
    "Gentle exercise such as short walks can help your energy come back.",
    "Eating small meals often may be easier than three large meals a day.",
    "Keep a diary of your symptoms so you can share it at your clinic visits.",
    "You will have regular blood tests to see how the CAR-T cells are working.",
    "Scans a few months after treatment show how the cancer has responded.",
    "It is normal to feel worried while you wait for the results of these scans.",
    "Talking to other patients who have had the treatment can be a great support.",
    "Your hospital can put you in touch with a psychologist or a support group.",
    "Carers need support too, so make sure they also have someone to talk to.",
    "If you have any questions, call the number your team gave you at any time of day.",
]
EDIT = "Your clinic will give you a card to show any doctor that you have had CAR-T therapy."
# An unrelated text of the same size: a recipe page.
RECIPE = " ".join(
    [
        "Preheat the oven to two hundred degrees and butter a large baking dish.",
        "Slice four apples thinly and toss them with lemon juice, sugar and cinnamon.",
        "In a bowl, rub cold butter into flour until it looks like breadcrumbs.",
        "Stir in oats, brown sugar and a pinch of salt to make the crumble topping.",
    ]
    * 8
)


def test_identical_text_is_fully_similar() -> None:
    text = " ".join(LEAFLET)
    assert similarity(simhash(text) or 0, simhash(text) or 0) == 1.0


def test_one_sentence_changed_in_thirty_stays_similar() -> None:
    edited = [*LEAFLET[:14], EDIT, *LEAFLET[15:]]
    a, b = simhash(" ".join(LEAFLET)), simhash(" ".join(edited))
    assert a is not None and b is not None and a != b
    assert similarity(a, b) >= 0.85


def test_unrelated_texts_are_dissimilar() -> None:
    a, b = simhash(" ".join(LEAFLET)), simhash(RECIPE)
    assert a is not None and b is not None
    assert similarity(a, b) <= 0.75


def _generated(rng: random.Random, sentences: int = 30) -> list[str]:
    words = re.findall(r"\w+", " ".join(LEAFLET).lower())
    return [
        " ".join(rng.choice(words) for _ in range(rng.randint(10, 20))) for _ in range(sentences)
    ]


def test_light_edits_and_unrelated_texts_on_average() -> None:
    # The property across many texts, not one lucky pair: a 64-bit SimHash
    # flips ~5 bits for a 1-in-30 sentence edit, ~32 for an unrelated text.
    edited, unrelated = [], []
    for seed in range(40):
        rng = random.Random(seed)
        text = _generated(rng)
        changed = [*text[:15], *_generated(rng, 1), *text[16:]]
        base = simhash(" ".join(text)) or 0
        edited.append(similarity(base, simhash(" ".join(changed)) or 0))
        unrelated.append(similarity(base, simhash(" ".join(_generated(rng))) or 0))
    assert sum(edited) / len(edited) >= 0.88
    assert min(edited) >= 0.75
    assert 0.4 <= sum(unrelated) / len(unrelated) <= 0.6
    assert max(unrelated) <= 0.75


def test_case_and_punctuation_do_not_matter() -> None:
    text = " ".join(LEAFLET)
    assert simhash(text) == simhash(re.sub(r"[^\w\s]", " ", text).upper())


def test_too_few_words_give_none() -> None:
    assert simhash("") is None
    assert simhash("Page not found") is None
    assert simhash(" ".join(["word"] * (MIN_TOKENS - 1))) is None
    assert simhash(" ".join(f"w{i}" for i in range(MIN_TOKENS))) is not None


def test_fits_in_64_bits() -> None:
    value = simhash(" ".join(LEAFLET))
    assert value is not None and 0 <= value < 2**64


def test_matches_a_plain_reference_implementation() -> None:
    # Straight from the definition: +1/-1 per bit per shingle occurrence.
    tokens = re.findall(r"\w+", " ".join(LEAFLET).casefold())
    vector = [0] * 64
    for i in range(len(tokens) - 2):
        shingle = " ".join(tokens[i : i + 3]).encode()
        digest = int.from_bytes(hashlib.blake2b(shingle, digest_size=8).digest(), "big")
        for bit in range(64):
            vector[bit] += 1 if digest >> bit & 1 else -1
    expected = sum(1 << bit for bit in range(64) if vector[bit] > 0)
    assert simhash(" ".join(LEAFLET)) == expected


def _reference(text: str) -> int | None:
    """SimHash from the definition: words casefolded one by one, a vote per occurrence."""
    tokens = [token.casefold() for token in re.findall(r"\w+", text)][:MAX_TOKENS]
    if len(tokens) < MIN_TOKENS:
        return None
    shingles = Counter(" ".join(tokens[i : i + 3]) for i in range(len(tokens) - 2))
    vector = [0] * 64
    for shingle, count in shingles.items():
        digest = hashlib.blake2b(shingle.encode("utf-8", "surrogatepass"), digest_size=8)
        value = int.from_bytes(digest.digest(), "big")
        for bit in range(64):
            vector[bit] += count if value >> bit & 1 else -count
    return sum(1 << bit for bit in range(64) if vector[bit] > 0)


def test_repeats_and_unicode_words_match_the_reference() -> None:
    # "İ" casefolds to "i" + a combining dot (not a word character): words
    # are casefolded one by one, never before they are found.
    text = "Straße İstanbul ǅemal ﬁle ΣΊΣΥΦΟΣ çà 東京 " * 5 + " ".join(LEAFLET[:3]) * 3
    assert simhash(text) == _reference(text)


@pytest.mark.parametrize(
    "words",
    [
        [f"w{i % 997}" for i in range(60_000)],  # over 200,000 characters: read word by word
        [f"{chr(97 + i % 26)}{i % 7}" for i in range(60_000)],  # shorter: one findall
    ],
)
def test_long_texts_match_the_reference(words: list[str]) -> None:
    text = " ".join(words)
    assert simhash(text) == _reference(text)


def test_deterministic_across_processes() -> None:
    # Python's hash() is salted per process; the fingerprint must not be.
    code = "from pipeline.extract.fingerprint import simhash; print(simhash(open(0).read()))"
    text = " ".join(LEAFLET)
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code],
            input=text,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(done.stdout.strip())
    assert outputs == {str(simhash(text))}


def test_work_is_bounded_to_the_first_tokens() -> None:
    words = [f"w{i % 997}" for i in range(MAX_TOKENS)]
    assert simhash(" ".join(words)) == simhash(" ".join(words + ["tail"] * 10_000))


@pytest.mark.parametrize("text", ["\ud800 lone surrogate " * 5, "\x00" * 100, "é" * 10_000])
def test_never_raises(text: str) -> None:
    simhash(text)


def test_similarity_of_opposites_and_wide_ints() -> None:
    assert similarity(0, 2**64 - 1) == 0.0
    assert similarity(5, 5 + 2**64) == 1.0  # only 64 bits count
    assert similarity(0b1011, 0b0001) == 1 - 2 / 64

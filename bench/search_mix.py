"""Thousands of different directory searches for the load test, so that no search
repeats during a run: what people type (with typos), ZIP codes with a radius, and
filters, in a fixed pseudo-random order (the same every run).

Each list is the query strings of one bench scenario; ``bench/run.py`` walks it with
wrk, each request taking the next unused entry.
"""

import random

import zipcodes

from apps.directory.search import TAXONOMY_SYNONYMS

SEED = 14
RADII = [5, 10, 25, 50, 100]
FLAGS = ["telehealth=on", "accepts_referrals=on", "open_now=on"]
LANGUAGES = ["en", "es", "zh", "vi", "ko", "ru", "ar", "ht", "fr", "ase"]
DISEASES = ["als", "ms", "parkinsons"]
EXTRA_WORDS = [
    "clinic",
    "therapy",
    "support",
    "care",
    "help",
    "center",
    "program",
    "services",
    "home",
    "family",
]


def misspell(word: str, rng: random.Random) -> str:
    """A typo a person might make: a letter dropped, doubled, swapped or wrong."""
    if len(word) < 5:
        return word
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:at] + word[at + 1 :]
    if kind == 1:
        return word[:at] + word[at] + word[at:]
    if kind == 2:
        return word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    vowel = "aeiou"[rng.randrange(5)]
    return word[:at] + vowel + word[at + 1 :]


def phrases(rng: random.Random) -> list[str]:
    """One- and two-word searches from the everyday words of each service type,
    as typed and with a typo."""
    found: set[str] = set()
    for words in TAXONOMY_SYNONYMS.values():
        vocabulary = [w.lower() for w in words.split()] + EXTRA_WORDS
        for first in vocabulary:
            found.add(first)
            found.add(misspell(first, rng))
            for second in vocabulary:
                if second != first:
                    found.add(f"{first} {second}")
                    found.add(f"{misspell(first, rng)} {second}")
    return sorted(found)


def zip_codes(rng: random.Random) -> list[str]:
    codes = [
        z["zip_code"]
        for z in zipcodes.list_all()
        if z.get("lat") and z.get("zip_code_type") == "STANDARD"
    ]
    rng.shuffle(codes)
    return codes


def _unique(candidates, size: int) -> list[str]:
    """The first ``size`` different queries (fewer if the generator runs dry)."""
    seen: dict[str, None] = {}
    for attempt, query in enumerate(candidates):
        seen.setdefault(query, None)
        if len(seen) >= size or attempt > size * 20:
            break
    return list(seen)


def keyword_searches(size: int) -> list[str]:
    """Words, with and without typos; a few ask for the second page or by name."""
    rng = random.Random(SEED)
    words = phrases(rng)

    def generate():
        while True:
            query = "q=" + rng.choice(words).replace(" ", "+")
            roll = rng.random()
            if roll < 0.1:
                query += "&page=2"
            elif roll < 0.15:
                query += "&sort=name"
            yield query

    return _unique(generate(), size)


def zip_searches(size: int) -> list[str]:
    rng = random.Random(SEED + 1)
    codes = zip_codes(rng)
    queries = (f"zip={code}&radius={rng.choice(RADII)}" for code in codes)
    return _unique(queries, size)


def filtered_searches(size: int, type_codes: list[str]) -> list[str]:
    """Words or not, a type or not, a ZIP code or not, and one to three filters."""
    rng = random.Random(SEED + 2)
    words = phrases(rng)
    codes = zip_codes(rng)

    def generate():
        while True:
            parts = []
            if rng.random() < 0.7:
                parts.append("q=" + rng.choice(words).replace(" ", "+"))
            if rng.random() < 0.6:
                parts.append(f"type={rng.choice(type_codes)}")
            if rng.random() < 0.4:
                parts.append(f"zip={rng.choice(codes)}&radius={rng.choice(RADII)}")
            if rng.random() < 0.4:
                parts.append(f"language={rng.choice(LANGUAGES)}")
            if rng.random() < 0.2:
                parts.append(f"disease={rng.choice(DISEASES)}")
            parts += rng.sample(FLAGS, rng.randrange(1, 3))
            yield "&".join(parts)

    return _unique(generate(), size)


def mixed_searches(size: int, type_codes: list[str]) -> list[str]:
    """The three kinds above, taken in turn."""
    kinds = [
        keyword_searches(size),
        zip_searches(size),
        filtered_searches(size, type_codes),
    ]
    interleaved = (kind[i] for i in range(size) for kind in kinds)
    return _unique(interleaved, size)

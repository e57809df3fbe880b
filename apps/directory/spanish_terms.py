"""Spanish words for care-service types, read before the directory search runs.

The directory's stored search vector is built from English text. On a Spanish page,
what a visitor types is first read for the Spanish names of the care-service types
and the other words people use for them (``TaxonomyTerm.name_es`` and
``also_called_es``, e.g. "terapia del habla", "logopeda", "silla de ruedas"), accents
and case ignored. Each phrase found becomes a filter on that type (and the types
below it); the words left go to the search core as usual, less Spanish function
words ("de", "para"...), which no English text holds.
"""

from dataclasses import dataclass, field

from apps.core.translated import without_accents

from .models import TaxonomyTerm
from .querysets import descendant_ids
from .taxonomy import taxonomy_copy

# Words that carry no meaning of their own in a Spanish search ("a speech therapist
# near me" has no type or place in them).
SPANISH_FUNCTION_WORDS = frozenset(
    "a al con cerca de del el en la las lo los mi mis o para por que un una unos "
    "unas y e busco necesito ayuda servicio servicios".split()
)


def plain_words(text: str) -> list[str]:
    """Lower-case words without accents: "Logopédia" and "logopedia" are one."""
    bare = without_accents(text)
    return "".join(char if char.isalnum() else " " for char in bare).split()


@dataclass
class SpanishReading:
    """The care-service types named in the words, and the words left over."""

    term_ids: list = field(default_factory=list)
    rest: str = ""


def _tree() -> list[tuple]:
    return list(TaxonomyTerm.objects.order_by().values_list("id", "code", "parent_id"))


def _phrases() -> list[tuple[tuple[str, ...], object]]:
    """Every Spanish name and other word of each type as a word tuple, with the
    term id, longest first (kept per worker: apps/directory/taxonomy.py)."""
    return taxonomy_copy("spanish phrases", _read_phrases)


def _read_phrases() -> list[tuple[tuple[str, ...], object]]:
    phrases = []
    for term_id, name, also_called in TaxonomyTerm.objects.order_by().values_list(
        "id", "name_es", "also_called_es"
    ):
        for phrase in [name or "", *(also_called or "").split(",")]:
            words = tuple(plain_words(phrase))
            if words:
                phrases.append((words, term_id))
    phrases.sort(key=lambda item: -len(item[0]))
    return phrases


def read_spanish_words(text: str) -> SpanishReading:
    words = plain_words(text)
    if not words:
        return SpanishReading()
    matched = []
    used = [False] * len(words)
    for phrase, term_id in _phrases():
        size = len(phrase)
        for start in range(len(words) - size + 1):
            span = range(start, start + size)
            if tuple(words[start : start + size]) == phrase and not any(
                used[i] for i in span
            ):
                for i in span:
                    used[i] = True
                if term_id not in matched:
                    matched.append(term_id)
    rest = [
        word
        for word, is_used in zip(words, used, strict=True)
        if not is_used and word not in SPANISH_FUNCTION_WORDS
    ]
    tree = taxonomy_copy("tree", _tree)
    term_ids = descendant_ids(tree, ids=matched) if matched else []
    return SpanishReading(term_ids=term_ids, rest=" ".join(rest))

"""How easy article text is to read, through textstat: the US reading grade of the
English (Flesch-Kincaid) and the reading ease of the Spanish (Fernández-Huerta)."""

import functools
from decimal import Decimal

import nltk
import textstat
from textstat.backend.counts import _count_syllables
from textstat.textstat import textstatistics

from .rendering import plain_text

_textstat_cmudict = _count_syllables.get_cmudict


@functools.cache
def _installed_cmudict(lang: str):
    """NLTK's CMU dictionary when it is installed, else None.

    textstat downloads the dictionary on first use; servers have no outbound
    network, and a save must never wait on one. Without the dictionary, textstat
    counts syllables with pyphen's bundled hyphenation patterns instead.
    """
    try:
        nltk.data.find("corpora/cmudict")
    except LookupError:
        return None
    return _textstat_cmudict(lang)


_count_syllables.get_cmudict = _installed_cmudict


def reading_grade(markdown_text: str) -> Decimal | None:
    """The US school grade needed to read the text, or None for an empty text."""
    text = plain_text(markdown_text)
    if not text.strip():
        return None
    grade = textstat.flesch_kincaid_grade(text)
    # The column holds -99.9 to 99.9; nonsense text can fall outside it.
    grade = max(min(grade, 99.9), -99.9)
    return Decimal(str(round(grade, 1)))


# Easy Spanish scores at least this on Fernández-Huerta (0-100, higher is easier).
TARGET_SPANISH_READING_EASE = 70


def spanish_reading_ease(markdown_text: str | None) -> Decimal | None:
    """The Fernández-Huerta reading ease of Spanish text, or None for no text.

    An instance of its own is set to Spanish: textstat's shared one stays English,
    so the English grade computed elsewhere at the same time is unaffected."""
    text = plain_text(markdown_text or "")
    if not text.strip():
        return None
    spanish = textstatistics()
    spanish.set_lang("es")
    ease = max(min(spanish.fernandez_huerta(text), 999.9), -999.9)
    return Decimal(str(round(ease, 1)))

"""How easy text is to read, through textstat: the US reading grade of English
text (Flesch-Kincaid), and the reading ease of Spanish text (Fernández-Huerta)."""

import functools
from decimal import Decimal

import nltk
import textstat
from textstat.backend import metrics
from textstat.backend.counts import _count_syllables

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


# Fernández-Huerta's scale: 70 to 80 reads "fairly easy", above 80 "easy"; the
# Spanish content is held to at least this.
EASY_SPANISH = 70


def spanish_reading_ease(markdown_text: str) -> Decimal | None:
    """Fernández-Huerta reading ease of Spanish text (higher is easier), or None
    for an empty text.

    Calls textstat's formula with the language given, rather than through
    textstat.set_lang(), which would switch the language of every later English
    measure in the process too.
    """
    text = plain_text(markdown_text)
    if not text.strip():
        return None
    return Decimal(str(round(metrics.fernandez_huerta(text, "es"), 1)))

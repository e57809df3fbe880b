"""Content shown in a language it may not be written in yet.

Translated fields (each app's translation.py) read the page's language and fall back
to English when there is no Spanish text yet. A page must then say so: the English
text is marked ``lang="en"`` (for screen readers, and for the check that finds
English left on Spanish pages) and a short notice in Spanish says the page is not
translated yet. This module tells, for an object or one of its fields, which
language a page in the active language really shows; the template tags in
apps/core/templatetags/translated_content.py use it.
"""

import unicodedata

from django.conf import settings
from django.utils.translation import get_language
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

FALLBACK = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def active_language() -> str:
    return (get_language() or FALLBACK).split("-")[0]


def translated_fields(obj) -> tuple[str, ...]:
    try:
        return tuple(translator.get_options_for_model(type(obj)).fields)
    except NotRegistered:
        return ()


def _has_text(obj, field: str, language: str) -> bool:
    value = getattr(obj, build_localized_fieldname(field, language), None)
    return value is not None and value != ""


def shown_language(obj, field: str | None = None) -> str:
    """The language a page in the active language shows obj's text in (one field,
    or all of them: any field still in English makes the whole object English)."""
    language = active_language()
    if language == FALLBACK or obj is None:
        return language
    fields = (field,) if field else translated_fields(obj)
    for name in fields:
        if _has_text(obj, name, FALLBACK) and not _has_text(obj, name, language):
            return FALLBACK
    return language


def is_translated(obj, field: str | None = None) -> bool:
    """Whether a page in the active language shows obj's (field's) own text."""
    return shown_language(obj, field) == active_language()


def without_accents(text: str) -> str:
    """Lower-case text with its accents taken off ("Logopédia" -> "logopedia"), as
    the Spanish searches compare words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))

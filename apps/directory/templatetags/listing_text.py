"""Text that exists in one language only, shown on pages in another.

- ``{{ value|in_english }}``: what the directory stores in English alone (listings
  come from providers and imports in English: names, descriptions, fees, hours
  notes...). On a page in another language it is wrapped in ``<span lang="en">``,
  so a screen reader pronounces it in English and the reader sees it is not
  translated; on an English page it is shown as it is.
- ``{{ value|as_written }}``: what a person typed (a note, a referral's reason): in
  whatever language they wrote it, never translated, so marked ``translate="no"``
  on a page in another language than English.

Translated content (django-modeltranslation) uses apps.core's ``translated``
filter instead.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from apps.core.translated import FALLBACK, active_language

register = template.Library()


def _mark(value, attribute: str):
    if value is None or value == "" or active_language() == FALLBACK:
        return value
    return format_html("<span {}>{}</span>", attribute, value)


# Made once: these filters run several times on every search result card.
ENGLISH = format_html('lang="{}"', FALLBACK)
NOT_TO_TRANSLATE = mark_safe('translate="no"')  # nosec B308: a constant


@register.filter
def in_english(value):
    return _mark(value, ENGLISH)


@register.filter
def as_written(value):
    return _mark(value, NOT_TO_TRANSLATE)

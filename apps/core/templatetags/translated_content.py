"""Template tags for content that may have no Spanish text yet (apps.core.translated).

- ``{% content_lang obj %}`` (or ``{% content_lang obj "field" %}``) inside an
  element's start tag: `` lang="en"`` when the object (field) is shown in English on a
  page in another language, else nothing.
- ``{% untranslated_notice obj other_obj rows %}``: the short notice in Spanish that
  the page is not translated yet, when any object given (or any in a list given) has
  no text of its own in the page's language; nothing on English pages.
- ``{{ obj|translated:"name" }}``: one field's text, inside ``<span lang="en">`` when
  it falls back to English.
"""

from django import template
from django.db.models import QuerySet
from django.utils.html import format_html

from apps.core.translated import active_language, is_translated, shown_language

register = template.Library()


@register.simple_tag
def content_lang(obj, field: str | None = None) -> str:
    if is_translated(obj, field):
        return ""
    return format_html(' lang="{}"', shown_language(obj, field))


def _each(objects):
    for obj in objects:
        if isinstance(obj, list | tuple | QuerySet):
            yield from obj
        elif obj is not None:
            yield obj


@register.inclusion_tag("includes/untranslated_notice.html")
def untranslated_notice(*objects) -> dict:
    untranslated = any(not is_translated(obj) for obj in _each(objects))
    return {"untranslated": untranslated, "language": active_language()}


@register.filter
def translated(obj, field: str) -> str:
    value = getattr(obj, field)
    if is_translated(obj, field):
        return value
    return format_html('<span lang="{}">{}</span>', shown_language(obj, field), value)

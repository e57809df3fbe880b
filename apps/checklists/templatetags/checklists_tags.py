import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from apps.diseases.rendering import CITATION_MARK

register = template.Library()

CITATION = re.compile(r"\[(\d{1,3})\]")


@register.simple_tag
def cited(text: str, item) -> SafeString:
    """An item's plain text, escaped, with each [n] linked to the item's source n.

    A number without a source stays plain text. Needs item.citations prefetched.
    """
    numbers = {citation.order for citation in item.citations.all()}

    def link(match: re.Match) -> str:
        number = int(match.group(1))
        if number not in numbers:
            return match.group(0)
        return format_html(
            '<sup><a href="#item-{}-source-{}" class="citation" '
            'aria-label="Source {}">[{}]</a></sup>',
            item.pk,
            number,
            number,
            number,
        )

    escaped = str(conditional_escape(text or ""))
    # Escaping leaves digits and brackets alone, so the marks survive it.
    return mark_safe(CITATION.sub(link, escaped))  # nosec B308 B703: escaped above


@register.filter
def without_citations(text: str) -> str:
    """Text without its [n] marks, for print and places without the sources."""
    return CITATION_MARK.sub("", text or "")

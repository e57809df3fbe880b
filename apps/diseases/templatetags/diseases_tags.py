from django import template
from django.utils.safestring import SafeString

from apps.diseases.rendering import render_markdown

register = template.Library()


@register.filter
def markdown(value: str) -> SafeString:
    """Render an editor's Markdown as sanitised HTML."""
    return render_markdown(value or "").html

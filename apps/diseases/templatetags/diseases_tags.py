from django import template
from django.utils.safestring import SafeString

from apps.diseases.helplines import CRISIS, HELPLINES
from apps.diseases.rendering import render_markdown

register = template.Library()


@register.filter
def markdown(value: str) -> SafeString:
    """Render an editor's Markdown as sanitised HTML."""
    return render_markdown(value or "").html


@register.simple_tag
def helplines() -> dict:
    """The crisis line and the disease helplines, for includes/get_help.html."""
    return {"crisis": CRISIS, "lines": HELPLINES}

"""Writing HTML in Python where a template would cost too much (the search form's
fields and result cards, apps/directory/templatetags): one escaping rule for all."""

import html

from django.utils.safestring import SafeData


def html_text(value) -> str:
    """``value`` as HTML, as a template writes ``{{ value }}``: already-safe HTML as
    it is, anything else escaped (Django's conditional_escape, without its per-call
    overhead)."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))

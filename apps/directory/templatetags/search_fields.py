"""The directory search form's fields, as HTML: ``{% search_input %}``,
``{% search_select %}`` and ``{% search_check %}``.

The search page and the caseworker's service chooser show up to eleven fields on
every search. As one included template each, they cost the page more CPU than
its database work (an include with its variables and conditions per field). These
tags write the same markup from ``ServiceSearchForm.shown`` (each field read once),
every value escaped as the templates would.
"""

import html

from django import template
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()


def _text(value) -> str:
    """``value`` as HTML: already-safe HTML as it is, anything else escaped."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


def _errors(field: dict) -> str:
    return "".join(
        f'<div id="{_text(field["id_for_label"])}-error" class="invalid-feedback">'
        f"{_text(error)}</div>"
        for error in field["errors"]
    )


@register.simple_tag
def search_input(field: dict, type="text", inputmode="", autocomplete="") -> SafeString:
    """A labelled text input with its help and errors (``field``: form.shown.x)."""
    name = _text(field["id_for_label"])
    value = field["value"]
    attributes = [
        f'type="{_text(type)}"',
        f'name="{_text(field["html_name"])}"',
        f'id="{name}"',
        f'class="form-control{" is-invalid" if field["errors"] else ""}"',
        f'value="{_text("" if value is None else value)}"',
    ]
    if field["max_length"]:
        attributes.append(f'maxlength="{_text(field["max_length"])}"')
    if inputmode:
        attributes.append(f'inputmode="{_text(inputmode)}"')
    if autocomplete:
        attributes.append(f'autocomplete="{_text(autocomplete)}"')
    described = []
    if field["errors"]:
        described.append(f"{name}-error")
    if field["help_text"]:
        described.append(f"{name}-help")
    if described:
        attributes.append(f'aria-describedby="{" ".join(described)}"')
    if field["errors"]:
        attributes.append('aria-invalid="true"')
    help_text = (
        f'<div id="{name}-help" class="form-text">{_text(field["help_text"])}</div>'
        if field["help_text"]
        else ""
    )
    return mark_safe(  # nosec B308 B703: every value escaped by _text
        f'<div class="mb-3"><label for="{name}" class="form-label">'
        f"{_text(field['label'])}</label><input {' '.join(attributes)}>"
        f"{_errors(field)}{help_text}</div>"
    )


@register.simple_tag
def search_select(field: dict, options) -> SafeString:
    """A labelled drop-down; ``options``: its <option>s (form.options_html.x)."""
    name = _text(field["id_for_label"])
    invalid = (
        f' aria-invalid="true" aria-describedby="{name}-error"'
        if field["errors"]
        else ""
    )
    return mark_safe(  # nosec B308 B703: every value escaped by _text
        f'<div class="mb-3"><label for="{name}" class="form-label">'
        f"{_text(field['label'])}</label>"
        f'<select name="{_text(field["html_name"])}" id="{name}" '
        f'class="form-select{" is-invalid" if field["errors"] else ""}"{invalid}>'
        f"{_text(options)}</select>"
        f"{_errors(field)}</div>"
    )


@register.simple_tag
def search_check(field: dict) -> SafeString:
    """A labelled checkbox."""
    name = _text(field["id_for_label"])
    return mark_safe(  # nosec B308 B703: every value escaped by _text
        f'<div class="form-check mb-2"><input type="checkbox" '
        f'name="{_text(field["html_name"])}" id="{name}" class="form-check-input"'
        f"{' checked' if field['value'] else ''}>"
        f'<label for="{name}" class="form-check-label">{_text(field["label"])}</label>'
        "</div>"
    )

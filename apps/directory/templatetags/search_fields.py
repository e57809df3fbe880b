"""The directory search form's fields, as HTML: ``{% search_input %}``,
``{% search_select %}`` and ``{% search_check %}``.

The search page and the caseworker's service chooser show up to eleven fields on
every search. As one included template each, they cost the page more CPU than
its database work (an include with its variables and conditions per field). These
tags write the same markup from ``ServiceSearchForm.shown`` (each field read once),
every value escaped as the templates would.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

from apps.core.markup import html_text

register = template.Library()


def _labelled(field: dict, control: str, after: str = "") -> SafeString:
    """The field's label, its control, its errors and ``after`` (its help)."""
    name = html_text(field["id_for_label"])
    errors = "".join(
        f'<div id="{name}-error" class="invalid-feedback">{html_text(error)}</div>'
        for error in field["errors"]
    )
    return mark_safe(  # nosec B308 B703: every value escaped by html_text
        f'<div class="mb-3"><label for="{name}" class="form-label">'
        f"{html_text(field['label'])}</label>{control}{errors}{after}</div>"
    )


@register.simple_tag
def search_input(field: dict, type="text", inputmode="", autocomplete="") -> SafeString:
    """A labelled text input with its help and errors (``field``: form.shown.x)."""
    name = html_text(field["id_for_label"])
    value = field["value"]
    attributes = [
        f'type="{html_text(type)}"',
        f'name="{html_text(field["html_name"])}"',
        f'id="{name}"',
        f'class="form-control{" is-invalid" if field["errors"] else ""}"',
        f'value="{html_text("" if value is None else value)}"',
    ]
    if field["max_length"]:
        attributes.append(f'maxlength="{html_text(field["max_length"])}"')
    if inputmode:
        attributes.append(f'inputmode="{html_text(inputmode)}"')
    if autocomplete:
        attributes.append(f'autocomplete="{html_text(autocomplete)}"')
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
        f'<div id="{name}-help" class="form-text">{html_text(field["help_text"])}</div>'
        if field["help_text"]
        else ""
    )
    return _labelled(field, f"<input {' '.join(attributes)}>", help_text)


@register.simple_tag
def search_select(field: dict, options) -> SafeString:
    """A labelled drop-down; ``options``: its <option>s (form.options_html.x)."""
    name = html_text(field["id_for_label"])
    invalid = (
        f' aria-invalid="true" aria-describedby="{name}-error"'
        if field["errors"]
        else ""
    )
    return _labelled(
        field,
        f'<select name="{html_text(field["html_name"])}" id="{name}" '
        f'class="form-select{" is-invalid" if field["errors"] else ""}"{invalid}>'
        f"{html_text(options)}</select>",
    )


@register.simple_tag
def search_check(field: dict) -> SafeString:
    """A labelled checkbox."""
    name = html_text(field["id_for_label"])
    return mark_safe(  # nosec B308 B703: every value escaped by html_text
        f'<div class="form-check mb-2"><input type="checkbox" '
        f'name="{html_text(field["html_name"])}" id="{name}" class="form-check-input"'
        f"{' checked' if field['value'] else ''}>"
        f'<label for="{name}" class="form-check-label">'
        f"{html_text(field['label'])}</label></div>"
    )

"""``{% service_card service %}``: a search result's card, as HTML.

A card is a dozen short lines, and a page shows ten. Through template tags, each
line's variables, conditions and translations cost the page about 2 ms of CPU
per search at 100,000 services, more than the database's work for it. Here the
card is put together from the text read_cards() prepared in the page's language
(apps/directory/cards.py). Every value goes through ``_text()``: the same escaping
as the templates' (Django's conditional_escape), without its per-call overhead.
"""

import html

from django import template
from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _text(value) -> str:
    """``value`` as HTML: already-safe HTML as it is, anything else escaped."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


def _place_line(service) -> str:
    place = _text(service.place_shown) if service.place_shown else ""
    if service.distance is None:
        return f"<li>{place}</li>" if place else ""
    # floatformat, as the templates round: half up (3.85 miles is 3.9).
    away = _text(
        _("%(distance)s miles away") % {"distance": floatformat(service.distance, 1)}
    )
    return f"<li><strong>{away}</strong>{': ' + place if place else ''}</li>"


def _facts(service) -> str:
    badge_class, badge_text, hours_text = service.badge
    lines = [_place_line(service)]
    if service.card_phone:
        lines.append(
            f"<li>{_text(service.phone_label)} "
            f'<a href="tel:{_text(service.phone_uri)}">{_text(service.card_phone)}</a>'
            "</li>"
        )
    hours = f" {_text(hours_text)}" if hours_text else ""
    lines.append(
        f'<li><span class="badge {_text(badge_class)}">{_text(badge_text)}</span>'
        f"{hours}</li>"
    )
    lines.append(
        f"<li>{_text(service.reach_text)} &middot; {_text(service.referral_text)}</li>"
    )
    stale = (
        ' &middot; <span class="text-warning-emphasis fw-semibold">'
        f"{_text(service.stale_text)}</span>"
        if service.stale_text
        else ""
    )
    lines.append(f'<li class="small">{_text(service.checked_text)}{stale}</li>')
    return "".join(lines)


@register.simple_tag
def service_card(service) -> SafeString:
    """The card's heading, facts, types and summary (the save control, for
    patients, is the template's)."""
    parts = [
        f'<h3 class="h5 card-title mb-1"><a href="{_text(service.url)}">'
        f"{_text(service.name_shown)}</a></h3>"
        f'<p class="mb-1 text-muted">{_text(service.organization_shown)}</p>'
        f'<ul class="list-unstyled mb-2 service-facts">{_facts(service)}</ul>'
    ]
    if service.card_types:
        badges = "".join(
            f'<span class="badge text-bg-light border">{_text(name)}</span> '
            for name in service.card_types
        )
        parts.append(f'<p class="mb-1 small">{badges}</p>')
    if service.summary:
        parts.append(f'<p class="mb-2">{_text(service.summary_shown)}</p>')
    return mark_safe("".join(parts))  # nosec B308 B703: every value escaped by _text

"""``{% service_card service %}``: a search result's card, as HTML.

A card is a dozen short lines, and a page shows ten. Through template tags, each
line's variables, conditions and translations cost the page about 2 ms of CPU
per search at 100,000 services, more than the database's work for it. Here the
card is put together from the text read_cards() prepared in the page's language
(apps/directory/cards.py). Every value goes through ``html_text()``: the same escaping
as the templates' (Django's conditional_escape), without its per-call overhead.
"""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from apps.core.markup import html_text

register = template.Library()


def _place_line(service) -> str:
    place = html_text(service.place_shown) if service.place_shown else ""
    if service.distance is None:
        return f"<li>{place}</li>" if place else ""
    # floatformat, as the templates round: half up (3.85 miles is 3.9).
    away = html_text(
        _("%(distance)s miles away") % {"distance": floatformat(service.distance, 1)}
    )
    return f"<li><strong>{away}</strong>{': ' + place if place else ''}</li>"


def _facts(service) -> str:
    badge_class, badge_text, hours_text = service.badge
    lines = [_place_line(service)]
    if service.card_phone:
        lines.append(
            f"<li>{html_text(service.phone_label)} "
            f'<a href="tel:{html_text(service.phone_uri)}">'
            f"{html_text(service.card_phone)}</a></li>"
        )
    hours = f" {html_text(hours_text)}" if hours_text else ""
    lines.append(
        f'<li><span class="badge {html_text(badge_class)}">'
        f"{html_text(badge_text)}</span>{hours}</li>"
    )
    lines.append(
        f"<li>{html_text(service.reach_text)} &middot; "
        f"{html_text(service.referral_text)}</li>"
    )
    stale = (
        ' &middot; <span class="text-warning-emphasis fw-semibold">'
        f"{html_text(service.stale_text)}</span>"
        if service.stale_text
        else ""
    )
    lines.append(f'<li class="small">{html_text(service.checked_text)}{stale}</li>')
    return "".join(lines)


@register.simple_tag
def service_card(service) -> SafeString:
    """The card's heading, facts, types and summary (the save control, for
    patients, is the template's)."""
    parts = [
        f'<h3 class="h5 card-title mb-1"><a href="{html_text(service.url)}">'
        f"{html_text(service.name_shown)}</a></h3>"
        f'<p class="mb-1 text-muted">{html_text(service.organization_shown)}</p>'
        f'<ul class="list-unstyled mb-2 service-facts">{_facts(service)}</ul>'
    ]
    if service.card_types:
        badges = "".join(
            f'<span class="badge text-bg-light border">{html_text(name)}</span> '
            for name in service.card_types
        )
        parts.append(f'<p class="mb-1 small">{badges}</p>')
    if service.summary:
        parts.append(f'<p class="mb-2">{html_text(service.summary_shown)}</p>')
    return mark_safe("".join(parts))  # nosec B308 B703: every value escaped by html_text

"""What a search result card shows, read for a whole page in one fixed query.

A card shows the service's name, organisation, first phone, the address of a
location (inside the searched area when there is one), today's weekly opening hours
(of the service and of its sites) and whether it is open now (the same
``open_minutes`` test as the "Open now" filter), its types, telehealth and
referrals. What comes from other tables (the phone, the addresses, the weekly hours
and the type names) is kept on the service as ``card`` by refresh_search_index
(stored_card.py), with the search columns and whenever they are: six correlated
subqueries per card were a third of the database's work for a search. What depends
on the search (the address inside the area, today's hours, the page's language) is
chosen here.
"""

import functools
import json
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import router
from django.urls import reverse
from django.utils.dateformat import time_format
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.core.prepared import prepared_cursor

from .geo import ZipCentroid, bounding_box
from .models import Service
from .opening import minute_of_week
from .querysets import WEEKDAYS, stale_cutoff
from .templatetags.listing_text import as_written, in_english

CARD_SQL = """
SELECT s.id, s.name, s.description, s.status, s.telehealth, s.accepts_referrals,
       s.last_verified, s.organization_id, o.name AS organization_name,
       coalesce(s.open_minutes @> %(minute)s::integer, false) AS is_open_now,
       s.card::text AS stored_card
  FROM directory_service s
  JOIN directory_organization o ON o.id = s.organization_id
 WHERE s.id = ANY(%(ids)s::uuid[])
"""


SUMMARY_WORDS = 30


@functools.cache
def card_words(language: str) -> dict[str, str]:
    """The fixed words of a card in ``language`` (the active one: gettext reads
    it), translated once per worker rather than by a tag per card: a page of ten
    cards made some 130 translation lookups."""
    return {
        "phone": _("Phone:"),
        "temporarily_closed": _("Temporarily closed"),
        "open_now": _("Open now"),
        "closed_now": _("Closed now"),
        "today": _("Today %(hours)s"),
        "closed_today": _("Closed today"),
        "no_hours": _("or hours not listed"),
        "telehealth": _("Offers telehealth"),
        "in_person": _("In person only"),
        "referrals": _("Takes referrals from caseworkers"),
        "no_referrals": _("No referrals: contact them directly"),
        "checked": _("Listing last checked %(month)s"),
        "not_checked": _("Listing not yet checked"),
        "stale": _("may be out of date: call before you go"),
    }


def _clock(moment: time) -> str:
    """9:30 AM, 12:00 PM: the time as the cards write it (a format each language
    sets in its catalogue: a Django time format)."""
    return _written_clock(get_language(), moment)


# Opening hours fall on a few hundred different times, written on every card:
# formatting each anew cost more than the rest of the card.
@functools.lru_cache(maxsize=4096)
def _written_clock(language: str, moment: time) -> str:
    return time_format(moment, _("g:i A"))


@functools.lru_cache(maxsize=1024)
def _written_month(language: str, month: date) -> str:
    """The month a listing was last checked, as the cards write it."""
    return date_format(month, "YEAR_MONTH_FORMAT")


@dataclass(frozen=True)
class OpeningHours:
    """One opening of a day."""

    opens_at: time
    closes_at: time | None

    def __str__(self) -> str:
        return _written_hours(get_language(), self.opens_at, self.closes_at)


@functools.lru_cache(maxsize=4096)
def _written_hours(language: str, opens_at: time, closes_at: time | None) -> str:
    """An opening as the cards write it, once per worker and language."""
    if closes_at is None:
        return _("from %(opens)s") % {"opens": _clock(opens_at)}
    return _("%(opens)s to %(closes)s") % {
        "opens": _clock(opens_at),
        "closes": _clock(closes_at),
    }


def read_cards(
    ids: list[str],
    *,
    moment: datetime,
    centre: ZipCentroid | None = None,
    miles: float = 0,
) -> dict[str, Service]:
    """{id: Service} with what the cards show; ``moment`` is local time, and a
    location within ``miles`` of ``centre`` is preferred for the address.

    Each service gets ``organization_name``, ``card_phone``, ``phone_uri`` (for a
    tel: link), ``card_address`` (dict), ``place`` ("Boston, MA 02114"),
    ``card_types``, ``hours_today`` (a list of OpeningHours), ``hours_label``,
    ``is_open_now``, ``url`` and ``summary`` (the description's first words);
    ``last_verified`` says how fresh the listing is (``Service.is_stale``).
    Text is prepared here, once, rather than through template tags and filters
    per card (see ``_word_the_card``).
    """
    if not ids:
        return {}
    box = None
    if centre is not None:
        lookups = bounding_box(centre.latitude, centre.longitude, miles)
        box = (*lookups["latitude__range"], *lookups["longitude__range"])
    language = get_language()
    day = WEEKDAYS[moment.weekday()]
    params = {"ids": ids, "minute": minute_of_week(moment)}
    # One reverse() for the page: the path of a service differs only by its id.
    sample = "00000000-0000-0000-0000-000000000000"
    url_pattern = reverse("directory:service_detail", args=[sample])
    cards = {}
    for service in _read_services(params):
        stored = json.loads(service.stored_card or "{}")
        service.card_phone = stored.get("phone")
        service.card_address = _address_in(box, stored.get("addresses") or [])
        service.card_types = (stored.get("types") or {}).get(
            "es" if language == "es" else "en", []
        )
        service.hours_today = sorted(
            {
                OpeningHours(
                    time.fromisoformat(row["opens_at"]),
                    time.fromisoformat(row["closes_at"]) if row["closes_at"] else None,
                )
                for row in stored.get("hours") or []
                if day in row["days"]
            },
            key=lambda hours: hours.opens_at,
        )
        phone = service.card_phone or ""
        service.phone_uri = "".join(c for c in phone if c.isdigit() or c == "+")
        service.hours_label = ", ".join(str(hours) for hours in service.hours_today)
        address = service.card_address or {}
        service.place = (
            f"{address['city']}, {address['state']} {address['postal_code']}"
            if address
            else ""
        )
        service.url = url_pattern.replace(sample, str(service.id))
        words = service.description.split()
        service.summary = " ".join(words[:SUMMARY_WORDS]) + (
            " \u2026" if len(words) > SUMMARY_WORDS else ""
        )
        cards[str(service.id)] = service
    words = card_words(language)
    cutoff = stale_cutoff()
    for service in cards.values():
        _word_the_card(service, words, cutoff, language)
    return cards


def _address_in(box: tuple | None, addresses: list[dict]) -> dict | None:
    """The first address (by site name) of a site inside the box (south, north,
    west, east), else of a site with coordinates, else the first."""

    def outside(address: dict) -> int:
        latitude, longitude = address.get("latitude"), address.get("longitude")
        if box is None:
            return 0
        if latitude is None or longitude is None:
            return 2
        south, north, west, east = box
        inside = south <= latitude <= north and west <= longitude <= east
        return 0 if inside else 1

    # min() keeps the first of equals: the stored order (site name, address).
    return min(addresses, key=outside, default=None)


def _read_services(params: dict) -> list[Service]:
    """The card query's rows as Service instances with its extra columns set."""
    # Where the directory is read from: a replica when there is one (db_router).
    using = router.db_for_read(Service)
    with prepared_cursor(using) as cursor:
        cursor.execute(CARD_SQL, params)
        names = [column.name for column in cursor.description]
        rows = cursor.fetchall()
    model_fields = {field.attname for field in Service._meta.concrete_fields}
    # from_db() takes the values in the model's field order.
    loaded = [
        field.attname
        for field in Service._meta.concrete_fields
        if field.attname in names
    ]
    services = []
    for row in rows:
        values = dict(zip(names, row, strict=True))
        service = Service.from_db(using, loaded, [values[n] for n in loaded])
        for name in names:
            if name not in model_fields:
                setattr(service, name, values[name])
        services.append(service)
    return services


def _word_the_card(
    service: Service, words: dict[str, str], cutoff: date, language: str
) -> None:
    """The card's text in the page's language, each line ready to show: listing
    text marked as English on other pages (``in_english``), addresses as written."""
    service.name_shown = in_english(service.name)
    service.organization_shown = in_english(service.organization_name)
    service.summary_shown = in_english(service.summary)
    service.place_shown = as_written(service.place)
    service.phone_label = words["phone"]
    if service.status == Service.Status.TEMPORARILY_CLOSED:
        service.badge = ("text-bg-warning", words["temporarily_closed"], "")
    elif service.hours_label:
        service.badge = (
            "text-bg-success" if service.is_open_now else "text-bg-secondary",
            words["open_now"] if service.is_open_now else words["closed_now"],
            words["today"] % {"hours": service.hours_label},
        )
    else:
        service.badge = ("text-bg-secondary", words["closed_today"], words["no_hours"])
    service.reach_text = words["telehealth" if service.telehealth else "in_person"]
    service.referral_text = words[
        "referrals" if service.accepts_referrals else "no_referrals"
    ]
    service.checked_text = (
        words["checked"]
        % {"month": _written_month(language, service.last_verified.replace(day=1))}
        if service.last_verified
        else words["not_checked"]
    )
    service.stale_text = (
        words["stale"]
        if service.last_verified is None or service.last_verified < cutoff
        else ""
    )

"""What the search page offers when a search finds nothing, so that it is never a
dead end: telehealth services of the same type (they serve from afar), the nearest
matches beyond the radius, and which filter to take off."""

import copy
from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .forms import MAX_RADIUS_MILES, ServiceSearchForm
from .models import Service

SHOWN = 3
# The nearest beyond the radius are first sought this far or four radii away.
NEAR_FIRST_MILES = 50
# The filters a searcher may take off, in the order they are offered.
RELAXABLE = [
    ("open_now", _("Open now")),
    ("accepts_referrals", _("Accepts referrals")),
    ("telehealth", _("Offers telehealth")),
    ("language", _("Language")),
    ("disease", _("Knows this disease")),
    ("type", _("Type of service")),
    ("q", _("Your words")),
]


def _search_url(request: HttpRequest, without: set[str], **values) -> str:
    """This search's URL without the parameters ``without`` nor its page, with
    ``values`` set. Built from the query's pairs: copying the QueryDict for each
    of up to eight links deep-copied it each time."""
    dropped = {*without, *values, "page"}
    pairs = [
        (name, value)
        for name, items in request.GET.lists()
        if name not in dropped
        for value in items
    ]
    encoded = urlencode([*pairs, *values.items()])
    path = reverse("directory:service_list")
    return f"{path}?{encoded}" if encoded else path


def for_empty_search(
    request: HttpRequest, form: ServiceSearchForm, now: datetime
) -> dict:
    """Context for a search without results: telehealth services of the type (one
    query), the nearest beyond the radius (one or two: see _nearest_beyond), and
    the names of both (one)."""
    data = form.cleaned_data
    same_type = Service.objects.listed()
    if data.get("type"):
        same_type = same_type.of_types(data["type_ids"])
    same_type = same_type.matching(data.get("q") or "", reading=form.word_reading)
    searches = []
    if not data.get("telehealth") and (data.get("type") or data.get("zip")):
        # Ranked among the usual number of candidates, not just SHOWN: asked for
        # four rows, PostgreSQL expected to meet them early and read all 100,000
        # services when there were none (290 ms); asked for 201, it reads the
        # matches through the indexes.
        searches.append(same_type.with_telehealth().search_results())
    else:
        searches.append(None)
    centre = data.get("zip")
    if centre and data["radius"] < MAX_RADIUS_MILES:
        searches.append(_nearest_beyond(form, now))
    else:
        searches.append(None)
    telehealth, beyond = _shown(searches)
    wider = None
    if beyond:
        nearest = beyond[0].distance
        wider = min(MAX_RADIUS_MILES, int(nearest) + 5 - int(nearest) % 5)
    relax = [
        {"label": label, "url": _search_url(request, {name})}
        for name, label in RELAXABLE
        if data.get(name)
    ]
    return {
        "telehealth_suggestions": telehealth,
        "beyond_suggestions": beyond,
        "wider_radius": wider,
        "wider_url": _search_url(request, set(), radius=wider) if wider else None,
        "relax_links": relax,
    }


def _shown(searches: list) -> list[list]:
    """The first SHOWN services of each search (None: none), their names read in
    one query for all."""
    ids = [
        pk
        for found in searches
        if found is not None
        for pk, _ in found.candidates()[:SHOWN]
    ]
    names = _names(ids) if ids else {}
    shown = []
    for found in searches:
        if found is None:
            shown.append([])
            continue
        # A copy each: a service in both lists gets the distance of each.
        found.read = lambda wanted: {pk: copy.copy(names[pk]) for pk in wanted}
        shown.append(found[:SHOWN])
    return shown


def _names(ids: list[str]) -> dict:
    """{id: Service} with what a suggestion shows: its name and organisation's."""
    services = (
        Service.objects.select_related("organization")
        .only("name", "organization__name")
        .in_bulk(ids)
    )
    return {str(pk): service for pk, service in services.items()}


def _nearest_beyond(form: ServiceSearchForm, now: datetime):
    """The search for the SHOWN nearest matches beyond the radius and within
    MAX_RADIUS_MILES, their ids read: one query for a circle four times as wide (at
    least NEAR_FIRST_MILES), one more for the widest circle when that holds fewer
    than SHOWN.

    A search that finds nothing is either about a place with few services near it
    (a ZIP code alone, five miles around a village): the near circle holds enough,
    and reading every service within 500 miles took 44 ms. Or it asks for
    something rare: a quarter of the bench's empty filtered searches matched no
    place in the whole country. Then each circle reads the same words' and types'
    indexes again, and going from the near circle straight to the widest spares
    one of three (the places lie in bands of latitude, apps.directory.places, so
    the wide box is a few runs of pages). Measured on the bench's empty searches,
    with circles of 50, 150 and 500 miles before: 208 filtered, 11.3 -> 8.4 ms
    each; 61 by ZIP code alone, 1.8 ms both ways; the same services."""
    data = form.cleaned_data
    anywhere = form.services(now=now, near=False)
    near_first = min(MAX_RADIUS_MILES, max(NEAR_FIRST_MILES, 4 * data["radius"]))
    for miles in dict.fromkeys([near_first, MAX_RADIUS_MILES]):
        found = anywhere.near(data["zip"], miles, beyond=data["radius"]).search_results(
            sort="distance"
        )
        found.limit = SHOWN
        if found.count() >= SHOWN:
            break
    # The last circle read: the one that holds enough, else the widest.
    return found

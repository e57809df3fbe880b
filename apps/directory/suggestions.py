"""What the search page offers when a search finds nothing, so that it is never a
dead end: telehealth services of the same type (they serve from afar), the nearest
matches beyond the radius, and which filter to take off."""

from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
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


def _without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    encoded = query.urlencode()
    path = reverse("directory:service_list")
    return f"{path}?{encoded}" if encoded else path


def for_empty_search(
    request: HttpRequest, form: ServiceSearchForm, now: datetime
) -> dict:
    """Context for a search without results: telehealth services of the type (two
    queries), the nearest beyond the radius (two or three: see _nearest_beyond)."""
    data = form.cleaned_data
    same_type = Service.objects.listed()
    if data.get("type"):
        same_type = same_type.of_types(data["type_ids"])
    same_type = same_type.matching(data.get("q") or "", reading=form.word_reading)
    telehealth = []
    if not data.get("telehealth") and (data.get("type") or data.get("zip")):
        # Ranked among the usual number of candidates, not just SHOWN: asked for
        # four rows, PostgreSQL expected to meet them early and read all 100,000
        # services when there were none (290 ms); asked for 201, it reads the
        # matches through the indexes.
        found = same_type.with_telehealth().search_results()
        found.read = _names
        telehealth = found[:SHOWN]
    beyond = []
    wider = None
    centre = data.get("zip")
    if centre and data["radius"] < MAX_RADIUS_MILES:
        beyond = _nearest_beyond(form, now)
        if beyond:
            nearest = beyond[0].distance
            wider = min(MAX_RADIUS_MILES, int(nearest) + 5 - int(nearest) % 5)
    relax = [
        {"label": label, "url": _without(request, name)}
        for name, label in RELAXABLE
        if data.get(name)
    ]
    return {
        "telehealth_suggestions": telehealth,
        "beyond_suggestions": beyond,
        "wider_radius": wider,
        "wider_url": _with_radius(request, wider) if wider else None,
        "relax_links": relax,
    }


def _names(ids: list[str]) -> dict:
    """{id: Service} with what a suggestion shows: its name and organisation's."""
    services = (
        Service.objects.select_related("organization")
        .only("name", "organization__name")
        .in_bulk(ids)
    )
    return {str(pk): service for pk, service in services.items()}


def _nearest_beyond(form: ServiceSearchForm, now: datetime) -> list:
    """The SHOWN nearest matches beyond the radius and within MAX_RADIUS_MILES:
    one query for a circle four times as wide (at least NEAR_FIRST_MILES), one more
    for the widest circle when that holds fewer than SHOWN, one for their names.

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
        found.read = _names
        # Counting reads ids only; the services are read for the last circle.
        if found.count() >= SHOWN or miles == MAX_RADIUS_MILES:
            return found[:SHOWN]
    return []


def _with_radius(request: HttpRequest, miles: int) -> str:
    query = request.GET.copy()
    query["radius"] = str(miles)
    query.pop("page", None)
    return f"{reverse('directory:service_list')}?{query.urlencode()}"

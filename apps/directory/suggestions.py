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
# The first ring searched beyond the radius is at least this wide (see _rings).
RING_FROM_MILES = 50
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
    queries), the nearest beyond the radius (a query per ring until one holds
    three, at most three rings, and one for their services: see _rings)."""
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
        anywhere = form.services(now=now, near=False)
        for miles in _rings(data["radius"]):
            found = anywhere.near(centre, miles, beyond=data["radius"]).search_results(
                sort="distance"
            )
            found.limit = SHOWN
            found.read = _names
            # Counting reads ids only; the services are read for the last ring.
            if found.count() >= SHOWN or miles == MAX_RADIUS_MILES:
                beyond = found[:SHOWN]
                break
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


def _rings(radius: int) -> list[int]:
    """The circles searched in turn for the nearest matches beyond the radius.

    Near rings first: a box 500 miles wide holds a third of the country's services,
    and most searches find something much closer. Each ring is three times the
    last (50, 150 then 500 miles from a 10-mile search): a broad filter finds
    three in a near ring, and reading every match within 500 miles was the slowest
    query of an empty search; a narrow filter's wider rings read few rows.
    """
    miles = min(MAX_RADIUS_MILES, max(RING_FROM_MILES, 4 * radius))
    rings = [miles]
    while miles < MAX_RADIUS_MILES:
        miles = min(MAX_RADIUS_MILES, 3 * miles)
        if MAX_RADIUS_MILES - miles <= RING_FROM_MILES:
            miles = MAX_RADIUS_MILES
        rings.append(miles)
    return rings


def _with_radius(request: HttpRequest, miles: int) -> str:
    query = request.GET.copy()
    query["radius"] = str(miles)
    query.pop("page", None)
    return f"{reverse('directory:service_list')}?{query.urlencode()}"

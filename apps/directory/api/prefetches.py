"""What each API list fetches besides its rows, as prefetches: one query per
nested list, however long the page is (the views' fixed query counts)."""

from django.db.models import Prefetch

from apps.directory.models import (
    Address,
    Language,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)


def phones(path: str) -> list:
    """A list of phones, and the languages spoken on them."""
    return [
        Prefetch(path, queryset=Phone.objects.order_by("number", "id")),
        Prefetch(
            f"{path}__languages", queryset=Language.objects.order_by("name", "id")
        ),
    ]


def service_prefetches(prefix: str = "") -> list:
    """Everything a fully nested service shows, in one query per list."""
    sal = f"{prefix}service_at_locations"
    return [
        *phones(f"{prefix}phones"),
        Prefetch(f"{prefix}schedules", queryset=Schedule.objects.order_by("id")),
        Prefetch(
            f"{prefix}languages", queryset=Language.objects.order_by("name", "id")
        ),
        Prefetch(
            f"{prefix}taxonomy_terms", queryset=TaxonomyTerm.objects.order_by("name")
        ),
        Prefetch(
            sal,
            queryset=ServiceAtLocation.objects.select_related("location").order_by(
                "location__name", "id"
            ),
        ),
        *phones(f"{sal}__phones"),
        Prefetch(f"{sal}__schedules", queryset=Schedule.objects.order_by("id")),
        *location_prefetches(f"{sal}__location__"),
    ]


def location_prefetches(prefix: str) -> list:
    return [
        Prefetch(f"{prefix}addresses", queryset=Address.objects.order_by("id")),
        *phones(f"{prefix}phones"),
        Prefetch(f"{prefix}schedules", queryset=Schedule.objects.order_by("id")),
        Prefetch(
            f"{prefix}languages", queryset=Language.objects.order_by("name", "id")
        ),
    ]


def service_at_location_prefetches() -> list:
    """Everything a fully nested service-at-location shows, one query per list."""
    return [
        *phones("phones"),
        Prefetch("schedules", queryset=Schedule.objects.order_by("id")),
        *location_prefetches("location__"),
        *service_prefetches("service__"),
    ]


def organization_prefetches(*, full_service: bool) -> list:
    services = Prefetch("services", queryset=Service.objects.order_by("name", "id"))
    return [
        *phones("phones"),
        Prefetch("locations", queryset=Location.objects.order_by("name", "id")),
        *location_prefetches("locations__"),
        services,
        *(service_prefetches("services__") if full_service else []),
    ]

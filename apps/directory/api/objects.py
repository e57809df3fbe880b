"""The directory's rows as HSDS 3.0 objects.

They are built by the JSON export's own functions (apps.directory.hsds.exporter), so an
API answer and an export file say the same thing with the same ids: CareNav's own
service details (diseases, accepts referrals, telehealth...) travel as attributes of
the ``carenav-service-details`` taxonomy in both. Nested lists read what the view
prefetched, so building a page costs no further queries.
"""

from apps.directory.hsds import exporter
from apps.directory.hsds.mapping import FACTS, FACTS_TAXONOMY, taxonomy_object


def organization_list_object(organization) -> dict:
    return exporter.hsds_object("organization", organization)


def service_list_object(service) -> dict:
    """A service's own fields and its organization (HSDS compiled/service_list)."""
    return exporter.hsds_object(
        "service",
        service,
        last_modified=exporter.json_value(service.last_modified),
        organization=organization_list_object(service.organization),
    )


def service_object(service) -> dict:
    """A fully nested service (HSDS service.json)."""
    return exporter.service_object(service)


def organization_object(organization, *, full_service: bool = True) -> dict:
    """An organization with its phones, locations and services: each service fully
    nested, or only its own fields."""
    services = []
    for service in organization.services.all():
        if full_service:
            nested = exporter.service_object(service)
            del nested["organization"]  # it is the object around it
        else:
            nested = exporter.hsds_object(
                "service",
                service,
                last_modified=exporter.json_value(service.last_modified),
            )
        services.append(nested)
    return {**exporter.organization_object(organization), "services": services}


def service_at_location_list_object(link) -> dict:
    """HSDS compiled/service_at_location_list: the link, its location and service."""
    return exporter.hsds_object(
        "service_at_location",
        link,
        location=exporter.hsds_object("location", link.location),
        service=service_list_object(link.service),
    )


def service_at_location_object(link) -> dict:
    """A fully nested service at a location: its phones and schedules, the location
    in full and the service in full."""
    service = exporter.service_object(link.service)
    return exporter.hsds_object(
        "service_at_location",
        link,
        phones=[exporter.phone_object(item) for item in link.phones.all()],
        schedules=[exporter.schedule_object(item) for item in link.schedules.all()],
        location=exporter.location_object(link.location),
        service=service,
    )


def term_object(term) -> dict:
    return exporter.term_object(term)


def fact_term_objects() -> list[dict]:
    """The terms naming CareNav's own service details (not rows of the database)."""
    return [exporter.fact_term_json(fact) for fact in FACTS]


def taxonomy_objects(names: list[str]) -> list[dict]:
    """The taxonomies of the terms in use, then CareNav's service details."""
    found = [taxonomy_object(name) for name in names]
    if FACTS_TAXONOMY["name"] not in names:
        found.append(dict(FACTS_TAXONOMY))
    return found

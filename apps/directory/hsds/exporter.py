"""Writing the directory as HSDS 3.0: a CSV datapackage (csv_export.py) and JSON.

The CSV datapackage has one file per table CareNav holds, with every HSDS column of
that table (empty where CareNav holds nothing), and a ``datapackage.json`` built from
the HSDS descriptor, cut down to those tables.

The JSON is in the shapes of the HSDS API, each file a ``Page`` with all its objects:

- ``services.json``: every service as HSDS ``service`` objects, fully nested
  (organization, service at locations with their locations, addresses, phones,
  schedules, languages, and attributes with their taxonomy terms);
- ``organizations.json``: every organization with its phones and its locations;
- ``locations.json``: locations that belong to no organization;
- ``taxonomy_terms.json``: every taxonomy term.

Together they hold every row, so importing the folder gives the same directory back.
HSDS has no null and an empty string is not a valid uri, email or date, so empty
optional values are left out of the JSON (importing leaves such a value as it is, and
an empty database holds nothing there). References are written out in nested objects
too (a phone of a service carries its ``location_id``), as HSDS allows.
"""

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from uuid import UUID

from django.db import connection, transaction

from apps.core.bulk import ProgressFactory, no_progress
from apps.directory.models import Location, Organization, Service, TaxonomyTerm

from .mapping import (
    FACT_LINK_TYPE,
    FACTS,
    FACTS_TAXONOMY,
    SERVICE_TYPE_LINK,
    TABLES_BY_NAME,
    attribute_id,
    fact_term_object,
    taxonomy_id,
    taxonomy_object,
)

SPEC_DIR = Path(__file__).parent / "spec"
CHUNK = 500


@cache
def canonical_datapackage() -> dict:
    return json.loads((SPEC_DIR / "datapackage.json").read_text(encoding="utf-8"))


@cache
def schema_required(name: str) -> tuple[str, ...]:
    schema = json.loads((SPEC_DIR / "schema" / f"{name}.json").read_text("utf-8"))
    return tuple(schema.get("required", ()))


@contextmanager
def snapshot():
    """One consistent view of the directory for the whole export."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                )
        yield


def write_atomically(path: Path, write) -> None:
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        write(handle)
    partial.replace(path)


# ---------------------------------------------------------------- values


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return hsds_datetime(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def json_value(value):
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return hsds_datetime(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def hsds_datetime(value: datetime) -> str:
    text = value.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def plain_columns(table_name: str) -> list[tuple[str, str]]:
    """(HSDS column, model attribute) of a table's own columns and references."""
    table = TABLES_BY_NAME[table_name]
    pairs = list(table.fields.items())
    pairs += [(ref.column, ref.column) for ref in table.refs if ref.stored]
    return pairs


@cache
def _kept_when_empty(table_name: str) -> frozenset[str]:
    """Columns written even when empty: required by HSDS, or whose absence would
    mean the model's non-empty default on import (a term's taxonomy or language)."""
    model = TABLES_BY_NAME[table_name].model
    kept = set(schema_required(table_name))
    for column, attribute in plain_columns(table_name):
        model_field = model._meta.get_field(attribute)
        if model_field.has_default() and model_field.get_default() not in (None, ""):
            kept.add(column)
    return frozenset(kept)


def hsds_object(table_name: str, obj, **extra) -> dict:
    """The HSDS JSON object of a row: empty optional values left out."""
    kept = _kept_when_empty(table_name)
    result = {"id": str(obj.pk)}
    for column, attribute in plain_columns(table_name):
        value = getattr(obj, attribute)
        if table_name == "phone" and column == "extension":
            # HSDS types an extension as a number; anything else cannot be sent.
            value = int(value) if value.isdigit() else None
        if value in (None, "") and column not in kept:
            continue
        result[column] = json_value(value)
    result.update(extra)
    return result


# ---------------------------------------------------------------- JSON


def language_object(language) -> dict:
    return hsds_object("language", language)


def phone_object(phone) -> dict:
    return hsds_object(
        "phone",
        phone,
        languages=[language_object(item) for item in phone.languages.all()],
    )


def schedule_object(schedule) -> dict:
    return hsds_object("schedule", schedule)


def location_object(location) -> dict:
    return hsds_object(
        "location",
        location,
        languages=[language_object(item) for item in location.languages.all()],
        addresses=[hsds_object("address", item) for item in location.addresses.all()],
        phones=[phone_object(item) for item in location.phones.all()],
        schedules=[schedule_object(item) for item in location.schedules.all()],
    )


def term_object(term) -> dict:
    extra = {}
    if term.taxonomy:
        extra = {
            "taxonomy_id": str(taxonomy_id(term.taxonomy)),
            "taxonomy_detail": taxonomy_object(term.taxonomy),
        }
    return hsds_object("taxonomy_term", term, **extra)


def fact_term_json(fact) -> dict:
    return {**fact_term_object(fact), "taxonomy_detail": FACTS_TAXONOMY}


def fact_values(service) -> Iterator[tuple]:
    """(fact, value as text) of each CareNav detail the service has."""
    by_field = {fact.field: fact for fact in FACTS}
    for disease in service.diseases:
        yield by_field["diseases"], disease
    yield (
        by_field["accepts_referrals"],
        "true" if service.accepts_referrals else "false",
    )
    if service.referral_email:
        yield by_field["referral_email"], service.referral_email
    yield by_field["telehealth"], "true" if service.telehealth else "false"
    if service.last_verified:
        yield by_field["last_verified"], service.last_verified.isoformat()


def attribute_rows(service, terms: Iterable) -> Iterator[dict]:
    """The service's attributes as tabular rows (without the nested term)."""
    for term in terms:
        yield {
            "id": str(attribute_id(service.pk, term.pk)),
            "link_id": str(service.pk),
            "taxonomy_term_id": str(term.pk),
            "link_type": SERVICE_TYPE_LINK,
            "link_entity": "service",
        }
    for fact, value in fact_values(service):
        yield {
            "id": str(attribute_id(service.pk, fact.term_id, value)),
            "link_id": str(service.pk),
            "taxonomy_term_id": str(fact.term_id),
            "link_type": FACT_LINK_TYPE,
            "link_entity": "service",
            "value": value,
        }


def attribute_objects(service) -> list[dict]:
    terms = {str(fact.term_id): fact_term_json(fact) for fact in FACTS}
    terms.update(
        (str(term.pk), term_object(term)) for term in service.taxonomy_terms.all()
    )
    return [
        {**row, "taxonomy_term": terms[row["taxonomy_term_id"]]}
        for row in attribute_rows(service, service.taxonomy_terms.all())
    ]


def service_object(service) -> dict:
    return hsds_object(
        "service",
        service,
        last_modified=hsds_datetime(service.last_modified),
        organization=hsds_object("organization", service.organization),
        phones=[phone_object(item) for item in service.phones.all()],
        schedules=[schedule_object(item) for item in service.schedules.all()],
        service_at_locations=[
            hsds_object(
                "service_at_location",
                item,
                phones=[phone_object(phone) for phone in item.phones.all()],
                schedules=[schedule_object(s) for s in item.schedules.all()],
                location=location_object(item.location),
            )
            for item in service.service_at_locations.all()
        ],
        languages=[language_object(item) for item in service.languages.all()],
        attributes=attribute_objects(service),
    )


LOCATION_PREFETCH = ("addresses", "phones__languages", "schedules", "languages")


def services_for_export():
    return (
        Service.objects.select_related("organization")
        .prefetch_related(
            "phones__languages",
            "schedules",
            "languages",
            "taxonomy_terms",
            "service_at_locations__phones__languages",
            "service_at_locations__schedules",
            "service_at_locations__location",
            *(f"service_at_locations__location__{name}" for name in LOCATION_PREFETCH),
        )
        .order_by("pk")
    )


def organization_object(organization) -> dict:
    return hsds_object(
        "organization",
        organization,
        phones=[phone_object(item) for item in organization.phones.all()],
        locations=[location_object(item) for item in organization.locations.all()],
    )


def _write_page(handle, total: int, objects: Iterable[dict]) -> None:
    """An HSDS API Page holding every object, written one object at a time."""
    header = {
        "total_items": total,
        "total_pages": 1,
        "page_number": 1,
        "size": total,
        "first_page": True,
        "last_page": True,
        "empty": total == 0,
    }
    handle.write("{\n")
    for key, value in header.items():
        handle.write(f'  "{key}": {json.dumps(value)},\n')
    handle.write('  "contents": [')
    for number, obj in enumerate(objects):
        handle.write(",\n    " if number else "\n    ")
        handle.write(json.dumps(obj, ensure_ascii=False))
    handle.write("\n  ]\n}\n")


def export_json(
    folder: Path, progress: ProgressFactory = no_progress
) -> dict[str, int]:
    """Write the JSON files; returns the number of objects in each."""
    folder.mkdir(parents=True, exist_ok=True)
    services = services_for_export()
    organizations = Organization.objects.prefetch_related(
        "phones__languages",
        "locations",
        *(f"locations__{name}" for name in LOCATION_PREFETCH),
    ).order_by("pk")
    locations = (
        Location.objects.filter(organization__isnull=True)
        .prefetch_related(*LOCATION_PREFETCH)
        .order_by("pk")
    )
    terms = TaxonomyTerm.objects.order_by("pk")
    files = {
        "services.json": (
            services.count(),
            (service_object(s) for s in services.iterator(chunk_size=CHUNK)),
        ),
        "organizations.json": (
            organizations.count(),
            (organization_object(o) for o in organizations.iterator(chunk_size=CHUNK)),
        ),
        "locations.json": (
            locations.count(),
            (location_object(item) for item in locations.iterator(chunk_size=CHUNK)),
        ),
        "taxonomy_terms.json": (
            terms.count() + len(FACTS),
            _chain(
                (term_object(term) for term in terms.iterator(chunk_size=CHUNK)),
                (fact_term_json(fact) for fact in FACTS),
            ),
        ),
    }
    written = {}
    for name, (total, objects) in files.items():
        objects = counted(
            objects, progress(total=total, desc=f"Writing {name}", unit="objects")
        )
        write_atomically(
            folder / name,
            lambda handle, total=total, objects=objects: _write_page(
                handle, total, objects
            ),
        )
        written[name] = total
    return written


def _chain(*iterables):
    for iterable in iterables:
        yield from iterable


def counted(objects, bar):
    for item in objects:
        yield item
        bar.update(1)
    bar.close()

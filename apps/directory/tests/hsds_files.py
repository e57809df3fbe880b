"""HSDS packages for the import tests (test_hsds_import.py, test_hsds_import_rows.py):
clean tables, a changed copy, writing and importing them."""

import csv
import json
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.directory.hsds import exporter
from apps.directory.models import (
    Address,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)

# The reference copy next to the project when it is there, else the package's copy.
SHARED_EXAMPLES = Path(settings.BASE_DIR).parent / "shared" / "hsds-3.0" / "examples"
EXAMPLES = (
    SHARED_EXAMPLES if SHARED_EXAMPLES.is_dir() else exporter.SPEC_DIR / "examples"
)
MODELS = [
    Organization,
    Service,
    Location,
    Address,
    ServiceAtLocation,
    Phone,
    Schedule,
    Language,
    TaxonomyTerm,
]

ORG = "6f1c5e0a-1111-4a5b-8c9d-000000000001"
SERVICE = "6f1c5e0a-2222-4a5b-8c9d-000000000001"
SERVICE_2 = "6f1c5e0a-2222-4a5b-8c9d-000000000002"
LOCATION = "6f1c5e0a-3333-4a5b-8c9d-000000000001"
ADDRESS = "6f1c5e0a-4444-4a5b-8c9d-000000000001"
SAL = "6f1c5e0a-5555-4a5b-8c9d-000000000001"
PHONE = "6f1c5e0a-6666-4a5b-8c9d-000000000001"
SCHEDULE = "6f1c5e0a-7777-4a5b-8c9d-000000000001"
LANGUAGE = "6f1c5e0a-8888-4a5b-8c9d-000000000001"
TERM = "6f1c5e0a-9999-4a5b-8c9d-000000000001"
NOWHERE = "6f1c5e0a-0000-4a5b-8c9d-00000000dead"


def run(*paths, **options) -> tuple[str, CommandError | None]:
    """Run import_hsds; returns its output and the CommandError it ended with."""
    out = StringIO()
    try:
        call_command("import_hsds", *map(str, paths), stdout=out, **options)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def write_package(folder: Path, tables: dict, *, drop_columns=(), encoding=None):
    """A datapackage with the given rows ({"services.csv": [row, ...]}), every
    HSDS column of each file, and a descriptor cut down from the HSDS one."""
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for resource in exporter.canonical_datapackage()["resources"]:
        if resource["path"] not in tables:
            continue
        columns = [f["name"] for f in resource["schema"]["fields"]]
        columns = [column for column in columns if column not in drop_columns]
        with (folder / resource["path"]).open(
            "w", newline="", encoding=encoding or "utf-8"
        ) as handle:
            writer = csv.DictWriter(handle, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(tables[resource["path"]])
        resource = {k: v for k, v in resource.items() if k != "schema"}
        if encoding:
            resource["encoding"] = encoding
        resources.append(resource)
    (folder / "datapackage.json").write_text(json.dumps({"resources": resources}))
    return folder


def clean_tables() -> dict:
    """One of everything, all valid, referring to each other."""
    return {
        "organizations.csv": [
            {"id": ORG, "name": "Harbour Neuro Care", "description": "A clinic."}
        ],
        "services.csv": [
            {
                "id": SERVICE,
                "organization_id": ORG,
                "name": "Harbour ALS clinic",
                "status": "active",
                "minimum_age": "18",
                "assured_date": "2024-05-01",
                "email": "clinic@example.org",
            },
            {
                "id": SERVICE_2,
                "organization_id": ORG,
                "name": "Harbour speech therapy",
                "status": "active",
            },
        ],
        "locations.csv": [
            {
                "id": LOCATION,
                "location_type": "physical",
                "organization_id": ORG,
                "name": "Harbour site",
                "latitude": "42.3611",
                "longitude": "-71.0683",
            }
        ],
        "addresses.csv": [
            {
                "id": ADDRESS,
                "location_id": LOCATION,
                "address_1": "1 Quay Street",
                "city": "Boston",
                "state_province": "MA",
                "postal_code": "02114",
                "country": "US",
                "address_type": "physical",
            }
        ],
        "service_at_location.csv": [
            {"id": SAL, "service_id": SERVICE, "location_id": LOCATION}
        ],
        "phones.csv": [{"id": PHONE, "service_id": SERVICE, "number": "617-555-0100"}],
        "schedules.csv": [
            {
                "id": SCHEDULE,
                "service_id": SERVICE,
                "freq": "WEEKLY",
                "byday": "MO,TU",
                "opens_at": "09:00",
                "closes_at": "17:00",
            }
        ],
        "languages.csv": [
            {"id": LANGUAGE, "service_id": SERVICE, "name": "Spanish", "code": "es"}
        ],
        "taxonomy_terms.csv": [
            {"id": TERM, "code": "als-clinic", "name": "ALS clinic", "description": ""}
        ],
        "attributes.csv": [
            {
                "id": "6f1c5e0a-aaaa-4a5b-8c9d-000000000001",
                "link_id": SERVICE,
                "taxonomy_term_id": TERM,
                "link_entity": "service",
            }
        ],
    }


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def values_of_every_row() -> dict:
    return {
        model.__name__: sorted(
            model.objects.values_list(
                *(f.attname for f in model._meta.concrete_fields)
            ),
            key=lambda row: str(row[0]),
        )
        for model in MODELS
    }


def with_change(file: str, changes: dict, drop=()) -> dict:
    """The clean tables plus a second, broken copy of the first row of a file."""
    tables = clean_tables()
    row = {**tables[file][0], **changes}
    for column in drop:
        row.pop(column)
    tables[file] = [tables[file][0], row]
    return tables


NEW_ID = {"id": "6f1c5e0a-bbbb-4a5b-8c9d-000000000001"}
BAD_ROWS = [
    ("services.csv", {**NEW_ID, "name": ""}, "name is empty"),
    ("services.csv", {"id": ""}, "id is empty"),
    ("services.csv", {"id": "svc-42"}, "id 'svc-42' is not a UUID"),
    (
        "services.csv",
        {**NEW_ID, "organization_id": "org-1"},
        "organization_id 'org-1' is not a UUID",
    ),
    (
        "locations.csv",
        {**NEW_ID, "latitude": "north"},
        "latitude 'north' is not a number",
    ),
    (
        "locations.csv",
        {**NEW_ID, "longitude": "-191"},
        "longitude '-191' is outside -180 to 180",
    ),
    (
        "services.csv",
        {**NEW_ID, "assured_date": "2024-02-30"},
        "assured_date '2024-02-30' is not a date (YYYY-MM-DD)",
    ),
    (
        "services.csv",
        {**NEW_ID, "minimum_age": "12.5"},
        "minimum_age '12.5' is not a whole number",
    ),
    (
        "services.csv",
        {**NEW_ID, "status": "open"},
        "status 'open' is not one of active, inactive, defunct, temporarily closed",
    ),
    (
        "services.csv",
        {**NEW_ID, "email": "clinic at example"},
        "email 'clinic at example' is not valid (Enter a valid email address)",
    ),
    (
        "schedules.csv",
        {**NEW_ID, "opens_at": "25:00"},
        "opens_at '25:00' is not a time (HH:MM:SS)",
    ),
    (
        "organizations.csv",
        {**NEW_ID, "name": "x" * 300},
        "name is 300 characters long; CareNav holds at most 255",
    ),
    (
        "addresses.csv",
        {**NEW_ID, "country": "USA"},
        "country is 3 characters long; CareNav holds at most 2",
    ),
    # Phones and ZIP codes pass the checks every form uses (apps/accounts/validators).
    (
        "phones.csv",
        {**NEW_ID, "number": "12"},
        "number '12' is not valid (Enter a phone number with its area code",
    ),
    (
        "addresses.csv",
        {**NEW_ID, "postal_code": "2114"},
        "postal_code '2114' is not valid (Enter a US ZIP code of exactly five digits",
    ),
    (
        "addresses.csv",
        {**NEW_ID, "postal_code": "00000"},
        "postal_code '00000' is not valid (We could not find ZIP code 00000",
    ),
    (
        "services.csv",
        {**NEW_ID, "organization_id": NOWHERE},
        f"organization_id {NOWHERE} matches no organization in the file or the "
        "directory",
    ),
    (
        "service_at_location.csv",
        {**NEW_ID, "location_id": NOWHERE},
        f"location_id {NOWHERE} matches no location",
    ),
    (
        "service_at_location.csv",
        NEW_ID,
        "the service is already at this location (service_at_location.csv, row 2)",
    ),
    (
        "taxonomy_terms.csv",
        NEW_ID,
        "code 'als-clinic' is also the code of taxonomy_terms.csv, row 2",
    ),
    (
        "phones.csv",
        {**NEW_ID, "service_id": ""},
        "belongs to nothing CareNav holds",
    ),
    (
        "attributes.csv",
        {**NEW_ID, "link_id": NOWHERE},
        f"link_id {NOWHERE} matches no service",
    ),
    (
        "attributes.csv",
        {**NEW_ID, "link_entity": "widget"},
        "link_entity 'widget' is not an HSDS table",
    ),
    (
        "services.csv",
        {"id": SERVICE},
        f"id {SERVICE} is used twice (also services.csv, row 2)",
    ),
]

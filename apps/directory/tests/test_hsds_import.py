"""manage.py import_hsds: reading, checking and upserting HSDS 3.0 data."""

import csv
import json
import subprocess
import sys
import uuid
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from apps.directory.hsds import exporter, importer
from apps.directory.models import (
    Address,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServicePlace,
    TaxonomyTerm,
)
from apps.directory.tests.factories import (
    OrganizationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)

pytestmark = pytest.mark.django_db

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


# ---------------------------------------------------------------- the examples


def test_hsds_csv_examples_import_with_broken_references_reported():
    out, error = run(EXAMPLES / "csv")

    assert error is not None  # some rows failed: status 1
    broken = [
        "organizations.csv, row 2: parent_organization_id "
        "cd09a387-91f4-4555-94ec-e799c35344cd matches no organization",
        "locations.csv, row 2: latitude '100' is outside -90 to 90; organization_id "
        "985e4a42-bd9f-4edc-911d-0243a4640aca matches no organization",
        "taxonomy_terms.csv, row 2: parent_id 0bc248fa-dc27-4650-9ba4-8f1a24ef16a2 "
        "matches no taxonomy term",
        "link_id f28dd44b-0c4d-479f-8e90-4c52219a8b3c matches no service",
        # The example's US address has no ZIP code: the one ZIP check says so.
        "addresses.csv, row 2: postal_code 'ABC 1234' is not valid (Enter a US ZIP "
        "code of exactly five digits, for example 02114); location_id "
        "3a19ff88-4620-4d17-9830-ac1d859eb5d5 is a location that was skipped "
        "(locations.csv, row 2); row skipped.",
    ]
    for line in broken:
        assert line in out
    # The valid rows are in.
    service = Service.objects.get(pk="ac148810-d857-441c-9679-408f346de14b")
    assert service.name == "Community Counselling"
    assert service.organization.name == "Example Organization Inc."
    assert service.minimum_age == 12
    assert service.assured_date == date(2005, 1, 1)
    phone = Phone.objects.get(pk="1554f2e2-a373-45db-a3fa-9fc48a61c15e")
    assert (phone.service_id, phone.location_id) == (service.pk, None)
    assert phone.extension == "100"
    schedule = Schedule.objects.get(service=service)
    assert (schedule.freq, schedule.byday, schedule.timezone) == ("WEEKLY", "TH,FR", 3)
    assert Language.objects.get(service=service).code == "ur"
    assert not Location.objects.exists()
    assert "Not held by CareNav, passed over:" in out and "contacts.csv" in out
    assert "4 rows skipped, 8 links dropped." in out


@pytest.mark.parametrize(
    "name",
    [
        "service_full.json",
        "organization_full.json",
        "service_list.json",
        "tabular.json",
        "service_at_location_full.json",
        "location.json",
    ],
)
def test_hsds_json_examples_import(name):
    out, error = run(EXAMPLES / name)

    assert error is not None
    assert "row skipped" in out or "dropped" in out
    if name != "service_at_location_full.json" and name != "location.json":
        service = Service.objects.get(pk="ac148810-d857-441c-9679-408f346de14b")
        assert service.organization.name == "Example Organization Inc."
    if name in ("service_full.json", "organization_full.json"):
        phone = Phone.objects.get(pk="1554f2e2-a373-45db-a3fa-9fc48a61c15e")
        # One phone, found in several places of the nesting, merged into one row.
        assert phone.service_id is not None and phone.organization_id is not None
        term = TaxonomyTerm.objects.get(pk="3f7b145d-84af-42d7-8fae-eaca714b02b2")
        assert list(term.services.all()) == [service]
        assert term.taxonomy == "taxonomy"


def test_hsds_taxonomy_term_list_example_imports():
    out, _error = run(EXAMPLES / "taxonomy_term_list.json")

    term = TaxonomyTerm.objects.get(pk="3f7b145d-84af-42d7-8fae-eaca714b02b2")
    assert (term.code, term.name, term.language) == ("code", "name", "eng")
    assert "taxonomy_terms: 1 created" in out


def test_hsds_examples_second_run_changes_nothing():
    run(EXAMPLES / "csv")
    before = values_of_every_row()

    out, error = run(EXAMPLES / "csv")

    assert error is not None  # the same rows still fail
    assert "Imported: 0 created, 0 updated, 6 unchanged" in out
    assert values_of_every_row() == before


# ---------------------------------------------------------------- clean data


def test_hsds_clean_package_imports_everything(tmp_path):
    out, error = run(write_package(tmp_path, clean_tables()))

    assert error is None, out
    assert counts() == {
        "Organization": 1,
        "Service": 2,
        "Location": 1,
        "Address": 1,
        "ServiceAtLocation": 1,
        "Phone": 1,
        "Schedule": 1,
        "Language": 1,
        "TaxonomyTerm": 1,
    }
    service = Service.objects.get(pk=SERVICE)
    assert [term.code for term in service.taxonomy_terms.all()] == ["als-clinic"]
    location = Location.objects.get(pk=LOCATION)
    assert location.latitude == Decimal("42.361100")
    assert location.organization_id is not None
    assert "Imported: 10 created, 0 updated, 0 unchanged, 1 taxonomy link added" in out
    # The search index knows the imported services.
    service.refresh_from_db()
    assert service.search_vector


def test_hsds_second_import_changes_nothing(tmp_path):
    package = write_package(tmp_path, clean_tables())
    run(package)
    before = values_of_every_row()  # last_modified included: nothing is saved again

    with mock.patch("apps.directory.hsds.importer.refresh_search_index") as refresh:
        out, error = run(package)

    assert error is None
    refresh.assert_not_called()
    assert "Imported: 0 created, 0 updated, 10 unchanged, 0 taxonomy links added" in out
    assert values_of_every_row() == before


def test_hsds_import_updates_changed_rows_only(tmp_path):
    tables = clean_tables()
    run(write_package(tmp_path / "first", tables))
    untouched = Service.objects.get(pk=SERVICE_2).last_modified
    other = OrganizationFactory()
    tables["services.csv"][0].update(
        name="Harbour ALS and MND clinic", organization_id=str(other.pk)
    )

    out, error = run(write_package(tmp_path / "second", tables))

    assert error is None
    assert "services: 0 created, 1 updated, 1 unchanged" in out
    service = Service.objects.get(pk=SERVICE)
    assert (service.name, service.organization) == ("Harbour ALS and MND clinic", other)
    assert Service.objects.get(pk=SERVICE_2).last_modified == untouched


def test_hsds_moved_location_and_new_link_move_their_services_places(tmp_path):
    tables = clean_tables()
    run(write_package(tmp_path / "first", tables))

    def places(service_id) -> list[tuple[float, float]]:
        return sorted(
            ServicePlace.objects.filter(service_id=service_id).values_list(
                "latitude", "longitude"
            )
        )

    assert places(SERVICE) == [(42.3611, -71.0683)]
    assert places(SERVICE_2) == []
    # Only the location (Worcester now) and a link change; the services do not.
    tables["locations.csv"][0].update(latitude="42.2626", longitude="-71.8023")
    tables["service_at_location.csv"].append(
        {
            "id": "6f1c5e0a-5555-4a5b-8c9d-000000000002",
            "service_id": SERVICE_2,
            "location_id": LOCATION,
        }
    )

    out, error = run(write_package(tmp_path / "second", tables))

    assert error is None, out
    assert places(SERVICE) == places(SERVICE_2) == [(42.2626, -71.8023)]


def test_hsds_changed_phone_hours_and_language_alone_refresh_their_service(tmp_path):
    tables = clean_tables()
    run(write_package(tmp_path / "first", tables))
    service = Service.objects.get(pk=SERVICE)
    assert service.card["phone"] == "617-555-0100"
    assert service.search_languages == ["es", "spanish"]
    # Only a phone, a schedule and a language change; the service does not.
    tables["phones.csv"][0]["number"] = "617-555-0199"
    tables["schedules.csv"][0].update(byday="WE", opens_at="10:00")
    tables["languages.csv"][0].update(name="French", code="fr")

    out, error = run(write_package(tmp_path / "second", tables))

    assert error is None, out
    service.refresh_from_db()
    assert service.card["phone"] == "617-555-0199"
    assert service.card["hours"] == [
        {"days": "WE", "opens_at": "10:00:00", "closes_at": "17:00:00"}
    ]
    assert service.search_languages == ["fr", "french"]


def test_hsds_references_may_point_into_the_database(tmp_path):
    organization = OrganizationFactory()
    tables = {
        "services.csv": [
            {
                "id": SERVICE,
                "organization_id": str(organization.pk),
                "name": "Outreach",
                "status": "active",
            }
        ]
    }

    out, error = run(write_package(tmp_path, tables))

    assert error is None, out
    assert Service.objects.get(pk=SERVICE).organization == organization


# ---------------------------------------------------------------- bad rows


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


@pytest.mark.parametrize(("file", "changes", "reason"), BAD_ROWS)
def test_hsds_bad_row_is_skipped_and_reported(tmp_path, file, changes, reason):
    out, error = run(write_package(tmp_path, with_change(file, changes)))

    assert error is not None, out
    assert f"{file}, row 3: {reason}" in out
    # Every valid row is imported all the same.
    assert Service.objects.filter(pk=SERVICE).exists()
    assert Phone.objects.filter(pk=PHONE).exists()
    assert "1 row skipped, 0 links dropped." in out


def test_hsds_skipped_row_takes_its_dependants_with_it(tmp_path):
    tables = clean_tables()
    tables["locations.csv"][0]["latitude"] = "100"

    out, _error = run(write_package(tmp_path, tables))

    assert not Location.objects.exists()
    assert not Address.objects.exists()
    assert not ServiceAtLocation.objects.exists()
    assert (
        f"addresses.csv, row 2: location_id {LOCATION} is a location that was "
        "skipped (locations.csv, row 2); row skipped." in out
    )


def test_hsds_broken_optional_reference_is_dropped_and_row_kept(tmp_path):
    tables = clean_tables()
    tables["organizations.csv"][0]["parent_organization_id"] = NOWHERE
    tables["phones.csv"][0]["location_id"] = NOWHERE

    out, error = run(write_package(tmp_path, tables))

    assert error is not None
    assert Organization.objects.get(pk=ORG).parent_organization_id is None
    phone = Phone.objects.get(pk=PHONE)
    assert (str(phone.service_id), phone.location_id) == (SERVICE, None)
    assert (
        f"phones.csv, row 2: location_id {NOWHERE} matches no location in the file or "
        "the directory; link dropped, row kept." in out
    )


def test_hsds_phone_of_a_contact_is_passed_over(tmp_path):
    tables = clean_tables()
    tables["phones.csv"][0].update(service_id="", contact_id=NOWHERE)

    out, error = run(write_package(tmp_path, tables))

    assert error is None, out
    assert not Phone.objects.exists()
    assert "phone of a contact (1)" in out


def test_hsds_taxonomy_code_taken_in_the_database(tmp_path):
    TaxonomyTermFactory(code="als-clinic")

    out, _error = run(write_package(tmp_path, clean_tables()))

    assert "taxonomy_terms.csv, row 2: code 'als-clinic' belongs to another" in out
    assert "attributes.csv, row 2: taxonomy_term_id" in out


# ---------------------------------------------------------------- CareNav details


def detail(term_code: str, value: str, service=SERVICE) -> dict:
    from apps.directory.hsds.mapping import FACTS

    fact = next(fact for fact in FACTS if fact.code == term_code)
    return {
        "id": str(uuid.uuid5(fact.term_id, f"{service}:{value}")),
        "link_id": service,
        "taxonomy_term_id": str(fact.term_id),
        "link_entity": "service",
        "value": value,
    }


def test_hsds_carenav_details_set_service_fields(tmp_path):
    tables = clean_tables()
    tables["attributes.csv"] += [
        detail("carenav-disease", "ms"),
        detail("carenav-disease", "als"),
        detail("carenav-accepts-referrals", "true"),
        detail("carenav-referral-email", "referrals@example.org"),
        detail("carenav-telehealth", "true"),
        detail("carenav-last-verified", "2025-01-31"),
    ]

    out, error = run(write_package(tmp_path, tables))

    assert error is None, out
    service = Service.objects.get(pk=SERVICE)
    assert service.diseases == ["ms", "als"]
    assert service.accepts_referrals and service.telehealth
    assert service.referral_email == "referrals@example.org"
    assert service.last_verified == date(2025, 1, 31)
    # CareNav's detail terms are not care-service types.
    assert list(TaxonomyTerm.objects.values_list("code", flat=True)) == ["als-clinic"]


def test_hsds_carenav_detail_on_a_service_of_the_database(tmp_path):
    service = ServiceFactory(telehealth=False)
    row = detail("carenav-telehealth", "true", service=str(service.pk))

    out, error = run(write_package(tmp_path, {"attributes.csv": [row]}))

    assert error is None, out
    service.refresh_from_db()
    assert service.telehealth


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        (
            [detail("carenav-telehealth", "maybe")],
            "the value of carenav-telehealth 'maybe' is not true or false",
        ),
        (
            [detail("carenav-disease", "flu")],
            "the value of carenav-disease 'flu' is not one of als, ms, parkinsons",
        ),
        (
            [detail("carenav-accepts-referrals", "true")],
            "the service accepts referrals but has no referral e-mail",
        ),
    ],
)
def test_hsds_bad_carenav_detail_is_reported(tmp_path, rows, reason):
    tables = clean_tables()
    tables["attributes.csv"] += rows

    out, error = run(write_package(tmp_path, tables))

    assert error is not None
    assert f"attributes.csv, row 3: {reason}; row skipped." in out
    service = Service.objects.get(pk=SERVICE)
    assert (service.telehealth, service.diseases, service.accepts_referrals) == (
        False,
        [],
        False,
    )


def test_hsds_zip_plus_four_and_other_countries_postcodes_are_imported(tmp_path):
    tables = clean_tables()
    address = tables["addresses.csv"][0]
    tables["addresses.csv"] = [
        {**address, "postal_code": "02114-1234"},
        {
            **address,
            **NEW_ID,
            "country": "GB",
            "postal_code": "SW1A 1AA",
            "state_province": "London",
        },
    ]
    tables["phones.csv"].append(
        {**tables["phones.csv"][0], **NEW_ID, "number": "+44 20 7946 0018"}
    )

    out, error = run(write_package(tmp_path, tables))

    assert error is None, out
    assert Address.objects.count() == 2
    assert Phone.objects.count() == 2


def test_hsds_strict_import_with_a_bad_phone_leaves_nothing_behind(tmp_path):
    package = write_package(
        tmp_path, with_change("phones.csv", {**NEW_ID, "number": "12"})
    )

    out, error = run(package, strict=True)

    assert error is not None
    assert "phones.csv, row 3: number '12' is not valid" in out
    assert not Service.objects.exists() and not Phone.objects.exists()


# ---------------------------------------------------------------- modes


def test_hsds_strict_imports_nothing_when_a_row_fails(tmp_path):
    package = write_package(tmp_path, with_change("services.csv", {"id": "bad"}))

    out, error = run(package, strict=True)

    assert "Strict mode: nothing was imported" in str(error)
    assert "services.csv, row 3: id 'bad' is not a UUID" in out
    assert set(counts().values()) == {0}


def test_hsds_strict_imports_clean_data(tmp_path):
    out, error = run(write_package(tmp_path, clean_tables()), strict=True)

    assert error is None
    assert Service.objects.count() == 2


def test_hsds_dry_run_writes_nothing(tmp_path):
    existing = OrganizationFactory()
    before = values_of_every_row()

    out, error = run(write_package(tmp_path, clean_tables()), dry_run=True)

    assert error is None
    assert "Dry run, nothing was written." in out
    assert "10 created" in out
    assert values_of_every_row() == before
    assert list(Organization.objects.all()) == [existing]


def test_hsds_dry_run_reports_problems_and_fails(tmp_path):
    package = write_package(tmp_path, with_change("services.csv", {"id": "bad"}))

    out, error = run(package, dry_run=True)

    assert error is not None
    assert "id 'bad' is not a UUID" in out
    assert set(counts().values()) == {0}


@pytest.mark.parametrize(
    "target",
    [
        "apps.directory.models.Phone.objects.bulk_create",
        "apps.directory.hsds.importer.refresh_search_index",
    ],
)
def test_hsds_failure_part_way_leaves_the_database_as_it_was(tmp_path, target):
    organization = OrganizationFactory(pk=ORG, name="Before the import")
    before = values_of_every_row()
    tables = clean_tables()  # renames the organization, adds services...
    failure = OperationalError("server closed the connection unexpectedly")

    with mock.patch(target, side_effect=failure):
        out, error = run(write_package(tmp_path, tables))

    assert "rolled back; the directory is as it was before" in str(error)
    assert "server closed the connection unexpectedly" in str(error)
    assert values_of_every_row() == before
    organization.refresh_from_db()
    assert organization.name == "Before the import"


# ---------------------------------------------------------------- malformed files


def one_line_error(path) -> str:
    out, error = run(path)
    assert error is not None
    message = str(error)
    assert "\n" not in message
    assert message.startswith("Nothing was imported.")
    return message


def test_hsds_binary_garbage(tmp_path):
    package = write_package(tmp_path, clean_tables())
    (package / "services.csv").write_bytes(bytes(range(256)) * 4)

    assert "services.csv: holds binary data" in one_line_error(package)


def test_hsds_random_bytes_without_nul(tmp_path):
    package = write_package(tmp_path, clean_tables())
    (package / "services.csv").write_bytes(bytes(range(1, 256)) * 4)

    assert "services.csv: is not UTF-8 text (byte 0x80" in one_line_error(package)


def test_hsds_latin1_file(tmp_path):
    tables = clean_tables()
    tables["organizations.csv"][0]["name"] = "Clinique Sainte-Thérèse"
    package = write_package(tmp_path, tables)
    (package / "organizations.csv").write_bytes(
        (package / "organizations.csv").read_text().encode("latin-1")
    )

    message = one_line_error(package)

    assert "organizations.csv: is not UTF-8 text (byte 0xe9" in message
    assert "save it as UTF-8" in message
    assert not Organization.objects.exists()


def test_hsds_latin1_file_declared_in_the_datapackage_is_read(tmp_path):
    tables = clean_tables()
    tables["organizations.csv"][0]["name"] = "Clinique Sainte-Thérèse"

    out, error = run(write_package(tmp_path, tables, encoding="latin-1"))

    assert error is None, out
    assert Organization.objects.get().name == "Clinique Sainte-Thérèse"


def test_hsds_missing_required_column(tmp_path):
    package = write_package(tmp_path, clean_tables(), drop_columns=("name",))

    message = one_line_error(package)

    assert "organizations.csv: missing required column name" in message
    assert not Organization.objects.exists()


def test_hsds_not_csv_at_all(tmp_path):
    package = write_package(tmp_path, clean_tables())
    (package / "services.csv").write_text('{"services": ["not", "a", "table"]}\n')

    assert "services.csv: missing required columns id" in one_line_error(package)


def test_hsds_ragged_row_is_reported(tmp_path):
    package = write_package(tmp_path, clean_tables())
    with (package / "services.csv").open("a") as handle:
        handle.write("only,three,cells\n")

    out, error = run(package)

    assert "services.csv, row 4: has 3 values but the header has" in out


def test_hsds_bad_json(tmp_path):
    path = tmp_path / "services.json"
    path.write_text('{"contents": [{"id": "x",}]}')

    message = one_line_error(path)

    assert "services.json: not valid JSON (Expecting property name" in message


def test_hsds_json_nested_too_deeply(tmp_path):
    path = tmp_path / "services.json"
    path.write_text("[" * 100_000 + "]" * 100_000)

    assert "services.json: nested too deeply" in one_line_error(path)


def test_hsds_bad_datapackage_json(tmp_path):
    package = write_package(tmp_path, clean_tables())
    (package / "datapackage.json").write_text("{resources: []")

    assert "datapackage.json: not valid JSON" in one_line_error(package)


def test_hsds_missing_datapackage_resource(tmp_path):
    package = write_package(tmp_path, clean_tables())
    (package / "phones.csv").unlink()

    message = one_line_error(package)

    assert "resource phone is phones.csv, but there is no such file" in message


def test_hsds_resource_outside_the_package(tmp_path):
    package = write_package(tmp_path / "package", clean_tables())
    descriptor = json.loads((package / "datapackage.json").read_text())
    descriptor["resources"][0]["path"] = "../secrets.csv"
    (package / "datapackage.json").write_text(json.dumps(descriptor))

    assert "points outside the package" in one_line_error(package)


def test_hsds_json_that_is_not_hsds(tmp_path):
    path = tmp_path / "export.json"
    path.write_text('{"version": "3.0", "profile": "x"}')

    assert "is not an HSDS service, organization" in one_line_error(path)


def test_hsds_missing_path(tmp_path):
    assert "no such file or folder" in one_line_error(tmp_path / "nothing-here")


def test_hsds_command_line_exit_status_and_no_traceback(tmp_path):
    garbage = tmp_path / "services.json"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

    result = subprocess.run(
        [sys.executable, "manage.py", "import_hsds", str(garbage)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "CommandError: Nothing was imported. services.json: holds binary data, not "
        "text."
    )


# ---------------------------------------------------------------- JSON shapes


def service_json(**changes) -> dict:
    return {
        "id": SERVICE,
        "name": "Harbour ALS clinic",
        "status": "active",
        "organization": {"id": ORG, "name": "Harbour Neuro Care", "description": ""},
        "phones": [{"id": PHONE, "number": "617-555-0100"}],
        **changes,
    }


def test_hsds_json_files_given_together_refer_to_each_other(tmp_path):
    (tmp_path / "organizations.json").write_text(
        json.dumps([{"id": ORG, "name": "Harbour Neuro Care", "description": ""}])
    )
    service = service_json(organization_id=ORG)
    del service["organization"]
    (tmp_path / "services.json").write_text(json.dumps({"contents": [service]}))

    out, error = run(tmp_path / "services.json", tmp_path / "organizations.json")

    assert error is None, out
    assert str(Service.objects.get().organization_id) == ORG
    assert str(Phone.objects.get().service_id) == SERVICE


def test_hsds_json_nested_reference_that_disagrees_is_refused(tmp_path):
    phone = {"id": PHONE, "number": "617-555-0100", "service_id": SERVICE_2}
    path = tmp_path / "services.json"
    path.write_text(json.dumps(service_json(phones=[phone])))

    out, error = run(path)

    assert (
        f"services.json, phones[0]: service_id {SERVICE_2} disagrees with the object "
        f"it is in ({SERVICE}); row skipped." in out
    )
    assert Service.objects.exists() and not Phone.objects.exists()


def test_hsds_interrupted_import_leaves_nothing_behind(tmp_path):
    organization = OrganizationFactory(pk=ORG, name="Before the import")
    before = values_of_every_row()
    real_upsert = importer.upsert
    calls = []

    def interrupted(model, rows):
        calls.append(model)
        if len(calls) == 3:  # Ctrl-C while the third table is written
            raise KeyboardInterrupt
        return real_upsert(model, rows)

    with mock.patch.object(importer, "upsert", interrupted):
        out, error = run(write_package(tmp_path, clean_tables()))

    assert "Interrupted: nothing was imported" in str(error)
    assert len(calls) == 3
    assert values_of_every_row() == before
    organization.refresh_from_db()
    assert organization.name == "Before the import"


def test_hsds_import_runs_without_the_statement_timeout(tmp_path):
    from django.db import connection

    seen = []
    real_upsert = importer.upsert

    def watching(model, rows):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen.append(cursor.fetchone()[0])
        return real_upsert(model, rows)

    with mock.patch.object(importer, "upsert", watching):
        out, error = run(write_package(tmp_path, clean_tables()))

    assert error is None, out
    assert set(seen) == {"0"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "0"  # the web's setting is back

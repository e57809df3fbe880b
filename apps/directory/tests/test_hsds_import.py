"""manage.py import_hsds: reading, checking and upserting HSDS 3.0 data."""

import json
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.db import OperationalError

from apps.directory.hsds import importer
from apps.directory.models import (
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServicePlace,
    TaxonomyTerm,
)
from apps.directory.tests.factories import (
    OrganizationFactory,
)

from .hsds_files import (
    EXAMPLES,
    LOCATION,
    ORG,
    PHONE,
    SERVICE,
    SERVICE_2,
    clean_tables,
    counts,
    run,
    values_of_every_row,
    with_change,
    write_package,
)

pytestmark = pytest.mark.django_db


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

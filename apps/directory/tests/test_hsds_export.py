"""manage.py export_hsds: the directory as HSDS 3.0, and back again."""

import csv
import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.directory.hsds import csv_export, exporter, schemas
from apps.directory.hsds.mapping import FACTS_TAXONOMY
from apps.directory.models import (
    Location,
    Organization,
    Service,
    TaxonomyTerm,
)
from apps.directory.tests.factories import (
    AddressFactory,
    LanguageFactory,
    LocationFactory,
    OrganizationFactory,
    PhoneFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)
from apps.directory.tests.hsds_files import MODELS

pytestmark = pytest.mark.django_db

# The reference copy next to the project when it is there, else the package's copy.
SHARED_SCHEMAS = Path(settings.BASE_DIR).parent / "shared" / "hsds-3.0" / "schema"
SCHEMA_DIR = SHARED_SCHEMAS if SHARED_SCHEMAS.is_dir() else schemas.SCHEMA_DIR


def compared(field) -> bool:
    """Not the time of the last save, nor the columns refresh_search_index derives."""
    derived = field.name.startswith("search_") or field.name in ("open_minutes", "card")
    return field.name != "last_modified" and not derived


JSON_FILES = {
    "services.json": "service",
    "organizations.json": "organization",
    "locations.json": "location",
    "taxonomy_terms.json": "taxonomy_term",
}


@pytest.fixture
def directory():
    """A small directory using every table, reference and CareNav field."""
    therapy = TaxonomyTermFactory(code="therapy", name="Therapy", description="Help.")
    speech = TaxonomyTermFactory(
        code="speech-language",
        name="Speech and language",
        parent=therapy,
        term_uri="https://terms.example.org/speech",
    )
    TaxonomyTermFactory(code="bare", name="Bare term", taxonomy="", language="")
    TaxonomyTermFactory(code="respite", name="Respite", taxonomy="other-list")
    parent = OrganizationFactory(
        name="Parent body",
        website="https://parent.example.org",
        year_incorporated=1999,
        tax_id="12-3456789",
        legal_status="Non-profit",
    )
    organization = OrganizationFactory(parent_organization=parent, description="")
    service = ServiceFactory(
        organization=organization,
        taxonomy_terms=[speech, therapy],
        diseases=["ms", "als"],
        accepts_referrals=True,
        referral_email="intake@example.org",
        telehealth=True,
        last_verified=date(2025, 3, 1),
        minimum_age=18,
        maximum_age=90,
        assured_date=date(2025, 2, 1),
        url="https://clinic.example.org/speech",
        alert="  Closed on 4 July.  ",
        status=Service.Status.TEMPORARILY_CLOSED,
    )
    ServiceFactory(
        organization=organization,
        accepts_referrals=False,
        referral_email="",
        diseases=[],
        description="",
    )
    location = LocationFactory(
        organization=organization,
        description='Line one\nLine two, with "quotes", commas; and ümlauts',
        external_identifier="10092008082",
        external_identifier_type="UPRN",
    )
    AddressFactory(location=location, address_2="Suite 5", region="Suffolk")
    at_location = ServiceAtLocationFactory(
        service=service, location=location, description="At the main site"
    )
    virtual = LocationFactory(
        organization=None,
        latitude=None,
        longitude=None,
        location_type=Location.LocationType.VIRTUAL,
        url="https://meet.example.org",
    )
    desk = PhoneFactory(
        service=service, location=location, extension="123", description="Desk"
    )
    PhoneFactory(service=None, organization=organization, number="617-555-0101")
    PhoneFactory(service=None, service_at_location=at_location, number="617-555-0102")
    PhoneFactory(service=None, location=virtual, number="617-555-0103")
    ScheduleFactory(
        service=service,
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 12, 31),
        dtstart=date(2025, 1, 6),
        timezone=-5.0,
        wkst="MO",
        interval=1,
        count=10,
        until=date(2025, 6, 30),
        description="Weekdays",
        schedule_link="https://clinic.example.org/hours",
    )
    ScheduleFactory(service=None, location=location, freq="MONTHLY", bymonthday="1,15")
    ScheduleFactory(service=None, service_at_location=at_location, byday="SA")
    LanguageFactory(service=service)
    LanguageFactory(service=None, location=location, name="French", code="fr")
    LanguageFactory(service=None, phone=desk, name="Portuguese", code="pt", note="Ask")
    OrganizationFactory(name="An organization with no services yet")
    return service


def export(path: Path, *args) -> str:
    out = StringIO()
    call_command("export_hsds", str(path), *args, stdout=out)
    return out.getvalue()


def import_(path: Path) -> str:
    out = StringIO()
    call_command("import_hsds", str(path), stdout=out)
    return out.getvalue()


def every_row() -> dict:
    """Every field of every row, and the links.

    An empty translated text column may read None (never written) or "" (written
    empty): HSDS has one empty string for both, so they compare equal."""
    rows = {
        model.__name__: sorted(
            (
                tuple("" if value is None else value for value in row)
                for row in model.objects.values_list(
                    *(f.attname for f in model._meta.concrete_fields if compared(f))
                )
            ),
            key=lambda row: str(row[0]),
        )
        for model in MODELS
    }
    rows["links"] = sorted(
        Service.taxonomy_terms.through.objects.values_list(
            "service_id", "taxonomyterm_id"
        )
    )
    return rows


def empty_the_directory() -> None:
    Organization.objects.all().delete()
    Location.objects.all().delete()
    TaxonomyTerm.objects.update(parent=None)
    TaxonomyTerm.objects.all().delete()
    assert not any(model.objects.exists() for model in MODELS)


# ---------------------------------------------------------------- JSON


def test_hsds_export_json_validates_against_the_hsds_schemas(directory, tmp_path):
    export(tmp_path, "--format", "json")

    for name, item in JSON_FILES.items():
        document = json.loads((tmp_path / name).read_text())
        assert document["contents"], name
        assert schemas.errors(document, schemas.page_schema(item), SCHEMA_DIR) == []


def test_hsds_schema_check_catches_what_breaks_hsds(directory, tmp_path):
    export(tmp_path, "--format", "json")
    document = json.loads((tmp_path / "services.json").read_text())
    service = next(s for s in document["contents"] if s["service_at_locations"])
    service["status"] = "open"
    service["service_at_locations"][0]["location"]["latitude"] = "42.36"
    service["organization"].pop("description")

    errors = schemas.errors(document, schemas.page_schema("service"), SCHEMA_DIR)

    assert len(errors) == 3


def test_hsds_export_json_nests_services(directory, tmp_path):
    export(tmp_path, "--format", "json")

    document = json.loads((tmp_path / "services.json").read_text())
    assert document["total_items"] == 2
    service = next(s for s in document["contents"] if s["id"] == str(directory.pk))
    assert service["organization"]["id"] == str(directory.organization_id)
    at_location = service["service_at_locations"][0]
    location = at_location["location"]
    assert location["addresses"][0]["address_2"] == "Suite 5"
    assert {phone["number"] for phone in at_location["phones"]} == {"617-555-0102"}
    assert [s["byday"] for s in at_location["schedules"]] == ["SA"]
    assert {language["code"] for language in location["languages"]} == {"fr"}
    desk = next(phone for phone in service["phones"] if phone.get("extension"))
    assert desk["extension"] == 123
    assert desk["languages"][0]["code"] == "pt"
    terms = {
        attribute["taxonomy_term"]["code"]: attribute
        for attribute in service["attributes"]
    }
    assert terms["speech-language"]["taxonomy_term"]["parent_id"]
    assert terms["speech-language"]["link_type"] == "service_type"
    details = [
        (a["taxonomy_term"]["code"], a["value"])
        for a in service["attributes"]
        if a["taxonomy_term"]["taxonomy"] == FACTS_TAXONOMY["name"]
    ]
    assert details == [
        ("carenav-disease", "ms"),
        ("carenav-disease", "als"),
        ("carenav-accepts-referrals", "true"),
        ("carenav-referral-email", "intake@example.org"),
        ("carenav-telehealth", "true"),
        ("carenav-last-verified", "2025-03-01"),
    ]


# ---------------------------------------------------------------- CSV


def test_hsds_export_csv_datapackage_uses_hsds_tables_and_columns(directory, tmp_path):
    out = export(tmp_path, "--format", "csv")

    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    canonical = {r["name"]: r for r in exporter.canonical_datapackage()["resources"]}
    names = {resource["name"] for resource in descriptor["resources"]}
    assert names == set(csv_export.CSV_TABLES)
    for resource in descriptor["resources"]:
        assert (
            resource["schema"]["fields"]
            == canonical[resource["name"]]["schema"]["fields"]
        )
        for key in resource["schema"].get("foreignKeys", []):
            assert key["reference"]["resource"] in names
        with (tmp_path / resource["path"]).open(newline="") as handle:
            header = next(csv.reader(handle))
        assert header == [f["name"] for f in resource["schema"]["fields"]]
    assert "services.csv 2" in out
    with (tmp_path / "attributes.csv").open(newline="") as handle:
        attributes = list(csv.DictReader(handle))
    # 2 taxonomy links, then 2 diseases, referrals, e-mail, telehealth, verified;
    # the second service says it takes no referrals and offers no telehealth.
    assert len(attributes) == 2 + 6 + 2


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("form", ["csv", "json"])
def test_hsds_round_trip_loses_nothing(directory, tmp_path, form):
    before = every_row()
    export(tmp_path, "--format", form)
    empty_the_directory()

    out = import_(tmp_path)

    assert every_row() == before
    assert "0 rows skipped, 0 links dropped." in out
    # And again: nothing to change.
    assert "Imported: 0 created, 0 updated" in import_(tmp_path)
    assert every_row() == before


def test_hsds_export_both_formats_into_subfolders(directory, tmp_path):
    out = export(tmp_path / "out")

    assert (tmp_path / "out" / "csv" / "datapackage.json").is_file()
    assert (tmp_path / "out" / "json" / "services.json").is_file()
    assert "CSV datapackage" in out and "JSON" in out


def test_hsds_export_of_an_empty_directory_is_valid(tmp_path):
    export(tmp_path, "--format", "json")

    document = json.loads((tmp_path / "services.json").read_text())
    assert document["empty"] is True and document["contents"] == []
    assert schemas.errors(document, schemas.page_schema("service"), SCHEMA_DIR) == []


def test_hsds_export_refuses_a_file_as_folder(tmp_path):
    target = tmp_path / "taken.txt"
    target.write_text("x")

    with pytest.raises(CommandError, match="is a file; give a folder"):
        export(target)


def test_hsds_export_leaves_out_an_extension_that_is_not_a_number(tmp_path):
    PhoneFactory(extension="ext. 4")
    export(tmp_path)

    document = json.loads((tmp_path / "json" / "services.json").read_text())
    assert "extension" not in document["contents"][0]["phones"][0]
    with (tmp_path / "csv" / "phones.csv").open(newline="") as handle:
        assert next(csv.DictReader(handle))["extension"] == "ext. 4"

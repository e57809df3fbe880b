"""manage.py import_hsds: rows skipped or links dropped, CareNav's details, and
malformed files."""

import json
import subprocess
import sys
import uuid
from datetime import date

import pytest
from django.conf import settings

from apps.directory.models import (
    Address,
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from apps.directory.tests.factories import (
    ServiceFactory,
    TaxonomyTermFactory,
)

from .hsds_files import (
    BAD_ROWS,
    LOCATION,
    NEW_ID,
    NOWHERE,
    ORG,
    PHONE,
    SERVICE,
    clean_tables,
    run,
    with_change,
    write_package,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- bad rows


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

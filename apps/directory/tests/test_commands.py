from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from apps.directory import demo
from apps.directory.geo import find_zip
from apps.directory.models import (
    Address,
    Language,
    Location,
    Organization,
    Phone,
    SavedService,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)

pytestmark = pytest.mark.django_db


def test_seed_directory_makes_a_searchable_directory():
    out = StringIO()
    call_command("seed_directory", services=60, seed=7, stdout=out)
    assert "Created 60 services" in out.getvalue()
    assert Service.objects.count() == 60
    assert not Service.objects.filter(search_vector__isnull=True).exists()
    # Every service has a place, a phone, opening hours, a language and a type.
    assert ServiceAtLocation.objects.values("service").distinct().count() == 60
    assert Phone.objects.filter(service__isnull=False).count() == 60
    assert Schedule.objects.filter(freq="WEEKLY").count() == 60
    assert Language.objects.filter(code="en").count() == 60
    assert (
        Service.taxonomy_terms.through.objects.values("service").distinct().count()
        == 60
    )
    assert Address.objects.count() == Location.objects.count()
    assert Organization.objects.filter(name__endswith="(example)").count() == (
        Organization.objects.count()
    )
    # Taxonomy loaded when missing; locations sit at real ZIP centroids.
    assert TaxonomyTerm.objects.filter(code="speech-language").exists()
    address = Address.objects.select_related("location").first()
    found = Service.objects.listed().near(find_zip(address.postal_code), 10)
    assert address.location.service_at_locations.first().service_id in {
        service.id for service in found
    }


def test_seed_directory_is_repeatable_with_a_seed():
    call_command("seed_directory", services=5, seed=3, stdout=StringIO())
    first = sorted(Service.objects.values_list("name", flat=True))
    Service.objects.all().delete()
    Organization.objects.all().delete()
    call_command("seed_directory", services=5, seed=3, stdout=StringIO())
    assert sorted(Service.objects.values_list("name", flat=True)) == first


def test_demo_fixtures_load_and_seed_twice(patient):
    for fixture in demo.FIXTURES:
        call_command("loaddata", fixture, verbosity=0)
    out = StringIO()
    demo.seed(stdout=out)
    demo.seed(stdout=out)
    assert 35 <= Service.objects.count() <= 45
    assert not Service.objects.filter(search_vector__isnull=True).exists()
    assert all(
        "(example)" in name for name in Service.objects.values_list("name", flat=True)
    )
    emails = Service.objects.exclude(email="").values_list("email", flat=True)
    assert all(email.endswith("example.org") for email in emails)
    assert all(
        "-555-" in number for number in Phone.objects.values_list("number", flat=True)
    )
    # The demo patient's saved list (patient fixture is not the demo account).
    assert not SavedService.objects.filter(user=patient).exists()
    # Each demo area has services nearby.
    for zip_code in ["02114", "10001", "60611", "77030", "94110"]:
        found = Service.objects.listed().near(find_zip(zip_code), 25)
        assert found.count() >= 5, zip_code
    speech = Service.objects.listed().matching("speach therapy")
    assert any("Speech" in service.name for service in speech)


def test_refresh_search_index_command():
    from apps.directory.tests.factories import ServiceFactory

    service = ServiceFactory(name="Unindexed clinic")
    out = StringIO()
    call_command("refresh_search_index", stdout=out)
    assert "refreshed for 1 services" in out.getvalue()
    service.refresh_from_db()
    assert "'unindex':" in service.search_vector


def _watch_statement_timeout(monkeypatch, module, name):
    """Record the statement timeout in force whenever module.name is called."""
    from django.db import connection

    seen = []
    real = getattr(module, name)

    def watching(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen.append(cursor.fetchone()[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, watching)
    return seen


def test_bulk_commands_run_without_the_web_statement_timeout(monkeypatch, tmp_path):
    from django.db import connection

    from apps.directory import seeding
    from apps.directory.hsds import csv_export
    from apps.directory.management.commands import refresh_search_index as refresh

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        web = cursor.fetchone()[0]
    assert web != "0"
    seeded = _watch_statement_timeout(monkeypatch, seeding, "refresh_search_index")
    call_command("seed_directory", services=3, seed=1, stdout=StringIO())
    refreshed = _watch_statement_timeout(monkeypatch, refresh, "refresh_search_index")
    call_command("refresh_search_index", stdout=StringIO())
    exported = _watch_statement_timeout(
        monkeypatch, csv_export, "datapackage_descriptor"
    )
    call_command("export_hsds", str(tmp_path), format="csv", stdout=StringIO())
    assert seeded and refreshed and exported
    assert set(seeded + refreshed + exported) == {"0"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == web


def test_progress_bars_show_on_a_terminal_only():
    import io

    from apps.core.bulk import terminal_progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = terminal_progress(stream)(total=10, desc="Indexing", unit="services")
        bar.update(10)
        bar.close()
    assert "Indexing: 100%" in terminal.getvalue()
    assert "10/10" in terminal.getvalue()
    assert pipe.getvalue() == ""


def _zip_matches_city(address) -> bool:
    import zipcodes

    matches = zipcodes.matching(address.postal_code)
    if not matches:
        return False
    cities = {matches[0]["city"].lower()} | {
        city.lower() for city in matches[0].get("acceptable_cities", [])
    }
    return (
        address.city.lower() in cities and address.state_province == matches[0]["state"]
    )


def test_demo_and_seeded_addresses_use_the_zip_codes_of_their_cities():
    for fixture in demo.FIXTURES:
        call_command("loaddata", fixture, verbosity=0)
    call_command("seed_directory", services=30, seed=5, stdout=StringIO())
    wrong = [
        f"{address.city} {address.postal_code}"
        for address in Address.objects.all()
        if not _zip_matches_city(address)
    ]
    assert Address.objects.count() > 25
    assert wrong == []


def _planner_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def test_seed_directory_tells_the_planner_what_it_loaded_before_indexing():
    # Without statistics, indexing 100,000 fresh services read every schedule once
    # per service (about 50 minutes); the planner must know the rows are there.
    call_command("seed_directory", services=40, seed=2, stdout=StringIO())
    for model in (Schedule, ServiceAtLocation, Service, Language):
        assert _planner_rows(model._meta.db_table) >= 40, model.__name__

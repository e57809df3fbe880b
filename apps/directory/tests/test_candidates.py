"""The candidate query composed from the filter methods' fragments (candidates.py)
means what the QuerySet compiled by the ORM means."""

import dataclasses
import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from apps.directory.geo import find_zip
from apps.directory.models import Service, ServicePlace
from apps.directory.places import ServiceSearchRow
from apps.directory.search import refresh_search_index

from .factories import ServiceFactory, TaxonomyTermFactory
from .test_search import CAMBRIDGE, MANHATTAN, WORCESTER, place

pytestmark = pytest.mark.django_db

BOSTON = "02114"


@pytest.fixture
def directory(db):
    speech = TaxonomyTermFactory(code="speech-language", name="Speech therapy")
    respite = TaxonomyTermFactory(code="respite", name="Respite care")
    rows = [
        ("Voice clinic Cambridge", CAMBRIDGE, speech, True, "active"),
        ("Voice clinic Worcester", WORCESTER, speech, False, "active"),
        ("Voice team Manhattan", MANHATTAN, speech, True, "active"),
        ("Harbor respite", CAMBRIDGE, respite, True, "temporarily closed"),
        ("Closed voice clinic", CAMBRIDGE, speech, True, "defunct"),
        ("Worcester respite", WORCESTER, respite, False, "active"),
    ]
    for name, point, term, telehealth, status in rows:
        place(
            ServiceFactory(
                name=name,
                taxonomy_terms=[term],
                telehealth=telehealth,
                status=status,
                last_verified=timezone.localdate() - datetime.timedelta(days=3),
            ),
            point,
        )
    # One service at two places: its distance is to the nearer one.
    place(Service.objects.get(name="Voice clinic Worcester"), CAMBRIDGE)
    refresh_search_index()
    return {"speech": speech.pk, "respite": respite.pk}


def searches(terms):
    boston = find_zip(BOSTON)
    listed = Service.objects.listed()
    return [
        (listed, ""),
        (listed, "name"),
        (listed.matching("voice"), ""),
        (listed.matching("voise clinic"), "name"),
        (listed.of_types([terms["speech"]]).with_telehealth(), ""),
        (listed.near(boston, 50), ""),
        (listed.near(boston, 50), "name"),
        (listed.near(boston, 500).with_telehealth(), ""),
        (listed.near(boston, 500).of_types([terms["speech"]]), ""),
        (listed.matching("voice").near(boston, 50), ""),
        (listed.matching("voice").near(boston, 50), "distance"),
        (listed.near(boston, 500, beyond=10), "distance"),
        (listed.matching("respite").near(boston, 500, beyond=10), "distance"),
        (listed.checked_recently().accepting_referrals(), ""),
        (listed.speaking("es").for_disease("als"), ""),
        (Service.objects.active().near(boston, 500), ""),
    ]


def test_composed_candidates_are_the_compiled_ones(directory):
    for services, sort in searches(directory):
        found = services.search_results(sort=sort)
        assert found.composed is not None
        compiled = dataclasses.replace(found, composed=None)
        found.limit = compiled.limit = 2
        assert found.candidates() == compiled.candidates(), (services.query, sort)
        found.limit = compiled.limit = 200
        found._candidates = compiled._candidates = None
        assert found.candidates() == compiled.candidates(), (services.query, sort)


def test_nearest_first_distances_are_to_the_nearest_place(directory):
    found = Service.objects.listed().near(find_zip(BOSTON), 50).search_results()
    rows = {service.name: service.distance for service in found[0:10]}
    assert rows["Voice clinic Worcester"] == rows["Voice clinic Cambridge"]
    assert rows["Voice clinic Cambridge"] == pytest.approx(2.3, abs=0.1)
    assert rows["Worcester respite"] == pytest.approx(38, abs=1)
    assert "Closed voice clinic" not in rows


def test_a_queryset_changed_otherwise_is_compiled_by_the_orm(directory):
    listed = Service.objects.listed()
    assert listed.filter(telehealth=True).search_results().composed is None
    assert listed.all().search_results().composed is None
    assert listed.order_by("-name").search_results().composed is None
    # A filter method after a plain filter: the ORM still compiles it all.
    changed = listed.filter(name__startswith="Voice").with_telehealth()
    assert changed.search_results().composed is None
    assert [s.name for s in changed.search_results()[0:5]] == [
        "Voice clinic Cambridge",
        "Voice team Manhattan",
    ]
    # Ranked twice: as the ORM does, the last words rank.
    assert listed.matching("voice").matching("clinic").candidate_query() is None


def test_a_filter_after_near_keeps_the_inner_circle(
    directory, django_assert_num_queries
):
    found = (
        Service.objects.listed().near(find_zip(BOSTON), 60).with_telehealth()
    ).search_results()
    found.limit = 1
    with django_assert_num_queries(1):
        assert found.is_capped
    assert [service.name for service in found[0:1]] == ["Harbor respite"]


def test_filter_fragments_name_the_table_of_a_subquery(directory):
    telehealth = Service.objects.listed().with_telehealth().values("pk")
    outer = Service.objects.filter(pk__in=telehealth)
    assert 'U0."telehealth"' in str(outer.query)
    assert outer.count() == 3


def test_distance_searches_read_the_places(directory):
    boston = find_zip(BOSTON)
    listed = Service.objects.listed()
    for services, sort in [
        (listed.matching("voice").near(boston, 50), ""),
        (listed.near(boston, 50), "distance"),
        (listed.near(boston, 500, beyond=10).with_telehealth(), "distance"),
    ]:
        found = services.search_results(sort=sort)
        sql, _params = found.composed.sql(found.order, 10)
        assert "directory_serviceplace" in sql
        assert "directory_serviceatlocation" not in sql


def test_places_follow_their_services(directory):
    worcester = Service.objects.get(name="Voice clinic Worcester")

    def places() -> list[ServicePlace]:
        return list(ServicePlace.objects.filter(service=worcester))

    assert len(places()) == 2
    assert {place.name for place in places()} == {"Voice clinic Worcester"}
    assert not any(place.telehealth for place in places())
    assert all(place.search_terms == worcester.search_terms for place in places())

    Service.objects.filter(pk=worcester.pk).update(telehealth=True)
    refresh_search_index([worcester.pk])
    assert [place.telehealth for place in places()] == [True, True]

    worcester.service_at_locations.filter(location__latitude=CAMBRIDGE[0]).delete()
    refresh_search_index([worcester.pk])
    assert [place.latitude for place in places()] == [float(WORCESTER[0])]
    near_boston = Service.objects.listed().matching("voice").near(find_zip(BOSTON), 5)
    assert "Voice clinic Worcester" not in [
        service.name for service in near_boston.search_results()[0:10]
    ]


def test_words_by_name_read_every_match_at_once_when_they_are_few(
    directory, django_assert_num_queries
):
    def by_name(limit):
        found = Service.objects.listed().matching("voice").search_results(sort="name")
        found.limit = limit
        return found

    def ids(*names):
        return [str(Service.objects.get(name=name).pk) for name in names]

    voice = by_name(200)
    with django_assert_num_queries(1):
        found = [pk for pk, _ in voice.candidates()]
    assert found == ids(
        "Voice clinic Cambridge", "Voice clinic Worcester", "Voice team Manhattan"
    )
    # More matches than the limit: the name order is read from the name index.
    voice = by_name(2)
    with django_assert_num_queries(2):
        found = [pk for pk, _ in voice.candidates()]
    assert found[:2] == ids("Voice clinic Cambridge", "Voice clinic Worcester")
    assert voice.is_capped


def test_searches_without_a_distance_read_the_search_rows(directory):
    listed = Service.objects.listed()
    for services, sort in [
        (listed, ""),
        (listed.matching("voice"), "name"),
        (listed.of_types([directory["speech"]]).with_telehealth(), ""),
    ]:
        found = services.search_results(sort=sort)
        sql, _params = found.composed.sql(found.order, 10)
        assert '"directory_servicesearchrow"' in sql
        assert '"directory_service" ' not in sql


def test_search_rows_follow_their_services(directory):
    worcester = Service.objects.get(name="Voice clinic Worcester")
    row = ServiceSearchRow.objects.get(service=worcester)
    assert (row.name, row.telehealth) == ("Voice clinic Worcester", False)
    assert row.search_terms == worcester.search_terms

    Service.objects.filter(pk=worcester.pk).update(status="defunct", telehealth=True)
    refresh_search_index([worcester.pk])
    row.refresh_from_db()
    assert (row.status, row.telehealth) == ("defunct", True)
    names = [s.name for s in Service.objects.listed().search_results()[0:10]]
    assert "Voice clinic Worcester" not in names


def _physical_order(table: str) -> list[str]:
    """Names as the table's rows lie on disk (a fixed table name)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name FROM {table} ORDER BY ctid")  # nosec B608
        return [name for (name,) in cursor.fetchall()]


def test_rows_indexed_in_chunks_are_written_again_in_search_order(db):
    # Empty files (rolled back with the test), so rows lie in the order they are
    # written: room left by other tests' rows could be filled first.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE directory_servicesearchrow, directory_serviceplace")
    speech = TaxonomyTermFactory(code="speech-language", name="Speech therapy")
    respite = TaxonomyTermFactory(code="respite", name="Respite care")
    points = [MANHATTAN, CAMBRIDGE, WORCESTER]
    services = []
    for number in range(6):
        term = speech if number % 2 else respite
        service = ServiceFactory(name=f"Service {number}", taxonomy_terms=[term])
        place(service, points[number % 3])
        services.append(service)
    # Indexed one at a time, as an import or the chunks of a big index run are:
    # the rows lie in the order they were indexed, the types mixed.
    for service in services:
        refresh_search_index([service.pk])
    assert _physical_order("directory_servicesearchrow") == [
        f"Service {number}" for number in range(6)
    ]

    call_command("refresh_search_index", stdout=StringIO())

    def term_of(name):
        return speech.pk if int(name.split()[1]) % 2 else respite.pk

    by_type = [term_of(name) for name in _physical_order("directory_servicesearchrow")]
    assert by_type in (
        [respite.pk] * 3 + [speech.pk] * 3,
        [speech.pk] * 3 + [respite.pk] * 3,
    )
    # Places: by band of latitude (Manhattan's is south of Boston's), then
    # longitude (Worcester is west of Cambridge); two services at each point.
    place_names = _physical_order("directory_serviceplace")
    pairs = [set(place_names[at : at + 2]) for at in (0, 2, 4)]
    manhattan, worcester, cambridge = {0, 3}, {2, 5}, {1, 4}
    assert pairs == [
        {f"Service {number}" for number in point}
        for point in (manhattan, worcester, cambridge)
    ]

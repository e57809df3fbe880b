"""Directory search: what a result shows and how open hours count, what an empty
search offers (telehealth, the nearest beyond the radius), the phone layout, and how
little each search reads (bounded ranking, the inner circle, words read once)."""

import datetime
import re
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.directory.models import Service
from apps.directory.search import refresh_search_index

from .factories import (
    PhoneFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)
from .search_places import CAMBRIDGE, MANHATTAN, WORCESTER, names, place, search

pytestmark = pytest.mark.django_db


def test_only_a_bounded_set_of_matches_is_ranked_and_counted(client, monkeypatch):
    monkeypatch.setattr("apps.directory.querysets.CANDIDATE_LIMIT", 10)
    monkeypatch.setattr("apps.directory.views.CANDIDATE_LIMIT", 10)
    ServiceFactory.create_batch(25, description="Example service.")
    refresh_search_index()
    for params in ({}, {"q": "example"}):
        response = search(client, **params)
        assert response.context["page_obj"].paginator.count == 10
        assert "More than 10 services found" in response.content.decode()
        response = search(client, page="2", **params)
        assert response.context["page_obj"].number == 1
        assert "narrow them down" in response.context["notice"]


def test_result_card_shows_what_to_act_on(client):
    service = place(
        ServiceFactory(
            name="Harbor Voice",
            telehealth=True,
            accepts_referrals=True,
            referral_email="referrals@example.org",
        ),
        CAMBRIDGE,
    )
    PhoneFactory(service=service, number="(617) 555-0100")
    ScheduleFactory(service=service, byday="MO,WE", opens_at="09:00", closes_at="17:00")
    closed = place(
        ServiceFactory(
            name="Night desk",
            telehealth=False,
            accepts_referrals=False,
            referral_email="",
        ),
        CAMBRIDGE,
    )
    ScheduleFactory(service=closed, byday="MO", opens_at="18:00", closes_at="22:00")
    refresh_search_index()
    monday = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    with mock.patch("apps.directory.views.timezone.localtime", return_value=monday):
        response = search(client, zip="02114", radius="10", sort="name")
    html = response.content.decode()
    assert names(response) == ["Harbor Voice", "Night desk"]
    assert 'href="tel:6175550100">(617) 555-0100</a>' in html
    assert "Open now</span> Today 9:00 AM to 5:00 PM" in html
    assert "Closed now</span> Today 6:00 PM to 10:00 PM" in html
    assert "2.3 miles away" in html
    assert "Offers telehealth" in html
    assert "Takes referrals from caseworkers" in html
    assert "No referrals: contact them directly" in html


def open_services(moment: datetime.datetime) -> list[str]:
    found = Service.objects.listed().open_at(timezone.localtime(moment))
    return sorted(service.name for service in found)


def test_overnight_hours_are_open_after_midnight_until_they_close():
    from apps.directory.cards import OpeningHours

    night = ServiceFactory(name="Night line")
    ScheduleFactory(service=night, byday="MO,SU", opens_at="22:00", closes_at="06:00")
    refresh_search_index()
    zone = ZoneInfo("America/New_York")
    # Monday 2026-11-23: open from 22:00 into Tuesday 06:00.
    assert open_services(datetime.datetime(2026, 11, 23, 23, 0, tzinfo=zone)) == [
        "Night line"
    ]
    tuesday = datetime.datetime(2026, 11, 24, 5, 59, tzinfo=zone)
    assert open_services(tuesday) == ["Night line"]
    assert open_services(tuesday.replace(hour=6, minute=0)) == []
    assert open_services(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=zone)) == []
    # Sunday's night runs into Monday's morning: the week starts again.
    assert open_services(datetime.datetime(2026, 11, 23, 3, 0, tzinfo=zone)) == [
        "Night line"
    ]
    assert open_services(datetime.datetime(2026, 11, 22, 3, 0, tzinfo=zone)) == []
    night_hours = OpeningHours(datetime.time(22, 0), datetime.time(6, 0))
    assert str(night_hours) == "10:00 PM to 6:00 AM"


def test_changing_a_schedule_changes_open_now():
    """open_minutes is kept on the service row: rewritten by refresh_search_index,
    which every path that writes schedules calls (admin, import, listing check)."""
    service = ServiceFactory(name="Clinic")
    hours = ScheduleFactory(
        service=service, byday="MO", opens_at="09:00", closes_at="12:00"
    )
    at_site = ServiceAtLocationFactory(service=ServiceFactory(name="Site hours"))
    ScheduleFactory(
        service=None,
        service_at_location=at_site,
        byday="TU",
        opens_at="13:00",
        closes_at=None,
    )
    refresh_search_index()
    zone = ZoneInfo("America/New_York")
    monday_afternoon = datetime.datetime(2026, 11, 23, 14, 0, tzinfo=zone)
    tuesday_evening = datetime.datetime(2026, 11, 24, 20, 0, tzinfo=zone)
    assert open_services(monday_afternoon) == []
    # Without a closing time, hours run to midnight.
    assert open_services(tuesday_evening) == ["Site hours"]
    hours.closes_at = datetime.time(17, 0)
    hours.save()
    refresh_search_index([service.pk])
    assert open_services(monday_afternoon) == ["Clinic"]
    hours.delete()
    refresh_search_index([service.pk])
    assert open_services(monday_afternoon) == []
    assert Service.objects.get(pk=service.pk).open_minutes is None


def test_empty_zip_search_offers_telehealth_and_nearest_beyond_the_radius(
    client, service_types
):
    place(
        ServiceFactory(
            name="Worcester speech", taxonomy_terms=[service_types["speech"]]
        ),
        WORCESTER,
    )
    place(
        ServiceFactory(
            name="Video speech",
            telehealth=True,
            taxonomy_terms=[service_types["speech"]],
        ),
        MANHATTAN,
    )
    place(
        ServiceFactory(
            name="Respite nearby", taxonomy_terms=[service_types["respite"]]
        ),
        CAMBRIDGE,
    )
    refresh_search_index()
    response = search(client, zip="02114", radius="10", type="speech-language")
    html = response.content.decode()
    assert names(response) == []
    assert "No services match this search." in html
    beyond = [s.name for s in response.context["beyond_suggestions"]]
    assert beyond == ["Worcester speech", "Video speech"]
    assert [s.name for s in response.context["telehealth_suggestions"]] == [
        "Video speech"
    ]
    assert response.context["wider_radius"] == 40
    assert "radius=40" in response.context["wider_url"]
    relax = {item["label"]: item["url"] for item in response.context["relax_links"]}
    assert "type=" not in relax["Type of service"]
    assert "zip=02114" in relax["Type of service"]
    assert "Search within 40 miles instead" in html


@pytest.mark.parametrize("size", [2, 12])
def test_empty_search_query_count_is_flat(
    client, service_types, size, django_assert_num_queries
):
    for index in range(size):
        place(
            ServiceFactory(
                name=f"Far {index}",
                telehealth=True,
                taxonomy_terms=[service_types["speech"]],
            ),
            MANHATTAN,
        )
    refresh_search_index()
    # 1 taxonomy terms (the worker's first search), 2 the candidates (none), 3
    # telehealth services of the type (candidates), 4 the nearest within 50 miles
    # (none: Manhattan is about 190 miles away), 5 within 500 miles (candidates),
    # 6 the services of both.
    with django_assert_num_queries(6):
        response = search(client, zip="02114", radius="10", type="speech-language")
    assert len(response.context["beyond_suggestions"]) == min(size, 3)


def test_phone_layout_jumps_to_results_and_folds_the_filters(client):
    response = search(client, q="voice")
    html = response.content.decode()
    assert html.index('href="#results"') < html.index("<form")
    assert '<details class="search-filters' in html
    # Before any search, the filters are open.
    html = search(client).content.decode()
    assert 'href="#results"' not in html
    assert '<details class="search-filters mb-3" open>' in html


def test_an_empty_search_with_words_looks_the_words_up_once(
    client, service_types, django_assert_max_num_queries
):
    place(
        ServiceFactory(
            name="Far voice", telehealth=True, taxonomy_terms=[service_types["speech"]]
        ),
        MANHATTAN,
    )
    refresh_search_index()
    # terms, typo lookup, candidates, telehealth, the nearest beyond the radius
    # (2) and the services of both: never the typo lookup again.
    with django_assert_max_num_queries(7):
        response = search(
            client, q="voise", zip="02114", radius="10", type="speech-language"
        )
    assert [s.name for s in response.context["beyond_suggestions"]] == ["Far voice"]


def test_nearest_first_reads_the_inner_circle_when_it_holds_enough(
    django_assert_num_queries,
):
    from apps.directory.geo import find_zip

    for name, point in [
        ("Cambridge A", CAMBRIDGE),
        ("Cambridge B", CAMBRIDGE),
        ("Worcester", WORCESTER),
        ("Manhattan", MANHATTAN),
    ]:
        place(ServiceFactory(name=name), point)
    boston = find_zip("02114")

    def nearest(miles, limit):
        found = Service.objects.listed().near(boston, miles).search_results()
        found.limit = limit
        return [pk for pk, _ in found.candidates()], found

    # 2 within 25 miles (half of 50) and more than a limit of 1: the inner circle
    # answers alone, in one query, and says more matched than were ranked.
    with django_assert_num_queries(1):
        ids, found = nearest(50, 1)
    assert found.is_capped
    assert [found[0].name] == ["Cambridge A"]
    # Not enough in the inner circle: the whole circle is read too.
    with django_assert_num_queries(2):
        ids, found = nearest(50, 3)
    assert [service.name for service in found[0:3]] == [
        "Cambridge A",
        "Cambridge B",
        "Worcester",
    ]
    assert not found.is_capped
    # A further filter is not known to the inner circle: it is not used.
    filtered = Service.objects.listed().near(boston, 50).filter(name="Worcester")
    assert [s.name for s in filtered.search_results()[0:5]] == ["Worcester"]


def _beyond_queries(client, **params) -> tuple[list, list[str]]:
    """The nearest-beyond suggestions of a search, and the circles read for them
    (the grouped queries of places with a lower bound on the distance)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = search(client, **params)
    circles = [q["sql"] for q in queries.captured_queries if "HAVING min(" in q["sql"]]
    beyond = response.context["beyond_suggestions"]
    # A service in both lists is one object per list: the beyond list's has its
    # distance (the telehealth list is not about distance).
    for service in response.context["telehealth_suggestions"]:
        assert all(service is not other for other in beyond)
    assert all(service.distance > 10 for service in beyond)
    return [service.name for service in beyond], circles


def test_the_nearest_beyond_the_radius_are_sought_near_first_then_widest(client):
    for index in range(3):
        place(ServiceFactory(name=f"Worcester {index}"), WORCESTER)
    place(ServiceFactory(name="Manhattan voice", telehealth=True), MANHATTAN)
    refresh_search_index()
    # About 38 miles: the near circle (50 miles from a 10-mile search) holds three.
    names, circles = _beyond_queries(client, zip="02114", radius="10")
    assert names == ["Worcester 0", "Worcester 1", "Worcester 2"]
    assert len(circles) == 1 and re.search(r"<= 50(\.0)?\b", circles[0])
    # Only Manhattan matches, about 190 miles away: then the widest circle, at once.
    names, circles = _beyond_queries(client, zip="02114", radius="10", q="voice")
    assert names == ["Manhattan voice"]
    telehealth = search(client, zip="02114", radius="10", q="voice").context[
        "telehealth_suggestions"
    ]
    assert [service.name for service in telehealth] == ["Manhattan voice"]
    assert len(circles) == 2
    assert re.search(r"<= 500(\.0)?\b", circles[1])


def test_each_worker_reads_a_typed_word_once(django_assert_num_queries):
    from apps.directory.search import read_words

    service = ServiceFactory(name="Voice banking lab")
    refresh_search_index([service.pk])
    with django_assert_num_queries(1):
        first = read_words(["voyce", "banking"])
    with django_assert_num_queries(0):
        again = read_words(["banking", "voyce"])
    assert first == again
    assert again.known == {"banking"}
    assert again.corrections == {"voyce": ["voice"]}


def test_the_workers_share_how_they_read_a_word(django_assert_num_queries):
    from apps.directory.search import read_words
    from apps.directory.taxonomy import forget_local_copies

    service = ServiceFactory(name="Voice banking lab")
    refresh_search_index([service.pk])
    with django_assert_num_queries(1):
        first = read_words(["voyce", "banking"])
    # Another worker: nothing of its own in memory, the reading in the cache.
    forget_local_copies()
    with django_assert_num_queries(0):
        again = read_words(["voyce", "banking"])
    assert again == first
    assert again.corrections == {"voyce": ["voice"]}


def test_a_word_new_to_the_directory_is_read_again(django_assert_num_queries):
    from apps.directory.search import read_words

    refresh_search_index([ServiceFactory(name="Ramp builders").pk])
    assert "stairlift" not in read_words(["stairlift"]).known
    refresh_search_index([ServiceFactory(name="Stairlift loans").pk])
    assert "stairlift" in read_words(["stairlift"]).known

import datetime
import re
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.directory.forms import ServiceSearchForm
from apps.directory.models import Service, TaxonomyTerm
from apps.directory.search import refresh_search_index
from apps.directory.views import PAGE_SIZE

from .factories import (
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

pytestmark = pytest.mark.django_db

# Points around ZIP 02114 (Boston, centre 42.3611, -71.0682).
CAMBRIDGE = (Decimal("42.373600"), Decimal("-71.109700"))  # about 2.3 miles
WORCESTER = (Decimal("42.262600"), Decimal("-71.802300"))  # about 38 miles
MANHATTAN = (Decimal("40.750600"), Decimal("-73.997200"))  # about 190 miles


def place(service, point):
    location = LocationFactory(
        organization=service.organization, latitude=point[0], longitude=point[1]
    )
    AddressFactory(location=location)
    ServiceAtLocationFactory(service=service, location=location)
    # As every path that links a service to a place does: distance searches read
    # the services' places (apps/directory/places.py).
    refresh_search_index([service.pk])
    return service


def names(response) -> list[str]:
    return [service.name for service in response.context["results"]]


def search(client, **params):
    response = client.get(reverse("directory:service_list"), params)
    assert response.status_code == 200
    return response


@pytest.fixture
def terms(db):
    therapy = TaxonomyTermFactory(code="therapy", name="Therapy and rehabilitation")
    return {
        "therapy": therapy,
        "speech": TaxonomyTermFactory(
            code="speech-language", name="Speech-language pathology", parent=therapy
        ),
        "pt": TaxonomyTermFactory(
            code="physical-therapy", name="Physical therapy (PT)", parent=therapy
        ),
        "respite": TaxonomyTermFactory(code="respite", name="Respite care"),
    }


def test_refresh_weights_name_above_description(terms):
    named = ServiceFactory(name="Voice clinic", description="Friendly staff.")
    described = ServiceFactory(name="Harbor team", description="A voice clinic.")
    assert refresh_search_index() == 2
    assert refresh_search_index([named.pk]) == 1
    assert refresh_search_index([]) == 0
    named.refresh_from_db()
    assert "'voic':1A" in named.search_vector
    found = Service.objects.listed().matching("voice").search_results()
    assert [service.pk for service in found[0:2]] == [named.pk, described.pk]


def test_refresh_includes_organisation_taxonomy_and_languages(terms):
    service = ServiceFactory(
        name="Harbor team",
        organization=OrganizationFactory(name="Lighthouse Health"),
        taxonomy_terms=[terms["speech"]],
    )
    LanguageFactory(service=service, code="es", name="Spanish")
    LanguageFactory(service=service, code="", name="Tagalog")
    refresh_search_index([service.pk])
    service.refresh_from_db()
    # Terms with their ancestors; languages by code and name, in lower case.
    assert set(service.search_terms) == {terms["speech"].id, terms["therapy"].id}
    assert service.search_languages == ["es", "spanish", "tagalog"]
    assert "'lighthous':" in service.search_vector
    assert "'patholog':" in service.search_vector
    # Everyday words of the term are indexed too.
    assert "'therapi':" in service.search_vector


def test_keyword_search_finds_by_name_organisation_and_type(client, terms):
    ServiceFactory(name="Harbor Voice Clinic", taxonomy_terms=[terms["speech"]])
    ServiceFactory(
        name="Walk Well", organization=OrganizationFactory(name="Lighthouse Health")
    )
    ServiceFactory(name="Rest House", taxonomy_terms=[terms["respite"]])
    refresh_search_index()
    assert names(search(client, q="voice")) == ["Harbor Voice Clinic"]
    assert names(search(client, q="lighthouse")) == ["Walk Well"]
    assert names(search(client, q="speech therapy")) == ["Harbor Voice Clinic"]
    assert names(search(client, q="respite")) == ["Rest House"]


def test_typo_still_finds_speech_language_pathology(client, terms):
    ServiceFactory(name="Harbor Voice Clinic", taxonomy_terms=[terms["speech"]])
    ServiceFactory(name="Rest House", taxonomy_terms=[terms["respite"]])
    refresh_search_index()
    response = search(client, q="speach therapy")
    assert names(response) == ["Harbor Voice Clinic"]
    assert response.context["corrections"] == {"speach": ["speech"]}
    assert "Also searched for" in response.content.decode()


def test_typo_in_a_name(client, terms):
    ServiceFactory(name="Neurology Associates")
    refresh_search_index()
    assert names(search(client, q="nuerology")) == ["Neurology Associates"]


def test_keyword_with_punctuation_only_is_no_keyword(client):
    ServiceFactory(name="Anything")
    refresh_search_index()
    assert names(search(client, q="&&& | !:*")) == ["Anything"]


def test_unknown_words_find_nothing_and_say_so(client):
    ServiceFactory(name="Harbor Voice Clinic")
    refresh_search_index()
    response = search(client, q="zzqx")
    assert names(response) == []
    assert "No services match" in response.content.decode()


def test_inactive_and_defunct_services_are_not_listed(client):
    ServiceFactory(name="Open one")
    ServiceFactory(name="Closed a while", status=Service.Status.TEMPORARILY_CLOSED)
    ServiceFactory(name="Gone", status=Service.Status.DEFUNCT)
    ServiceFactory(name="Paused", status=Service.Status.INACTIVE)
    refresh_search_index()
    assert names(search(client)) == ["Closed a while", "Open one"]


def test_filter_by_taxonomy_includes_children(client, terms):
    ServiceFactory(name="Speech", taxonomy_terms=[terms["speech"]])
    ServiceFactory(name="PT", taxonomy_terms=[terms["pt"]])
    ServiceFactory(name="Respite", taxonomy_terms=[terms["respite"]])
    refresh_search_index()
    assert names(search(client, type="speech-language")) == ["Speech"]
    assert names(search(client, type="therapy")) == ["PT", "Speech"]
    response = client.get(
        reverse("directory:service_list"), {"type": ["respite", "physical-therapy"]}
    )
    assert names(response) == ["PT", "Respite"]


def test_unknown_taxonomy_code_is_a_form_error(client, terms):
    response = search(client, type="nonsense")
    assert response.context["form"].errors["type"]
    assert response.context["results"] == []


def test_filter_by_disease(client):
    ServiceFactory(name="ALS only", diseases=["als"])
    ServiceFactory(name="MS only", diseases=["ms"])
    ServiceFactory(name="Both", diseases=["als", "ms"])
    refresh_search_index()
    assert names(search(client, disease="ms")) == ["Both", "MS only"]


def test_filter_by_language_code_or_name(client):
    LanguageFactory(service=ServiceFactory(name="Coded"), code="es", name="")
    LanguageFactory(service=ServiceFactory(name="Named"), code="", name="spanish")
    LanguageFactory(service=ServiceFactory(name="Other"), code="vi", name="Vietnamese")
    refresh_search_index()
    assert names(search(client, language="es")) == ["Coded", "Named"]


def test_filter_by_telehealth_and_referrals(client):
    ServiceFactory(name="Video", telehealth=True, accepts_referrals=False)
    ServiceFactory(name="Referrals", telehealth=False)
    ServiceFactory(
        name="Neither", telehealth=False, accepts_referrals=False, referral_email=""
    )
    refresh_search_index()
    assert names(search(client, telehealth="on")) == ["Video"]
    assert names(search(client, accepts_referrals="on")) == ["Referrals"]


def test_open_now_uses_weekly_schedules_in_site_time_zone():
    weekday = ServiceFactory(name="Weekdays")
    ScheduleFactory(service=weekday, byday="MO,TU,WE,TH,FR", opens_at="09:00")
    evening = ServiceFactory(name="Evenings")
    ScheduleFactory(service=evening, byday="MO", opens_at="18:00", closes_at="21:00")
    overnight = ServiceFactory(name="Overnight")
    ScheduleFactory(service=overnight, byday="MO", opens_at="22:00", closes_at="06:00")
    at_site = ServiceFactory(name="Per site")
    sal = ServiceAtLocationFactory(service=at_site)
    ScheduleFactory(service=None, service_at_location=sal, byday="MO")
    ServiceFactory(name="No hours")
    refresh_search_index()
    zone = ZoneInfo("America/New_York")

    def open_at(hour):
        # Monday 2026-11-23 at the given hour, New York time.
        moment = datetime.datetime(2026, 11, 23, hour, 30, tzinfo=zone)
        found = Service.objects.listed().open_at(timezone.localtime(moment))
        return sorted(service.name for service in found)

    assert open_at(10) == ["Per site", "Weekdays"]
    assert open_at(19) == ["Evenings"]
    assert open_at(23) == ["Overnight"]
    # 10:30 in New York is 15:30 UTC: the site's zone decides, not UTC.
    utc = datetime.datetime(2026, 11, 23, 15, 30, tzinfo=datetime.UTC)
    found = Service.objects.listed().open_at(timezone.localtime(utc))
    assert sorted(service.name for service in found) == ["Per site", "Weekdays"]


def test_open_now_filter_on_the_page(client):
    ScheduleFactory(
        service=ServiceFactory(name="Weekdays"), byday="MO", opens_at="09:00"
    )
    ScheduleFactory(
        service=ServiceFactory(name="Sundays"), byday="SU", opens_at="09:00"
    )
    refresh_search_index()
    monday = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    with mock.patch("apps.directory.views.timezone.localtime", return_value=monday):
        assert names(search(client, open_now="on")) == ["Weekdays"]


def test_a_card_shows_the_address_of_a_site_inside_the_searched_area(client):
    service = ServiceFactory(name="Two sites")
    for site, point, city in (
        ("A site", WORCESTER, "Worcester"),
        ("B site", CAMBRIDGE, "Cambridge"),
    ):
        location = LocationFactory(
            organization=service.organization,
            name=site,
            latitude=point[0],
            longitude=point[1],
        )
        AddressFactory(location=location, city=city)
        ServiceAtLocationFactory(service=service, location=location)
    refresh_search_index([service.pk])

    near = search(client, zip="02114", radius="10").context["results"]
    assert [card.place for card in near] == ["Cambridge, MA 02114"]
    # No area searched: the first site by name.
    anywhere = search(client, q="sites").context["results"]
    assert [card.place for card in anywhere] == ["Worcester, MA 02114"]


def test_zip_radius_filters_and_shows_distance(client):
    place(ServiceFactory(name="Cambridge"), CAMBRIDGE)
    place(ServiceFactory(name="Worcester"), WORCESTER)
    place(ServiceFactory(name="Manhattan"), MANHATTAN)
    ServiceFactory(name="Nowhere")  # no location: not in a distance search
    response = search(client, zip="02114", radius="10")
    assert names(response) == ["Cambridge"]
    distance = response.context["results"][0].distance
    assert 2.0 < distance < 2.6
    assert f"{distance:.1f} miles away" in response.content.decode()
    assert names(search(client, zip="02114", radius="50")) == ["Cambridge", "Worcester"]
    # Default radius: 25 miles.
    assert names(search(client, zip="02114")) == ["Cambridge"]


def test_distance_is_to_the_nearest_location(client):
    service = place(ServiceFactory(name="Two sites"), WORCESTER)
    place(service, CAMBRIDGE)
    response = search(client, zip="02114", radius="100")
    assert names(response) == ["Two sites"]
    assert response.context["results"][0].distance < 3


def test_sorting_by_distance_or_relevance(client):
    place(ServiceFactory(name="Far voice", description="Voice."), WORCESTER)
    place(ServiceFactory(name="Near clinic", description="Voice help."), CAMBRIDGE)
    place(ServiceFactory(name="Voice voice", description="Voice."), WORCESTER)
    refresh_search_index()
    by_distance = search(client, zip="02114", radius="100", sort="distance")
    assert names(by_distance)[0] == "Near clinic"
    assert names(search(client, zip="02114", radius="100"))[0] == "Near clinic"
    by_relevance = search(client, q="voice", zip="02114", radius="100")
    assert names(by_relevance)[-1] == "Near clinic"
    assert names(search(client, q="voice", sort="name")) == [
        "Far voice",
        "Near clinic",
        "Voice voice",
    ]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"zip": "99999"}, "zip", "could not find the US ZIP code"),
        ({"zip": "abcde"}, "zip", "could not find the US ZIP code"),
        ({"zip": "02114", "radius": "0"}, "radius", "from 1 to 500 miles"),
        ({"zip": "02114", "radius": "501"}, "radius", "from 1 to 500 miles"),
        ({"zip": "02114", "radius": "far"}, "radius", "whole number of miles"),
        ({"sort": "distance"}, "zip", "Enter a ZIP code to sort by distance"),
        ({"sort": "random"}, "sort", "Select a valid choice"),
    ],
)
def test_bad_search_input_gives_a_clear_message(client, params, field, message):
    ServiceFactory()
    response = search(client, **params)
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert response.context["results"] == []
    content = response.content.decode()
    assert "Please check your search" in content
    assert f'href="#id_{field}"' in content


@pytest.mark.parametrize(
    ("page", "message", "shown"),
    [
        ("abc", "whole numbers", 1),
        ("0", "start at 1", 1),
        ("-3", "start at 1", 1),
        ("99", "only 2 pages", 2),
        ("2", None, 2),
    ],
)
def test_bad_page_numbers(client, page, message, shown):
    ServiceFactory.create_batch(PAGE_SIZE + 5)
    refresh_search_index()
    response = search(client, page=page)
    assert response.context["page_obj"].number == shown
    assert (
        response.context["notice"] == message or message in response.context["notice"]
    )
    assert response.context["page_obj"].paginator.count == PAGE_SIZE + 5
    expected = PAGE_SIZE if shown == 1 else 5
    assert len(response.context["results"]) == expected


def test_page_beyond_results_of_an_empty_search(client):
    response = search(client, q="nothing", page="4")
    assert response.context["results"] == []
    assert response.context["page_obj"].number == 1


def test_result_count_is_announced(client):
    ServiceFactory.create_batch(3)
    refresh_search_index()
    content = search(client).content.decode()
    assert 'aria-live="polite"' in content
    assert "3 services found" in content


def test_form_fields_are_labelled():
    TaxonomyTermFactory(code="care", name="Care")
    form = ServiceSearchForm({})
    for field in form:
        assert field.label, field.name


def _directory_of(size: int, terms) -> None:
    for index in range(size):
        service = place(
            ServiceFactory(
                name=f"Voice service {index}", taxonomy_terms=[terms["speech"]]
            ),
            CAMBRIDGE,
        )
        LanguageFactory(service=service)
        ScheduleFactory(service=service)
    refresh_search_index()


@pytest.mark.parametrize("size", [5, 50])
def test_search_page_query_count_is_flat(
    client, terms, size, django_assert_num_queries
):
    _directory_of(size, terms)
    params = {
        "q": "voice",
        "zip": "02114",
        "radius": "30",
        "type": "therapy",
        "language": "es",
        "accepts_referrals": "on",
    }
    # 1 taxonomy terms for the form, 2 typo correction of the words,
    # 3 the candidates in order (bounded), 4 the services of the page with their
    # organisations and everything the cards show (phone, address, hours, types).
    with django_assert_num_queries(4):
        response = client.get(reverse("directory:service_list"), params)
    assert len(response.context["results"]) == min(size, PAGE_SIZE)


@pytest.mark.parametrize("size", [5, 50])
def test_search_page_query_count_for_a_patient(
    client, terms, patient, size, django_assert_num_queries
):
    _directory_of(size, terms)
    client.force_login(patient)
    # 1 session, 2 user, 3 taxonomy terms for the form, 4 the candidates (browsing:
    # in name order), 5 the services of the page with their card details, 6 which
    # of them the patient saved.
    with django_assert_num_queries(6):
        response = client.get(reverse("directory:service_list"))
    assert len(response.context["results"]) == min(size, PAGE_SIZE)


def test_search_page_role_matrix(assert_access):
    assert_access(
        reverse("directory:service_list"),
        {role: 200 for role in ["anonymous", "patient", "caseworker", "content_editor"]}
        | {"administrator": 200},
    )
    assert_access(reverse("directory:service_list"), {"anonymous": 405}, method="post")


def test_taxonomy_choices_group_children_under_parents(terms):
    form = ServiceSearchForm({})
    groups = dict(form.fields["type"].choices[1:])
    assert ("therapy", "All therapy and rehabilitation") in groups[
        "Therapy and rehabilitation"
    ]
    assert ("speech-language", "Speech-language pathology") in groups[
        "Therapy and rehabilitation"
    ]
    assert TaxonomyTerm.objects.count() == 4


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
    client, terms
):
    place(
        ServiceFactory(name="Worcester speech", taxonomy_terms=[terms["speech"]]),
        WORCESTER,
    )
    place(
        ServiceFactory(
            name="Video speech", telehealth=True, taxonomy_terms=[terms["speech"]]
        ),
        MANHATTAN,
    )
    place(
        ServiceFactory(name="Respite nearby", taxonomy_terms=[terms["respite"]]),
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
    client, terms, size, django_assert_num_queries
):
    for index in range(size):
        place(
            ServiceFactory(
                name=f"Far {index}", telehealth=True, taxonomy_terms=[terms["speech"]]
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
    client, terms, django_assert_max_num_queries
):
    place(
        ServiceFactory(
            name="Far voice", telehealth=True, taxonomy_terms=[terms["speech"]]
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

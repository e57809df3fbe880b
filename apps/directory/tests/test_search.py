"""Directory search: words and typos, filters, distance, paging, bad input and the
search page's queries and access."""

import datetime
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
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)
from .search_places import CAMBRIDGE, MANHATTAN, WORCESTER, names, place, search

pytestmark = pytest.mark.django_db


def test_refresh_weights_name_above_description(service_types):
    named = ServiceFactory(name="Voice clinic", description="Friendly staff.")
    described = ServiceFactory(name="Harbor team", description="A voice clinic.")
    assert refresh_search_index() == 2
    assert refresh_search_index([named.pk]) == 1
    assert refresh_search_index([]) == 0
    named.refresh_from_db()
    assert "'voic':1A" in named.search_vector
    found = Service.objects.listed().matching("voice").search_results()
    assert [service.pk for service in found[0:2]] == [named.pk, described.pk]


def test_refresh_includes_organisation_taxonomy_and_languages(service_types):
    service = ServiceFactory(
        name="Harbor team",
        organization=OrganizationFactory(name="Lighthouse Health"),
        taxonomy_terms=[service_types["speech"]],
    )
    LanguageFactory(service=service, code="es", name="Spanish")
    LanguageFactory(service=service, code="", name="Tagalog")
    refresh_search_index([service.pk])
    service.refresh_from_db()
    # Terms with their ancestors; languages by code and name, in lower case.
    assert set(service.search_terms) == {
        service_types["speech"].id,
        service_types["therapy"].id,
    }
    assert service.search_languages == ["es", "spanish", "tagalog"]
    assert "'lighthous':" in service.search_vector
    assert "'patholog':" in service.search_vector
    # Everyday words of the term are indexed too.
    assert "'therapi':" in service.search_vector


def test_keyword_search_finds_by_name_organisation_and_type(client, service_types):
    ServiceFactory(name="Harbor Voice Clinic", taxonomy_terms=[service_types["speech"]])
    ServiceFactory(
        name="Walk Well", organization=OrganizationFactory(name="Lighthouse Health")
    )
    ServiceFactory(name="Rest House", taxonomy_terms=[service_types["respite"]])
    refresh_search_index()
    assert names(search(client, q="voice")) == ["Harbor Voice Clinic"]
    assert names(search(client, q="lighthouse")) == ["Walk Well"]
    assert names(search(client, q="speech therapy")) == ["Harbor Voice Clinic"]
    assert names(search(client, q="respite")) == ["Rest House"]


def test_typo_still_finds_speech_language_pathology(client, service_types):
    ServiceFactory(name="Harbor Voice Clinic", taxonomy_terms=[service_types["speech"]])
    ServiceFactory(name="Rest House", taxonomy_terms=[service_types["respite"]])
    refresh_search_index()
    response = search(client, q="speach therapy")
    assert names(response) == ["Harbor Voice Clinic"]
    assert response.context["corrections"] == {"speach": ["speech"]}
    assert "Also searched for" in response.content.decode()


def test_typo_in_a_name(client, service_types):
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


def test_filter_by_taxonomy_includes_children(client, service_types):
    ServiceFactory(name="Speech", taxonomy_terms=[service_types["speech"]])
    ServiceFactory(name="PT", taxonomy_terms=[service_types["pt"]])
    ServiceFactory(name="Respite", taxonomy_terms=[service_types["respite"]])
    refresh_search_index()
    assert names(search(client, type="speech-language")) == ["Speech"]
    assert names(search(client, type="therapy")) == ["PT", "Speech"]
    response = client.get(
        reverse("directory:service_list"), {"type": ["respite", "physical-therapy"]}
    )
    assert names(response) == ["PT", "Respite"]


def test_unknown_taxonomy_code_is_a_form_error(client, service_types):
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


def _directory_of(size: int, service_types) -> None:
    for index in range(size):
        service = place(
            ServiceFactory(
                name=f"Voice service {index}", taxonomy_terms=[service_types["speech"]]
            ),
            CAMBRIDGE,
        )
        LanguageFactory(service=service)
        ScheduleFactory(service=service)
    refresh_search_index()


@pytest.mark.parametrize("size", [5, 50])
def test_search_page_query_count_is_flat(
    client, service_types, size, django_assert_num_queries
):
    _directory_of(size, service_types)
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
    client, service_types, patient, size, django_assert_num_queries
):
    _directory_of(size, service_types)
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


def test_taxonomy_choices_group_children_under_parents(service_types):
    form = ServiceSearchForm({})
    groups = dict(form.fields["type"].choices[1:])
    assert ("therapy", "All therapy and rehabilitation") in groups[
        "Therapy and rehabilitation"
    ]
    assert ("speech-language", "Speech-language pathology") in groups[
        "Therapy and rehabilitation"
    ]
    assert TaxonomyTerm.objects.count() == 4

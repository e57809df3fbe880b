"""Choosing the service to refer to through the directory's search, never from a
list of every service."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from apps.directory.search import refresh_search_index
from apps.directory.tests.factories import (
    AddressFactory,
    LocationFactory,
    PhoneFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)
from apps.referrals.models import Referral

CHOOSER = "referrals:referral_choose_service"
# Around ZIP 02114 (Boston): about 2 and 38 miles away; Manhattan about 190.
CAMBRIDGE = (Decimal("42.373600"), Decimal("-71.109700"))
WORCESTER = (Decimal("42.262600"), Decimal("-71.802300"))
MANHATTAN = (Decimal("40.750600"), Decimal("-73.997200"))
# Services that match nothing asked for: the directory's bulk, never listed.
FILLER = 30


def _place(service, point, name="Main site"):
    location = LocationFactory(
        organization=service.organization,
        name=name,
        latitude=point[0],
        longitude=point[1],
    )
    AddressFactory(location=location)
    ServiceAtLocationFactory(service=service, location=location)
    return location


@pytest.fixture
def directory(db):
    therapy = TaxonomyTermFactory(code="therapy", name="Therapy and rehabilitation")
    speech = TaxonomyTermFactory(
        code="speech-language", name="Speech-language pathology", parent=therapy
    )
    respite = TaxonomyTermFactory(code="respite", name="Respite care")
    near = ServiceFactory(name="Charles River Speech Therapy", taxonomy_terms=[speech])
    PhoneFactory(service=near, number="617-555-0199")
    near_location = _place(near, CAMBRIDGE, "Cambridge office")
    _place(near, WORCESTER, "Worcester office")
    no_referrals = ServiceFactory(
        name="Harbor Voice Clinic",
        taxonomy_terms=[speech],
        accepts_referrals=False,
        referral_email="",
    )
    _place(no_referrals, CAMBRIDGE)
    too_far = ServiceFactory(name="Hudson Speech Center", taxonomy_terms=[speech])
    _place(too_far, MANHATTAN)
    fillers = ServiceFactory.create_batch(
        FILLER, name="Weekend respite house", taxonomy_terms=[respite]
    )
    for filler in fillers:
        _place(filler, CAMBRIDGE)
    refresh_search_index()
    return {
        "near": near,
        "near_location": near_location,
        "no_referrals": no_referrals,
        "too_far": too_far,
        "fillers": fillers,
    }


def _choose(browser, client_id=None, **params):
    if client_id is not None:
        params["client"] = client_id
    response = browser.get(reverse(CHOOSER), params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("patient", 403),
        ("content_editor", 403),
        ("caseworker", 200),
        ("supervisor", 200),
    ],
)
def test_chooser_access(client, request, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(CHOOSER)).status_code == status


def test_the_chooser_lists_nothing_until_asked(client, caseworker, directory):
    client.force_login(caseworker)
    page = _choose(client)
    assert page.context["results"] == []
    assertContains(page, "Type what the client needs")


def test_speech_therapists_within_25_miles_of_the_clients_zip(
    client, caseworker, client_record, directory
):
    client.force_login(caseworker)
    page = _choose(client, client_id=client_record.pk, type="speech-language")
    names = [service.name for service in page.context["results"]]
    # Distance from the client's ZIP (02114) by default, 25 miles.
    assert names == ["Charles River Speech Therapy", "Harbor Voice Clinic"]
    assertContains(page, 'value="02114"')
    assertContains(page, "miles away")
    assertContains(page, "617-555-0199")
    refer = (
        reverse("referrals:referral_create")
        + f"?service={directory['near'].pk}&amp;client={client_record.pk}"
    )
    assertContains(page, refer)


def test_a_service_without_referrals_is_shown_but_cannot_be_chosen(
    client, caseworker, client_record, directory
):
    client.force_login(caseworker)
    page = _choose(client, client_id=client_record.pk, q="harbor voice")
    assertContains(page, "Cannot be chosen")
    assertContains(page, "Does not take referrals through CareNav")
    assertNotContains(page, f"?service={directory['no_referrals'].pk}")
    only_referrals = _choose(
        client, client_id=client_record.pk, q="harbor voice", accepts_referrals="on"
    )
    assert only_referrals.context["results"] == []


def test_the_results_are_a_short_page(client, caseworker, client_record, directory):
    client.force_login(caseworker)
    page = _choose(client, client_id=client_record.pk, q="respite")
    assert len(page.context["results"]) == 10
    assert page.context["page_obj"].paginator.count == FILLER
    assertContains(page, "Next")


def test_htmx_asks_for_the_results_only(client, caseworker, client_record, directory):
    client.force_login(caseworker)
    page = client.get(
        reverse(CHOOSER),
        {"client": client_record.pk, "q": "speech"},
        HTTP_HX_REQUEST="true",
    )
    assertContains(page, "Charles River Speech Therapy")
    assertNotContains(page, "<html")
    assertNotContains(page, "<form")


def test_another_teams_client_is_not_used(
    client, other_caseworker, client_record, directory
):
    client.force_login(other_caseworker)
    page = _choose(client, client_id=client_record.pk, q="speech")
    assert page.context["client"] is None
    assertNotContains(page, client_record.full_name)


def test_the_form_offers_the_chosen_services_locations_only(
    client, caseworker, client_record, directory
):
    client.force_login(caseworker)
    page = client.get(
        reverse("referrals:referral_create"),
        {"service": directory["near"].pk, "client": client_record.pk},
    )
    locations = page.context["form"].fields["location"].queryset
    assert {location.name for location in locations} == {
        "Cambridge office",
        "Worcester office",
    }
    for filler in directory["fillers"]:
        assertNotContains(page, filler.name)


def test_query_count_of_the_chooser_is_flat(
    client, caseworker, client_record, directory
):
    client.force_login(caseworker)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _choose(client, client_id=client_record.pk, q="respite")
        return len(queries)

    # The worker's first search reads the taxonomy (apps/directory/taxonomy.py).
    count()
    before = count()
    more = ServiceFactory.create_batch(20, name="Weekend respite house")
    for service in more:
        _place(service, CAMBRIDGE)
    refresh_search_index()
    # New words of the directory: the worker reads its taxonomy and the typed
    # words once more (apps/directory/search.py, read_words), then no more.
    count()
    assert count() == before
    assert before <= 12


def test_choose_search_and_refer_without_javascript(
    client, caseworker, client_record, directory
):
    """The whole flow by plain GET links and one POST: search, Refer, save."""
    client.force_login(caseworker)
    page = _choose(client, client_id=client_record.pk, type="speech-language")
    refer = next(
        s for s in page.context["results"] if s.name == "Charles River Speech Therapy"
    )
    form_page = client.get(
        reverse("referrals:referral_create"),
        {"service": refer.pk, "client": client_record.pk},
    )
    form = form_page.context["form"]
    assert form.initial == {"service": refer.pk, "client": client_record.pk}
    response = client.post(
        reverse("referrals:referral_create"),
        {
            "client": client_record.pk,
            "service": refer.pk,
            "location": directory["near_location"].pk,
            "reason": "Speech assessment.",
            "urgency": "routine",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert (referral.service, referral.location) == (
        directory["near"],
        directory["near_location"],
    )

"""A caseworker finds a speech therapist within 25 miles of the client's ZIP code
and sends a referral, with and without JavaScript, never loading a list of every
service. The directory is simulated by a modest number of services; each page is
checked not to list the ones that do not match."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

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
from apps.referrals.tests.factories import ClientFactory

from .test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CAMBRIDGE = (Decimal("42.373600"), Decimal("-71.109700"))  # 2 miles from 02114
MANHATTAN = (Decimal("40.750600"), Decimal("-73.997200"))  # about 190 miles
OTHERS = 40
OTHER_NAME = "Weekend respite house"


def _place(service, point):
    location = LocationFactory(
        organization=service.organization,
        name=f"{service.name} site",
        latitude=point[0],
        longitude=point[1],
    )
    AddressFactory(location=location)
    ServiceAtLocationFactory(service=service, location=location)


@pytest.fixture
def directory(db):
    therapy = TaxonomyTermFactory(code="therapy", name="Therapy and rehabilitation")
    speech = TaxonomyTermFactory(
        code="speech-language", name="Speech-language pathology", parent=therapy
    )
    respite = TaxonomyTermFactory(code="respite", name="Respite care")
    near = ServiceFactory(name="Charles River Speech Therapy", taxonomy_terms=[speech])
    PhoneFactory(service=near, number="617-555-0199")
    _place(near, CAMBRIDGE)
    far = ServiceFactory(name="Hudson Speech Center", taxonomy_terms=[speech])
    _place(far, MANHATTAN)
    for service in ServiceFactory.create_batch(
        OTHERS, name=OTHER_NAME, taxonomy_terms=[respite]
    ):
        _place(service, CAMBRIDGE)
    refresh_search_index()
    return near


def _never_lists_the_directory(page):
    html = page.content()
    assert OTHER_NAME not in html
    assert "Hudson Speech Center" not in html
    assert page.locator(".service-choice").count() <= 10


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_refer_to_a_speech_therapist_within_25_miles(
    new_page, live_server, caseworker, directory, javascript
):
    record = ClientFactory(
        caseworker=caseworker,
        full_name="Robin Quartz",
        zip_code="02114",
        consents_to_share_with_services=True,
    )
    page = new_page(javascript=javascript)
    sign_in(page, live_server, caseworker)
    page.goto(live_server.url + record.get_absolute_url())
    page.get_by_role("link", name="New referral").click()
    page.wait_for_load_state()
    assert page.input_value("#id_zip") == "02114"
    page.select_option("#id_type", "speech-language")
    page.fill("#id_radius", "25")
    if javascript:
        # htmx replaces the results as the form changes: no page load.
        results = page.locator("#chooser-results")
        expect(results).not_to_contain_text(OTHER_NAME)
        results.get_by_role("heading", name=directory.name).wait_for()
    else:
        page.get_by_role("button", name="Search").click()
        page.wait_for_load_state()
    _never_lists_the_directory(page)
    assert "miles away" in page.inner_text("#chooser-results")
    assert "617-555-0199" in page.inner_text("#chooser-results")

    page.get_by_role("link", name=f"Refer to {directory.name}").click()
    page.wait_for_load_state()
    _never_lists_the_directory(page)
    assert page.input_value("#id_client") == str(record.pk)
    page.select_option("#id_location", index=1)  # the only location offered
    page.fill("#id_reason", "A speech and swallowing assessment.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Send to the service").click()
    page.get_by_text("Referral sent.").wait_for()
    referral = Referral.objects.get(client=record)
    assert (referral.service, referral.status) == (directory, Referral.Status.SENT)
    assert mail.outbox[-1].to == [directory.referral_email]
    assert page.url.endswith(reverse("referrals:referral_detail", args=[referral.pk]))

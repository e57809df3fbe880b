"""A provider checks its listing on a phone, in a real browser, with axe."""

import re

import pytest
from django.core import mail

from apps.core.tests.browser import PHONE, check_accessibility
from apps.directory import verification
from apps.directory.listings import ListingProposal
from apps.directory.tests.factories import PhoneFactory, ServiceFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_provider_corrects_its_listing_on_a_phone(new_page, live_server):
    service = ServiceFactory(
        name="Lakeside Equipment Loans", email="loans@lakeside.example"
    )
    PhoneFactory(service=service, number="(617) 555-0100")
    mail.outbox.clear()
    verification.request_verification(service=service, reason="staff")
    path = re.search(r"http://testserver(/\S+)", mail.outbox[-1].body).group(1)

    page = new_page(viewport=PHONE)
    page.goto(live_server.url + path)
    assert page.get_by_role("heading", name="Check your listing").is_visible()
    assert page.get_by_role("button", name="Everything is right").is_visible()
    check_accessibility(page, context="provider's listing page on a phone")
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.fill("#id_fees_description", "Free to borrow for up to six months.")
    page.fill("#id_phone", "555")
    page.get_by_role("button", name="Send the changes for review").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "Phone number" in alert.inner_text()
    assert page.input_value("#id_fees_description") == (
        "Free to borrow for up to six months."
    )
    check_accessibility(page, context="provider's form with errors")

    page.fill("#id_phone", "617-555-0188")
    page.get_by_role("button", name="Send the changes for review").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Thank you").is_visible()
    check_accessibility(page, context="provider's thanks page")
    proposal = ListingProposal.objects.get(service=service)
    assert proposal.proposed["fees_description"].startswith("Free to borrow")
    assert proposal.proposed["phone"] == "(617) 555-0188"

"""The closed loop in a real browser: a new client to a completed referral, with the
receiving service answering through its link, and the pages checked with axe."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client as DjangoClient
from django.urls import reverse
from django.utils import timezone

from apps.core.tests.browser import PHONE, check_accessibility
from apps.directory.search import refresh_search_index
from apps.referrals.models import Referral

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, live_server, user):
    """Staff sign in with a second factor; the session is made directly instead."""
    django_client = DjangoClient()
    django_client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": django_client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )


def test_new_client_to_completed_referral(
    page, new_page, live_server, caseworker, service
):
    sign_in(page, live_server, caseworker)
    page.goto(live_server.url + reverse("referrals:dashboard"))
    check_accessibility(page, context="dashboard")
    page.get_by_role("link", name="Add a client").first.click()
    page.fill("#id_full_name", "Robin Quartz")
    page.fill("#id_email", "robin.quartz@example.org")
    page.fill("#id_zip_code", "02114")
    page.check("#id_consents_to_share_with_services")
    page.get_by_role("button", name="Add client").click()
    page.get_by_role("heading", name="Robin Quartz").wait_for()
    check_accessibility(page, context="client page")

    refresh_search_index()
    page.get_by_role("link", name="New referral").click()
    page.fill("#id_zip", "")
    page.fill("#id_q", service.name)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=f"Refer to {service.name}").click()
    page.fill("#id_reason", "Needs a speech assessment.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Send to the service").click()
    page.get_by_text("Referral sent.").wait_for()
    check_accessibility(page, context="referral page")

    link = re.search(r"https?://[^/\s]+(/respond/\S+/)", mail.outbox[-1].body).group(1)
    service_page = new_page(viewport=PHONE)
    service_page.goto(live_server.url + link)
    check_accessibility(service_page, context="respond page")
    assert "Robin Quartz" in service_page.content()
    service_page.fill("#id_accept_note", "We can help.")
    service_page.get_by_role("button", name="Accept the referral").click()
    service_page.get_by_text("Your answer is saved").wait_for()
    when = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    service_page.fill("#id_schedule_appointment_at", when)
    service_page.get_by_role("button", name="Give an appointment date").click()
    service_page.get_by_text("Your answer is saved").wait_for()
    service_page.check("#id_complete_confirm_early")
    service_page.get_by_role("button", name="Mark it as completed").click()
    service_page.get_by_text("nothing more to answer").wait_for()

    page.reload()
    timeline = page.locator(".referral-timeline").inner_text()
    for step in ("Created as draft", "Draft → Sent", "Sent → Accepted"):
        assert step in timeline
    assert "Accepted → Scheduled" in timeline
    assert "Scheduled → Completed" in timeline
    assert Referral.objects.get().status == "completed"
    assert {m.to[0] for m in mail.outbox} == {service.referral_email, caseworker.email}


def test_patient_pages_work_without_javascript(
    new_page, live_server, patient, referral, notes
):
    page = new_page(javascript=False, viewport=PHONE)
    sign_in(page, live_server, patient)
    page.goto(live_server.url + reverse("referrals:my_referrals"))
    assert referral.service.name in page.content()
    assert "INTERNAL" not in page.content()


def test_patient_page_is_accessible(page, live_server, patient, referral, notes):
    sign_in(page, live_server, patient)
    page.goto(live_server.url + reverse("referrals:my_referrals"))
    check_accessibility(page, context="my referrals")


def test_other_staff_pages_are_accessible(page, live_server, supervisor, referral):
    sign_in(page, live_server, supervisor)
    client_pk = referral.client_id
    for name, args in [
        ("referrals:client_list", []),
        ("referrals:client_access_log", [client_pk]),
        ("referrals:client_reassign", [client_pk]),
        ("referrals:referral_choose_service", []),
        ("referrals:referral_list", []),
        ("referrals:dashboard", []),
        ("referrals:referral_update", [referral.pk]),
        ("referrals:referral_print", [referral.pk]),
    ]:
        page.goto(live_server.url + reverse(name, args=args))
        check_accessibility(page, context=name)
    # A form sent back with errors.
    page.goto(live_server.url + reverse("referrals:client_create"))
    page.get_by_role("button", name="Add client").click()
    page.locator("#form-errors").wait_for()
    check_accessibility(page, context="client form with errors")


def test_dashboard_and_worklist_are_stacked_cards_on_a_phone(
    new_page, live_server, caseworker, referral
):
    Referral.objects.filter(pk=referral.pk).update(
        follow_up_on=timezone.localdate() - timedelta(days=1)
    )
    page = new_page(viewport=PHONE)
    sign_in(page, live_server, caseworker)
    for name in ("referrals:dashboard", "referrals:referral_list"):
        page.goto(live_server.url + reverse(name))
        table = page.locator(".stack-table").first
        assert table.locator("thead").is_hidden()
        row = table.locator("tbody tr").first
        text = row.inner_text()
        for label in ("Client", "Service", "Status", "Follow up on"):
            assert label in page.evaluate(
                "el => [...el.querySelectorAll('[data-label]')]"
                ".map(c => getComputedStyle(c, '::before').content).join(' ')",
                row.element_handle(),
            ), name
        assert referral.service.name in text
        # Nothing wider than the phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        check_accessibility(page, context=f"{name} on a phone")

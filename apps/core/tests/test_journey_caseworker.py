"""A caseworker signs in with a second factor, adds a client and refers them; the
service answers through the link in its e-mail, and the caseworker sees the outcome.

Runs as a desktop visitor, on a phone, and without JavaScript (JOURNEY_MODES).
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.directory.models import Service
from apps.referrals.models import Client, Referral

from .browser import JOURNEY_MODES, link_in_last_email, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def answer(journey, page, button: str, step: str) -> None:
    page.get_by_role("button", name=button).click()
    page.get_by_text("Your answer is saved").wait_for()
    journey.step(page, step)


@pytest.mark.parametrize("journey", JOURNEY_MODES, indirect=True)
def test_caseworker_refers_a_new_client(journey, live_server, site_content, caseworker):
    url = live_server.url
    service = Service.objects.get(
        name="Harbor City Speech and Swallowing Therapy (example)"
    )
    page = journey.new_page()

    sign_in(page, url, caseworker)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Casework"
    ).click()
    journey.step(page, "dashboard")

    page.get_by_role("link", name="Add a client").first.click()
    page.wait_for_load_state()
    journey.step(page, "new client form")
    page.fill("#id_full_name", "Morgan Ashdown")
    page.fill("#id_email", "morgan.ashdown@example.org")
    page.fill("#id_phone", "617-555-0134")
    page.fill("#id_zip_code", "02114")
    page.check("#id_consents_to_share_with_services")
    page.get_by_role("button", name="Add client").click()
    page.get_by_role("heading", level=1, name="Morgan Ashdown").wait_for()
    journey.step(page, "client page")
    client = Client.objects.get(full_name="Morgan Ashdown")
    assert client.caseworker == caseworker

    page.get_by_role("link", name="New referral").click()
    page.wait_for_load_state()
    journey.step(page, "choose a service")
    page.fill("#id_zip", "")
    page.fill("#id_q", "Harbor City Speech")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=f"Refer to {service.name}").click()
    page.wait_for_load_state()
    journey.step(page, "new referral form")
    assert page.input_value("#id_client") == str(client.pk)
    page.fill("#id_reason", "Swallowing has become harder this month.")
    page.fill(
        "#id_follow_up_on", (timezone.localdate() + timedelta(days=7)).isoformat()
    )
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Send to the service").click()
    page.get_by_text("Referral sent.").wait_for()
    journey.step(page, "referral sent")
    referral = Referral.objects.get(client=client)
    assert referral.status == Referral.Status.SENT
    assert mail.outbox[-1].to == [service.referral_email]

    # The service has no account: the link in its e-mail is the only key.
    link = link_in_last_email(mail.outbox, r"/respond/\S+/")
    service_page = journey.new_page()
    service_page.goto(url + link)
    journey.step(service_page, "service reads the referral")
    assert "Morgan Ashdown" in service_page.inner_text("main")
    assert "Swallowing has become harder" in service_page.inner_text("main")
    service_page.fill("#id_accept_note", "We can see them soon.")
    answer(journey, service_page, "Accept the referral", "service accepted")
    when = timezone.localtime() + timedelta(days=5)
    service_page.fill("#id_schedule_appointment_at", when.strftime("%Y-%m-%dT%H:%M"))
    answer(journey, service_page, "Give an appointment date", "service scheduled")
    service_page.check("#id_complete_confirm_early")
    answer(journey, service_page, "Mark it as completed", "service completed")
    assert "nothing more to answer" in service_page.inner_text("main")

    page.reload()
    journey.step(page, "caseworker sees the outcome")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.COMPLETED
    summary = page.locator("main").inner_text()
    assert "Completed" in summary
    timeline = page.locator(".referral-timeline").inner_text()
    for change in (
        "Draft → Sent",
        "Sent → Accepted",
        "Accepted → Scheduled",
        "Scheduled → Completed",
    ):
        assert change in timeline
    assert "We can see them soon." in timeline

    page.get_by_role("link", name="Morgan Ashdown").first.click()
    page.wait_for_load_state()
    journey.step(page, "client page after the referral")
    row = page.locator("table tr", has_text=service.name)
    assert "Completed" in row.inner_text()

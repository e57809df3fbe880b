"""The service's answer page: what it shows once a referral has ended, and what
it leaves out (site navigation)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from apps.referrals.models import Referral
from apps.referrals.tokens import make_respond_token

S = Referral.Status


def _end(referral, status, caseworker):
    if status == S.COMPLETED:
        referral.change_status(S.ACCEPTED, by=caseworker)
    referral.change_status(status, by=caseworker, note="Ended.")


@pytest.mark.parametrize(
    "status", [S.COMPLETED, S.DECLINED, S.CANCELLED, S.NO_RESPONSE]
)
def test_an_ended_referral_link_says_closed_and_shows_no_client_details(
    client, referral, caseworker, status
):
    link = reverse("referrals:respond", args=[make_respond_token(referral)])
    assertContains(client.get(link), referral.client.full_name)
    _end(referral, status, caseworker)
    for response in (
        client.get(link),
        client.post(link, {"action": "accept", "version": referral.version}),
    ):
        assertContains(
            response,
            "This referral is closed",
            status_code=200 if response.wsgi_request.method == "GET" else 409,
        )
        text = response.content.decode()
        for detail in (
            referral.client.full_name,
            referral.client.email,
            referral.client.phone,
            referral.reason,
        ):
            assert detail not in text
    referral.refresh_from_db()
    assert referral.status == status


def test_a_stale_answer_to_a_referral_closed_meanwhile_shows_it_closed(
    client, referral, caseworker
):
    link = reverse("referrals:respond", args=[make_respond_token(referral)])
    seen = referral.version
    referral.change_status(S.CANCELLED, by=caseworker)
    response = client.post(link, {"action": "accept", "version": seen})
    assertContains(response, "This referral is closed", status_code=409)
    assertNotContains(response, referral.client.full_name, status_code=409)


def test_the_answer_page_has_no_public_navigation(client, referral):
    page = client.get(reverse("referrals:respond", args=[make_respond_token(referral)]))
    for link in (
        reverse("account_login"),
        reverse("account_signup"),
        reverse("directory:service_list"),
    ):
        assertNotContains(page, f'href="{link}')
    assertNotContains(page, "Sign in")
    assertNotContains(page, "Create an account")


def _scheduled(referral, caseworker, days):
    referral.change_status(S.ACCEPTED, by=caseworker)
    referral.change_status(
        S.SCHEDULED,
        by=caseworker,
        appointment_at=timezone.now() + timedelta(days=days),
    )


def test_completing_before_the_appointment_asks_to_confirm(
    client, referral, caseworker
):
    _scheduled(referral, caseworker, days=5)
    link = reverse("referrals:respond", args=[make_respond_token(referral)])
    page = client.get(link)
    assertContains(page, 'name="confirm_early"')
    response = client.post(
        link, {"action": "complete", "version": referral.version, "note": "Seen."}
    )
    assertContains(response, "Tick the box to confirm", status_code=400)
    assertContains(response, "Seen.", status_code=400)  # nothing typed is lost
    referral.refresh_from_db()
    assert referral.status == S.SCHEDULED
    response = client.post(
        link,
        {"action": "complete", "version": referral.version, "confirm_early": "on"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED


def test_completing_after_the_appointment_needs_no_confirmation(
    client, referral, caseworker
):
    _scheduled(referral, caseworker, days=1)
    Referral.objects.filter(pk=referral.pk).update(
        appointment_at=timezone.now() - timedelta(hours=2)
    )
    link = reverse("referrals:respond", args=[make_respond_token(referral)])
    assertNotContains(client.get(link), 'name="confirm_early"')
    response = client.post(link, {"action": "complete", "version": referral.version})
    assert response.status_code == 302

"""From a new client to a completed referral, with the service answering by link."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from apps.referrals.models import Client, Referral
from apps.referrals.tokens import make_invitation_token, make_respond_token

LINK = re.compile(r"http://testserver(/respond/[^/\s]+/)")


def _link_in(message) -> str:
    return LINK.search(message.body).group(1)


def _future(days=7) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_caseworker_takes_a_new_client_to_a_completed_referral(
    client, caseworker, service, django_capture_on_commit_callbacks
):
    client.force_login(caseworker)
    response = client.post(
        reverse("referrals:client_create"),
        {
            "full_name": "Robin Quartz",
            "email": "robin.quartz@example.org",
            "phone": "617-555-0199",
            "zip_code": "02114",
            "preferred_language": "en",
            "consents_to_share_with_services": "on",
        },
    )
    new_client = Client.objects.get(full_name="Robin Quartz")
    assert response.url == new_client.get_absolute_url()
    assert new_client.caseworker == caseworker
    assert new_client.team == caseworker.team
    assert new_client.consent_recorded_at is not None

    response = client.post(
        reverse("referrals:referral_create") + f"?service={service.pk}",
        {
            "client": new_client.pk,
            "service": service.pk,
            "reason": "Needs a speech assessment.",
            "urgency": "soon",
        },
    )
    referral = Referral.objects.get(client=new_client)
    assert response.url == referral.get_absolute_url()
    assert referral.status == "draft"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("referrals:referral_change_status", args=[referral.pk]),
            {"to": "sent", "version": referral.version},
        )
    assert response.status_code == 303
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [service.referral_email]
    assert "Robin" not in sent.body and "robin.quartz" not in sent.body
    link = _link_in(sent)

    client.logout()
    page = client.get(link)
    assertContains(page, "Robin Quartz")  # the client consented to share
    assertContains(page, "Needs a speech assessment.")

    answers = [
        ({"action": "accept", "note": "We can help."}, "accepted"),
        ({"action": "schedule", "appointment_at": _future()}, "scheduled"),
        (
            {"action": "complete", "note": "Seen today.", "confirm_early": "on"},
            "completed",
        ),
    ]
    for data, status in answers:
        referral.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(link, {**data, "version": referral.version})
        assert response.status_code == 302, response.content[:3000]
        referral.refresh_from_db()
        assert referral.status == status
        told = mail.outbox[-1]
        assert told.to == [caseworker.email]
        assert "Robin" not in told.body and "Robin" not in told.subject
        assert referral.get_absolute_url() in told.body
    assert len(mail.outbox) == 4
    page = client.get(link)
    assertContains(page, "nothing more to answer")

    client.force_login(caseworker)
    page = client.get(referral.get_absolute_url())
    events = list(referral.events.values_list("from_status", "to_status"))
    assert events == [
        ("", "draft"),
        ("draft", "sent"),
        ("sent", "accepted"),
        ("accepted", "scheduled"),
        ("scheduled", "completed"),
    ]
    service_events = referral.events.filter(actor__isnull=True)
    assert set(service_events.values_list("actor_label", flat=True)) == {service.name}
    assertContains(page, "We can help.")
    assertContains(page, f"{service.name} (through the link)")


def test_the_service_sees_no_name_without_consent_and_never_notes(
    client, referral, notes
):
    Client.objects.filter(pk=referral.client_id).update(
        consents_to_share_with_services=False
    )
    page = client.get(reverse("referrals:respond", args=[make_respond_token(referral)]))
    assert page.status_code == 200
    assertNotContains(page, referral.client.full_name)
    assertNotContains(page, referral.client.email)
    assertNotContains(page, "INTERNAL")
    assertNotContains(page, "SHARED")
    assertContains(page, referral.reason)


def test_declining_needs_a_reason(client, referral):
    link = reverse("referrals:respond", args=[make_respond_token(referral)])
    response = client.post(link, {"action": "decline", "version": referral.version})
    assert response.status_code == 400
    assertContains(response, "Why you cannot help", status_code=400)
    referral.refresh_from_db()
    assert referral.status == "sent"
    assertContains(response, "Main reason", status_code=400)
    response = client.post(
        link,
        {
            "action": "decline",
            "version": referral.version,
            "note": "Full until May.",
            "decline_reason": "no_capacity",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "declined"
    assert referral.events.last().note == "Full until May."
    assert referral.events.last().decline_reason == "no_capacity"


def test_an_unknown_answer_is_refused(client, referral):
    link = reverse("referrals:respond", args=[make_respond_token(referral)])
    response = client.post(link, {"action": "cancel", "version": referral.version})
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == "sent"


# Links


def test_a_tampered_link_is_refused(client, referral):
    token = make_respond_token(referral)
    for bad in [token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x" + token]:
        response = client.get(reverse("referrals:respond", args=[bad]))
        assert response.status_code == 404
        assertContains(response, "This link does not work", status_code=404)


def test_an_invitation_link_does_not_open_a_referral(client, invitation, referral):
    token = make_invitation_token(invitation)
    assert client.get(reverse("referrals:respond", args=[token])).status_code == 404


def test_an_expired_link_is_refused(client, referral, monkeypatch, settings):
    token = make_respond_token(referral)
    later = time.time() + (settings.REFERRAL_LINK_MAX_AGE_DAYS + 1) * 86400
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.get(reverse("referrals:respond", args=[token]))
    assert response.status_code == 404


def test_a_revoked_link_is_refused_and_a_new_one_works(
    client, caseworker, referral, django_capture_on_commit_callbacks
):
    old = reverse("referrals:respond", args=[make_respond_token(referral)])
    client.force_login(caseworker)
    client.post(reverse("referrals:referral_revoke_link", args=[referral.pk]))
    client.logout()
    assert client.get(old).status_code == 404
    assert client.post(old, {"action": "accept", "version": 2}).status_code == 404

    client.force_login(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("referrals:referral_resend_link", args=[referral.pk]))
    client.logout()
    new = _link_in(mail.outbox[-1])
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    notes = list(referral.events.values_list("note", flat=True))
    assert any("revoked" in note for note in notes)


def test_a_draft_has_no_working_link(client, draft_referral):
    token = make_respond_token(draft_referral)
    assert client.get(reverse("referrals:respond", args=[token])).status_code == 404


def test_answers_are_rate_limited(client, referral, settings):
    link = reverse("referrals:respond", args=[make_respond_token(referral)])
    codes = [
        client.post(link, {"action": "nonsense", "version": 1}).status_code
        for _ in range(22)
    ]
    assert codes[0] == 400
    assert codes[-1] == 429


def test_the_respond_form_is_csrf_protected(referral):
    from django.test import Client as BrowserClient

    browser = BrowserClient(enforce_csrf_checks=True)
    link = reverse("referrals:respond", args=[make_respond_token(referral)])
    response = browser.post(link, {"action": "accept", "version": referral.version})
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == "sent"


# Concurrency


def test_a_stale_status_change_shows_the_new_state_and_loses_nothing(
    client, caseworker, referral
):
    seen_version = referral.version
    # The service accepts while the caseworker has the page open.
    referral.change_status("accepted", by_label="Clinic")
    client.force_login(caseworker)
    response = client.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"to": "cancelled", "version": seen_version, "note": "Client moved away."},
    )
    assert response.status_code == 409
    assertContains(response, "Someone else changed this referral", status_code=409)
    assertContains(response, "Accepted", status_code=409)
    # What the caseworker typed is still there, against the new version.
    assertContains(response, "Client moved away.", status_code=409)
    assertContains(
        response, f'name="version" value="{seen_version + 1}"', status_code=409
    )
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert list(referral.events.values_list("to_status", flat=True)) == [
        "sent",
        "accepted",
    ]
    # Sent again knowingly, it goes through.
    response = client.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"to": "cancelled", "version": referral.version, "note": "Client moved away."},
    )
    assert response.status_code == 303
    referral.refresh_from_db()
    assert referral.status == "cancelled"


def test_a_stale_edit_keeps_the_text_and_the_other_change(
    client, caseworker, supervisor, referral
):
    seen_version = referral.version
    client.force_login(supervisor)
    client.post(
        reverse("referrals:referral_update", args=[referral.pk]),
        {
            "reason": "Supervisor's wording.",
            "urgency": "urgent",
            "version": seen_version,
        },
    )
    client.force_login(caseworker)
    response = client.post(
        reverse("referrals:referral_update", args=[referral.pk]),
        {
            "reason": "Caseworker's wording.",
            "urgency": "routine",
            "version": seen_version,
        },
    )
    assert response.status_code == 409
    assertContains(response, "Supervisor&#x27;s wording.", status_code=409)
    assertContains(response, "Caseworker&#x27;s wording.", status_code=409)
    referral.refresh_from_db()
    assert referral.reason == "Supervisor's wording."
    assert referral.version == seen_version + 1


def test_two_services_answering_at_once_cannot_both_win(client, referral):
    link = reverse("referrals:respond", args=[make_respond_token(referral)])
    version = referral.version
    first = client.post(link, {"action": "accept", "version": version})
    assert first.status_code == 302
    second = client.post(
        link,
        {
            "action": "decline",
            "version": version,
            "note": "No room.",
            "decline_reason": "no_capacity",
        },
    )
    assert second.status_code == 409
    assertContains(second, "changed before your answer arrived", status_code=409)
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_a_forbidden_change_through_the_page_is_refused(client, caseworker, referral):
    client.force_login(caseworker)
    response = client.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"to": "draft", "version": referral.version},
    )
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_scheduling_from_the_page_needs_a_date(client, caseworker, referral):
    client.force_login(caseworker)
    url = reverse("referrals:referral_change_status", args=[referral.pk])
    response = client.post(url, {"to": "scheduled", "version": referral.version})
    assert response.status_code == 400
    assertContains(response, "appointment", status_code=400)
    response = client.post(
        url,
        {"to": "scheduled", "version": referral.version, "appointment_at": _future()},
    )
    assert response.status_code == 303


@pytest.mark.parametrize("bad", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_odd_query_strings_do_not_break_the_referral_form(client, caseworker, bad):
    """No service the form can use: the caseworker is sent to choose one."""
    client.force_login(caseworker)
    response = client.get(
        reverse("referrals:referral_create") + f"?service={bad}&client=abc",
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(
        "referrals:referral_choose_service"
    )


def test_a_service_that_takes_no_referrals_cannot_be_chosen(
    client, caseworker, client_record
):
    from apps.directory.tests.factories import ServiceFactory

    closed = ServiceFactory(accepts_referrals=False, referral_email="")
    client.force_login(caseworker)
    response = client.post(
        reverse("referrals:referral_create"),
        {
            "client": client_record.pk,
            "service": closed.pk,
            "reason": "x",
            "urgency": "routine",
        },
        follow=True,
    )
    assert response.redirect_chain[0][0] == (
        reverse("referrals:referral_choose_service") + f"?client={client_record.pk}"
    )
    assertContains(response, "cannot be chosen. Does not take referrals")
    assert not Referral.objects.exists()


def test_the_location_must_belong_to_the_service(
    client, caseworker, client_record, service, service_at_location
):
    from apps.directory.tests.factories import ServiceAtLocationFactory

    elsewhere = ServiceAtLocationFactory().location
    client.force_login(caseworker)
    data = {
        "client": client_record.pk,
        "service": service.pk,
        "reason": "x",
        "urgency": "routine",
        "location": elsewhere.pk,
    }
    response = client.post(reverse("referrals:referral_create"), data)
    assert response.status_code == 200
    assert not Referral.objects.exists()
    data["location"] = service_at_location.location_id
    response = client.post(reverse("referrals:referral_create"), data)
    assert response.status_code == 302
    assert Referral.objects.get().location == service_at_location.location

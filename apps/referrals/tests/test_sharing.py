"""Consent to share checklist progress: given to one caseworker's team, per link,
seen and revoked by the patient grant by grant."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from apps.referrals import services
from apps.referrals.models import ClientInvitation, ProgressShare
from apps.referrals.tests.factories import ClientFactory
from apps.referrals.tokens import make_invitation_token


def _sees_progress(client, user, record) -> bool:
    client.force_login(user)
    page = client.get(reverse("referrals:client_progress", args=[record.pk]))
    assert page.status_code == 200
    return page.context["progress"] is not None


def _accept(client, patient, record, inviter, *, share: bool):
    invitation = ClientInvitation.objects.create(
        client=record, email=patient.email, invited_by=inviter
    )
    client.force_login(patient)
    data = {"accept": "1", **({"share_progress": "1"} if share else {})}
    url = reverse(
        "referrals:invitation_accept", args=[make_invitation_token(invitation)]
    )
    assert client.post(url, data).status_code == 302


def test_the_invitation_page_names_who_would_see_the_checklist(
    client, patient, invitation, caseworker
):
    client.force_login(patient)
    page = client.get(
        reverse("referrals:invitation_accept", args=[make_invitation_token(invitation)])
    )
    assertContains(page, 'name="share_progress"')
    assertContains(page, str(caseworker))
    assertContains(page, caseworker.team.name)


def test_accepting_with_the_box_shares_with_that_caseworkers_team(
    client, patient, unlinked_client, caseworker, supervisor
):
    _accept(client, patient, unlinked_client, caseworker, share=True)
    share = ProgressShare.objects.get()
    assert (share.client, share.caseworker, share.team) == (
        unlinked_client,
        caseworker,
        caseworker.team,
    )
    assert _sees_progress(client, caseworker, unlinked_client)
    assert _sees_progress(client, supervisor, unlinked_client)


def test_accepting_without_the_box_shares_nothing(
    client, patient, unlinked_client, caseworker
):
    _accept(client, patient, unlinked_client, caseworker, share=False)
    assert not ProgressShare.objects.exists()
    assert not _sees_progress(client, caseworker, unlinked_client)


def test_a_new_link_to_another_caseworker_does_not_inherit_the_consent(
    client, patient, client_record, caseworker, other_caseworker
):
    services.share_progress_with(client=client_record, patient=patient)
    other_record = ClientFactory(caseworker=other_caseworker, email=patient.email)
    _accept(client, patient, other_record, other_caseworker, share=False)
    assert _sees_progress(client, caseworker, client_record)
    assert not _sees_progress(client, other_caseworker, other_record)


def test_the_patient_sees_each_grant_and_revokes_one(
    client, patient, client_record, caseworker, other_caseworker
):
    other_record = ClientFactory(caseworker=other_caseworker, patient=patient)
    services.share_progress_with(client=client_record, patient=patient)
    services.share_progress_with(client=other_record, patient=patient)
    client.force_login(patient)
    page = client.get(reverse("referrals:my_sharing"))
    assertContains(page, f"Stop sharing with {caseworker}")
    assertContains(page, f"Stop sharing with {other_caseworker}")

    client.post(reverse("referrals:my_sharing_revoke", args=[other_record.pk]))
    assert not _sees_progress(client, other_caseworker, other_record)
    assert _sees_progress(client, caseworker, client_record)
    client.force_login(patient)
    page = client.get(reverse("referrals:my_sharing"))
    assertContains(page, "Sharing that has ended")
    assertContains(page, f"Share my checklist with {other_caseworker}")


def test_the_patient_can_share_again_from_the_sharing_page(
    client, patient, client_record, caseworker
):
    client.force_login(patient)
    client.post(reverse("referrals:my_sharing_grant", args=[client_record.pk]))
    client.post(reverse("referrals:my_sharing_grant", args=[client_record.pk]))
    assert ProgressShare.objects.active().count() == 1
    assert _sees_progress(client, caseworker, client_record)


def test_unlinking_ends_the_consent(client, patient, client_record, caseworker):
    services.share_progress_with(client=client_record, patient=patient)
    client.force_login(patient)
    client.post(reverse("referrals:my_link_remove", args=[client_record.pk]))
    assert not ProgressShare.objects.active().exists()
    services.accept_invitation(
        invitation=ClientInvitation.objects.create(
            client=client_record, email=patient.email, invited_by=caseworker
        ),
        patient=patient,
    )
    assert not _sees_progress(client, caseworker, client_record)


def test_the_profile_page_links_to_the_sharing_page(client, patient):
    client.force_login(patient)
    page = client.get(reverse("accounts:profile_update"))
    assertContains(page, reverse("referrals:my_sharing"))
    assertNotContains(page, "shares_progress")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("caseworker", 403),
        ("supervisor", 403),
        ("content_editor", 403),
        ("patient", 200),
    ],
)
def test_sharing_page_access(client, request, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("referrals:my_sharing")).status_code == status


@pytest.mark.parametrize("name", ["my_sharing_grant", "my_sharing_revoke"])
def test_sharing_changes_only_own_links_and_only_by_post(
    client, other_patient, patient, client_record, name
):
    url = reverse(f"referrals:{name}", args=[client_record.pk])
    client.force_login(patient)
    assert client.get(url).status_code == 405
    client.force_login(other_patient)
    assert client.post(url).status_code == 404
    assert not ProgressShare.objects.exists()

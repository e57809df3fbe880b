import logging
import re
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from apps.core.models import AccessLog
from apps.referrals import services
from apps.referrals.models import Client, ClientInvitation, Note, Referral
from apps.referrals.tests.factories import ClientFactory, ReferralFactory
from apps.referrals.tokens import (
    invitation_for_token,
    make_invitation_token,
    make_respond_token,
)

# Access log


def _log(**filters):
    return AccessLog.objects.filter(**filters)


def test_opening_a_client_is_logged_with_user_and_address(
    client, caseworker, client_record
):
    client.force_login(caseworker)
    client.get(
        reverse("referrals:client_detail", args=[client_record.pk]),
        REMOTE_ADDR="10.9.8.7",
    )
    row = _log(record_type="referrals.client", record_id=str(client_record.pk)).get()
    assert (row.user, row.action, row.ip_address) == (caseworker, "view", "10.9.8.7")
    assert row.subject_id == str(client_record.pk)


def test_reading_and_changing_a_referral_is_logged_about_the_client(
    client, caseworker, referral
):
    client.force_login(caseworker)
    client.get(reverse("referrals:referral_detail", args=[referral.pk]))
    client.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"to": "cancelled", "version": referral.version},
    )
    client.get(reverse("referrals:referral_print", args=[referral.pk]))
    actions = list(
        _log(record_type="referrals.referral", record_id=str(referral.pk))
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == ["view", "change", "print"]
    assert set(
        _log(record_type="referrals.referral").values_list("subject_id", flat=True)
    ) == {str(referral.client_id)}


def test_lists_log_every_record_shown(client, caseworker, client_record):
    others = ClientFactory.create_batch(3, caseworker=caseworker)
    client.force_login(caseworker)
    client.get(reverse("referrals:client_list"))
    logged = set(
        _log(record_type="referrals.client").values_list("record_id", flat=True)
    )
    assert logged == {str(c.pk) for c in [client_record, *others]}


def test_the_service_link_is_logged_without_the_token(client, referral):
    token = make_respond_token(referral)
    client.get(reverse("referrals:respond", args=[token]))
    row = _log(record_type="referrals.referral").get()
    assert row.user is None
    assert token not in row.path


def test_supervisor_and_administrator_read_the_access_log(
    client, caseworker, supervisor, administrator, client_record
):
    client.force_login(caseworker)
    client.get(reverse("referrals:client_detail", args=[client_record.pk]))
    url = reverse("referrals:client_access_log", args=[client_record.pk])
    for reader in (supervisor, administrator):
        client.force_login(reader)
        page = client.get(url)
        assertContains(page, caseworker.email)
        assertContains(page, "Viewed")


def test_no_personal_data_in_application_logs(
    client, caseworker, referral, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    client.force_login(caseworker)
    client.get(reverse("referrals:client_detail", args=[referral.client_id]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("referrals:referral_resend_link", args=[referral.pk]),
        )
    text = caplog.text
    for value in (referral.client.full_name, referral.client.email, referral.reason):
        assert value not in text


# Notes and the patient's view


def test_notes_are_added_internal_or_shared(client, caseworker, client_record):
    client.force_login(caseworker)
    url = reverse("referrals:note_create", args=[client_record.pk])
    client.post(url, {"text": "Only for us.", "visibility": "internal"})
    client.post(url, {"text": "For the client too.", "visibility": "shared"})
    assert dict(Note.objects.values_list("text", "is_internal")) == {
        "Only for us.": True,
        "For the client too.": False,
    }
    assert _log(record_type="referrals.note", action="create").count() == 2


def test_an_empty_note_is_refused_with_a_message(client, caseworker, client_record):
    client.force_login(caseworker)
    response = client.post(
        reverse("referrals:note_create", args=[client_record.pk]),
        {"text": "", "visibility": "internal"},
    )
    assert response.status_code == 400
    assertContains(response, "Please check", status_code=400)
    assert not Note.objects.exists()


def test_a_note_cannot_go_on_another_clients_referral(
    client, caseworker, client_record
):
    elsewhere = ReferralFactory(client__caseworker=caseworker)
    client.force_login(caseworker)
    response = client.post(
        reverse("referrals:note_create", args=[client_record.pk]),
        {"text": "x", "visibility": "internal", "referral": elsewhere.pk},
    )
    assert response.status_code == 404


def test_patient_sees_status_and_shared_notes_only(
    client, patient, referral, draft_referral, notes
):
    client.force_login(patient)
    page = client.get(reverse("referrals:my_referrals"))
    assertContains(page, referral.service.name)
    assertContains(page, "Sent")
    assertContains(page, "SHARED note for the client")
    assertContains(page, "SHARED referral note")
    assertNotContains(page, "INTERNAL")
    # Drafts are the caseworker's work in progress.
    assert page.context["referrals"] == [referral]


def test_other_patient_sees_none_of_it(client, other_patient, referral, notes):
    client.force_login(other_patient)
    page = client.get(reverse("referrals:my_referrals"))
    assertNotContains(page, referral.service.name)
    assertNotContains(page, "SHARED")


def test_patient_can_unlink_their_account(client, patient, client_record):
    client.force_login(patient)
    client.post(reverse("referrals:my_link_remove", args=[client_record.pk]))
    client_record.refresh_from_db()
    assert client_record.patient is None


# Linking a client to a patient account


def test_invitation_links_only_once_the_patient_accepts(
    client, caseworker, patient, unlinked_client, django_capture_on_commit_callbacks
):
    client.force_login(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("referrals:client_invite", args=[unlinked_client.pk]),
            {"email": patient.email},
        )
    assert mail.outbox[-1].to == [patient.email]
    assert unlinked_client.full_name not in mail.outbox[-1].body
    invitation = ClientInvitation.objects.get()
    # The link as mailed: signed when the mail was written, so its time stamp may
    # be a second older than a link signed here.
    prefix = reverse("referrals:invitation_accept", args=["TOKEN"]).split("TOKEN")[0]
    found = re.search(re.escape(prefix) + r"([^/\s]+)/", mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    assert invitation_for_token(found.group(1)) == invitation
    url = reverse("referrals:invitation_accept", args=[found.group(1)])
    unlinked_client.refresh_from_db()
    assert unlinked_client.patient is None

    client.force_login(patient)
    assertContains(client.get(url), "Yes, link my account")
    client.post(url, {"decline": "1"})
    unlinked_client.refresh_from_db()
    assert unlinked_client.patient is None
    client.post(url, {"accept": "1"})
    unlinked_client.refresh_from_db()
    assert unlinked_client.patient == patient
    # Used once: the link no longer works.
    assert client.get(url).status_code == 404


def test_a_new_invitation_replaces_the_old_one(
    client, caseworker, patient, invitation, unlinked_client
):
    old = reverse(
        "referrals:invitation_accept", args=[make_invitation_token(invitation)]
    )
    client.force_login(caseworker)
    client.post(
        reverse("referrals:client_invite", args=[unlinked_client.pk]),
        {"email": patient.email},
    )
    client.force_login(patient)
    assert client.get(old).status_code == 404


def test_an_expired_or_tampered_invitation_is_refused(
    client, patient, invitation, monkeypatch, settings
):
    import time

    token = make_invitation_token(invitation)
    client.force_login(patient)
    bad = reverse("referrals:invitation_accept", args=[token + "x"])
    assert client.get(bad).status_code == 404
    later = time.time() + (settings.CLIENT_INVITATION_MAX_AGE_DAYS + 1) * 86400
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    good = reverse("referrals:invitation_accept", args=[token])
    assert client.post(good, {"accept": "1"}).status_code == 404
    invitation.client.refresh_from_db()
    assert invitation.client.patient is None


def test_patient_sees_a_pending_invitation(client, patient, invitation):
    client.force_login(patient)
    page = client.get(reverse("referrals:my_referrals"))
    assertContains(page, "Review the invitation")


# Supervisors


def test_supervisor_reassigns_within_the_team_only(
    client, supervisor, client_record, third_caseworker, other_caseworker
):
    client.force_login(supervisor)
    url = reverse("referrals:client_reassign", args=[client_record.pk])
    response = client.post(url, {"caseworker": other_caseworker.pk})
    assert response.status_code == 200
    client_record.refresh_from_db()
    assert client_record.caseworker != other_caseworker
    response = client.post(url, {"caseworker": third_caseworker.pk})
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.caseworker == third_caseworker
    assert client_record.team_id == supervisor.team_id


def test_supervisor_sees_every_client_of_the_team_but_no_other(
    client, supervisor, client_record, third_caseworker, other_caseworker
):
    teammate_client = ClientFactory(caseworker=third_caseworker, full_name="Teammate's")
    other_team = ClientFactory(caseworker=other_caseworker, full_name="Other Team")
    client.force_login(supervisor)
    page = client.get(reverse("referrals:client_list"))
    names = {c.full_name for c in page.context["clients"]}
    assert names == {client_record.full_name, teammate_client.full_name}
    assert other_team.full_name not in names


def test_supervisor_creates_a_client_for_a_caseworker_of_the_team(
    client, supervisor, caseworker, other_caseworker
):
    client.force_login(supervisor)
    data = {"full_name": "Sky Blue", "preferred_language": "en"}
    response = client.post(
        reverse("referrals:client_create"), {**data, "caseworker": other_caseworker.pk}
    )
    assert response.status_code == 200
    assert not Client.objects.exists()
    client.post(
        reverse("referrals:client_create"), {**data, "caseworker": caseworker.pk}
    )
    assert Client.objects.get().caseworker == caseworker


def test_caseworker_cannot_create_a_client_for_someone_else(
    client, caseworker, third_caseworker
):
    client.force_login(caseworker)
    client.post(
        reverse("referrals:client_create"),
        {
            "full_name": "Sky Blue",
            "preferred_language": "en",
            "caseworker": third_caseworker.pk,
        },
    )
    assert Client.objects.get().caseworker == caseworker


def test_client_form_rejects_bad_input_clearly(client, caseworker):
    client.force_login(caseworker)
    response = client.post(
        reverse("referrals:client_create"),
        {
            "full_name": "",
            "email": "not-an-email",
            "zip_code": "12",
            "date_of_birth": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "preferred_language": "en",
        },
    )
    assert response.status_code == 200
    for message in ("five digits", "future", "valid email"):
        assertContains(response, message)


# Dashboard and list


def test_dashboard_lists_what_needs_action(client, caseworker, client_record, service):
    today = timezone.localdate()
    overdue = ReferralFactory(
        client=client_record, service=service, follow_up_on=today - timedelta(days=2)
    )
    quiet = ReferralFactory(client=client_record, service=service)
    quiet.change_status("sent")
    Referral.objects.filter(pk=quiet.pk).update(
        sent_at=timezone.now() - timedelta(days=11)
    )
    declined = ReferralFactory(client=client_record, service=service)
    declined.change_status("sent")
    declined.change_status("declined", note="Full.")
    fresh = ReferralFactory(client=client_record, service=service)
    fresh.change_status("sent")
    client.force_login(caseworker)
    page = client.get(reverse("referrals:dashboard"))
    shown = {r.pk: r.attention_label for r in page.context["referrals"]}
    assert shown == {
        overdue.pk: "Follow-up date passed",
        quiet.pk: "No answer from the service",
        declined.pk: "Declined: find another service",
    }
    counts = {label: n for label, n, _ in page.context["status_counts"]}
    assert (counts["Sent"], counts["Declined"], counts["Draft"]) == (2, 1, 1)
    assert page.context["attention_count"] == 3


def test_dashboard_lists_recently_opened_clients(client, caseworker, client_record):
    client.force_login(caseworker)
    client.get(reverse("referrals:client_detail", args=[client_record.pk]))
    page = client.get(reverse("referrals:dashboard"))
    assert page.context["recent_clients"] == [client_record]


def test_client_list_search_and_filters(client, caseworker, client_record, referral):
    quiet = ClientFactory(
        caseworker=caseworker, full_name="Quinn Zed", email="qz@example.org"
    )
    done = ClientFactory(caseworker=caseworker, full_name="Ola Done")
    finished = ReferralFactory(client=done)
    finished.change_status("cancelled")
    client.force_login(caseworker)
    url = reverse("referrals:client_list")

    def names(**params):
        return {c.full_name for c in client.get(url, params).context["clients"]}

    assert names(q="quinn") == {"Quinn Zed"}
    assert names(q="QZ@EXAMPLE") == {"Quinn Zed"}
    assert names(status="sent") == {client_record.full_name}
    assert names(status="cancelled") == {"Ola Done"}
    assert names(has_open="yes") == {client_record.full_name}
    assert names(has_open="no") == {"Quinn Zed", "Ola Done"}
    assert quiet.pk
    assert client.get(url, {"status": "bogus"}).status_code == 200
    assert client.get(url, {"page": "999"}).status_code == 200


# Checklist progress, only with the patient's consent


def test_progress_only_when_the_patient_consents(client, caseworker, client_record):
    client.force_login(caseworker)
    record_page = reverse("referrals:client_detail", args=[client_record.pk])
    progress_page = reverse("referrals:client_progress", args=[client_record.pk])
    assertContains(client.get(record_page), "has not chosen to share")
    page = client.get(progress_page)
    assert page.context["progress"] is None
    assertContains(page, "has not chosen to share")
    services.share_progress_with(client=client_record, patient=client_record.patient)
    assertContains(client.get(record_page), progress_page)
    page = client.get(progress_page)
    assert page.context["progress"] is not None
    assertNotContains(page, "has not chosen to share")


# Admin: read-only, for administrators only


def test_content_editor_never_sees_personal_data_in_the_admin(
    client, content_editor, client_record, referral
):
    client.force_login(content_editor)
    index = client.get(reverse("admin:index"))
    assertNotContains(index, "/admin/referrals/")
    for name in ("client", "referral", "referralevent", "note", "clientinvitation"):
        assert client.get(f"/admin/referrals/{name}/").status_code == 403
    change = reverse("admin:referrals_client_change", args=[client_record.pk])
    assert client.get(change).status_code == 403


def test_administrator_reads_but_cannot_change(client, administrator, client_record):
    client.force_login(administrator)
    assertContains(client.get("/admin/referrals/client/"), client_record.full_name)
    change = reverse("admin:referrals_client_change", args=[client_record.pk])
    page = client.get(change)
    assert page.status_code == 200
    assertNotContains(page, 'name="_save"')
    response = client.post(change, {"full_name": "Changed"})
    assert response.status_code == 403
    assert client.get("/admin/referrals/client/add/").status_code == 403
    delete = reverse("admin:referrals_client_delete", args=[client_record.pk])
    assert client.get(delete).status_code == 403
    client_record.refresh_from_db()
    assert client_record.full_name != "Changed"


def test_the_referral_form_names_clients_and_preselects_from_the_links(
    client, caseworker, client_record, service
):
    client.force_login(caseworker)
    page = client.get(
        reverse("referrals:referral_create")
        + f"?client={client_record.pk}&service={service.pk}"
    )
    assertContains(page, client_record.full_name)
    form = page.context["form"]
    assert form.initial == {"client": client_record.pk, "service": service.pk}

"""Weekly reminder e-mails: only to patients who asked, only about what is due, and
a link in each that stops them without signing in."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import PatientProfile, User
from apps.accounts.tests.factories import UserFactory
from apps.checklists import reminders
from apps.checklists.personalise import add_months

from .conftest import set_profile
from .factories import ChecklistItemFactory, ItemProgressFactory

pytestmark = pytest.mark.django_db


def months_ago(months):
    return add_months(timezone.localdate(), -months)


@pytest.fixture
def due_items(items):
    """Besides the fixture's items: one done, one due a long way off."""
    stage = items["clinic"].stage
    return {
        **items,
        "done": ChecklistItemFactory(
            stage=stage,
            title="Meet the dietitian",
            timing="due_within",
            timing_months=6,
        ),
        "later": ChecklistItemFactory(
            stage=stage,
            title="Review the care plan",
            timing="due_within",
            timing_months=40,
        ),
    }


def opt_in(user, **fields):
    # Diagnosed 22 months ago: the clinic is overdue, the trial window closes soon.
    return set_profile(
        user, email_reminders=True, diagnosis_date=months_ago(22), **fields
    )


def test_only_patients_who_opted_in_get_a_digest_of_what_is_due(
    patient, other_patient, due_items
):
    opt_in(patient)
    set_profile(other_patient, diagnosis_date=months_ago(22))  # not opted in
    ItemProgressFactory(
        patient=patient,
        item=due_items["done"],
        status="done",
        done_on=timezone.localdate(),
    )
    call_command("send_reminder_digests")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [patient.email]
    assert message.subject == "Your CareNav checklist this week"
    body = message.body
    assert "Overdue, and still worth doing:" in body
    assert due_items["clinic"].title in body
    assert "Time-limited, closing soon:" in body
    assert due_items["trials"].title in body
    # Not due, done, or without a date: not in a reminder.
    for quiet in ("later", "done", "diary", "voice"):
        assert due_items[quiet].title not in body
    assert f"{settings.SITE_URL}{reverse('checklists:my_checklist')}" in body
    assert PatientProfile.objects.get(user=patient).reminder_sent_on == (
        timezone.localdate()
    )


def test_nothing_due_sends_nothing(patient, due_items):
    set_profile(patient, email_reminders=True, diagnosis_date=timezone.localdate())
    # Diagnosed today: the clinic is due in 3 months, nothing is urgent.
    call_command("send_reminder_digests")
    assert mail.outbox == []


def test_a_second_run_in_the_same_week_sends_nothing_twice(patient, due_items):
    opt_in(patient)
    call_command("send_reminder_digests")
    call_command("send_reminder_digests")
    assert len(mail.outbox) == 1


def test_inactive_accounts_and_staff_get_nothing(caseworker, due_items):
    inactive = UserFactory(role=User.Role.PATIENT, is_active=False)
    opt_in(inactive)
    opt_in(caseworker)
    call_command("send_reminder_digests")
    assert mail.outbox == []


def test_patients_are_found_in_batches(monkeypatch, due_items):
    monkeypatch.setattr(reminders, "BATCH_SIZE", 2)
    patients = [UserFactory(role=User.Role.PATIENT) for _ in range(5)]
    for each in patients:
        opt_in(each)
    assert reminders.enqueue_reminder_digests.call() == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in patients)


def test_the_link_in_the_message_stops_reminders_without_signing_in(
    client, patient, due_items
):
    opt_in(patient)
    call_command("send_reminder_digests")
    link = re.search(r"(http\S+/reminders/stop/\S+/)", mail.outbox[0].body).group(1)
    path = link[link.index("/reminders/") :]
    response = client.get(path)  # not signed in
    assert response.status_code == 200
    assert b"Reminders stopped" in response.content
    assert "no-store" in response["Cache-Control"]
    assert not PatientProfile.objects.get(user=patient).email_reminders
    # Clicking again is harmless.
    assert client.get(path).status_code == 200
    mail.outbox.clear()
    call_command("send_reminder_digests")
    assert mail.outbox == []


def test_a_tampered_link_stops_nothing(client, patient, other_patient, due_items):
    opt_in(patient)
    token = reminders.unsubscribe_token(patient)
    forged = token.replace(str(patient.pk), str(other_patient.pk), 1) + "x"
    response = client.get(reverse("checklists:reminders_unsubscribe", args=[forged]))
    assert response.status_code == 404
    assert PatientProfile.objects.get(user=patient).email_reminders


def test_the_command_counts_on_a_dry_run(patient, due_items, capsys):
    opt_in(patient)
    call_command("send_reminder_digests", "--dry-run")
    assert "1 patients asked for reminders (dry run)." in capsys.readouterr().out
    assert mail.outbox == []


def test_reminders_are_set_on_the_account_page(client, patient):
    client.force_login(patient)
    response = client.get(reverse("accounts:account"))
    assert b'name="email_reminders"' in response.content
    assert not PatientProfile.objects.get(user=patient).email_reminders
    response = client.post(
        reverse("accounts:reminders_update"), {"email_reminders": "on"}, follow=True
    )
    assert b"Saved: you will get a weekly reminder e-mail." in response.content
    assert PatientProfile.objects.get(user=patient).email_reminders
    client.post(reverse("accounts:reminders_update"), {})
    assert not PatientProfile.objects.get(user=patient).email_reminders

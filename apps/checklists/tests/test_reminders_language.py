"""A reminder is written in the patient's language (kept on their account), whatever
language the page that queued it was in."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import formats, timezone, translation

from apps.checklists.personalise import add_months

from .conftest import set_profile

pytestmark = pytest.mark.django_db


def diagnosed():
    return add_months(timezone.localdate(), -22)


def opt_in(user):
    # Diagnosed 22 months ago: the clinic (within 3 months) is overdue.
    return set_profile(user, email_reminders=True, diagnosis_date=diagnosed())


def clinic_deadline():
    return add_months(diagnosed(), 3)


def test_a_spanish_patients_reminder_has_spanish_dates_and_links(patient, items):
    patient.language = "es"
    patient.save(update_fields=["language"])
    opt_in(patient)
    with translation.override("en"):  # as if queued from an English page
        call_command("send_reminder_digests")
    (message,) = mail.outbox
    assert f"{settings.SITE_URL}/es/my/checklist/" in message.body
    assert f"{settings.SITE_URL}/es/my/account/" in message.body
    assert f"{settings.SITE_URL}/es/reminders/stop/" in message.body
    with translation.override("es"):
        spanish_date = formats.date_format(clinic_deadline())
    assert " de " in spanish_date
    assert spanish_date in message.body


def test_an_english_patients_reminder_stays_english(patient, items):
    opt_in(patient)
    with translation.override("es"):  # as if queued from a Spanish page
        call_command("send_reminder_digests")
    (message,) = mail.outbox
    assert f"{settings.SITE_URL}/my/checklist/" in message.body
    assert "/es/" not in message.body
    with translation.override("en"):
        assert formats.date_format(clinic_deadline()) in message.body

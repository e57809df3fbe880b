"""The directory's and the referrals' pages, report and e-mails in Spanish, from the
catalogue in apps/referrals/locale; the English pages say what they always said."""

import polib
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from apps.directory.tests.factories import PhoneFactory, ServiceFactory
from apps.referrals.tests.factories import ClientFactory, ReferralFactory
from apps.referrals.tokens import make_respond_token

CATALOGUE = settings.BASE_DIR / "apps/referrals/locale/es/LC_MESSAGES/django"


def spanish(name: str, *args) -> str:
    with translation.override("es"):
        return reverse(name, args=args)


def english(name: str, *args) -> str:
    # A Spanish request leaves Spanish active in the test's thread.
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_every_string_of_the_catalogue_is_translated_and_compiled():
    po = polib.pofile(f"{CATALOGUE}.po")
    assert po.untranslated_entries() == [] and po.fuzzy_entries() == []
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural
        for entry in polib.mofile(f"{CATALOGUE}.mo")
    }
    for entry in po.translated_entries():
        assert compiled[(entry.msgctxt, entry.msgid)] == (
            entry.msgstr or entry.msgstr_plural
        ), entry.msgid


def test_service_page_in_spanish_and_english(client, db):
    service = ServiceFactory(status="temporarily closed", minimum_age=18)
    PhoneFactory(service=service, type="fax", extension="12")
    response = client.get(spanish("directory:service_detail", service.pk))
    assertContains(response, "Sobre este servicio")
    assertContains(response, "Este servicio está cerrado temporalmente.")
    assertContains(response, "Desde los 18 años.")
    assertContains(response, "Fax:")
    assertContains(response, "ext. 12")
    assertNotContains(response, "About this service")

    in_english = Client().get(english("directory:service_detail", service.pk))
    assertContains(in_english, "About this service")
    assertContains(
        in_english, "This service is temporarily closed. Call before you go."
    )
    assertContains(in_english, "Ages 18 and over.")


def test_listing_text_is_marked_english_on_spanish_pages_only(client, db):
    service = ServiceFactory(name="Hope Home Care", description="Aides at home.")
    response = client.get(spanish("directory:service_detail", service.pk))
    assertContains(
        response, '<h1><span lang="en">Hope Home Care</span></h1>', html=True
    )
    assertContains(response, '<p><span lang="en">Aides at home.</span></p>', html=True)

    in_english = Client().get(english("directory:service_detail", service.pk))
    assertContains(in_english, "<h1>Hope Home Care</h1>", html=True)
    assertNotContains(in_english, 'lang="en">Hope')


def test_what_people_typed_is_left_untranslated(client, caseworker, referral):
    from apps.referrals.tests.factories import NoteFactory

    NoteFactory(client=referral.client, referral=referral, text="Llamó ayer.")
    client.force_login(caseworker)
    response = client.get(spanish("referrals:referral_detail", referral.pk))
    assertContains(response, '<span translate="no">Llamó ayer.</span>', html=True)


def test_service_answer_page_in_spanish(client, referral):
    token = make_respond_token(referral)
    response = client.get(spanish("referrals:respond", token))
    assertContains(response, f"Una derivación para {referral.service.name}")
    assertContains(response, "Su respuesta")
    assertContains(
        response,
        '<span class="badge referral-status referral-status-sent">Enviada</span>',
    )
    assertContains(response, "Rechazar la derivación")


def test_report_in_spanish_is_kept_apart_from_the_english_one(client, caseworker):
    client_record = ClientFactory(caseworker=caseworker)
    for _ in range(6):
        ReferralFactory(client=client_record).change_status("sent", by=caseworker)
    client.force_login(caseworker)
    response = client.get(english("referrals:referral_report"))
    assertContains(response, "What happened to the referrals sent")
    response = client.get(spanish("referrals:referral_report"))
    assertContains(response, "Qué pasó con las derivaciones enviadas")
    assertContains(response, "En este periodo se enviaron 6 derivaciones.")
    assertContains(response, "Enviadas")
    assertNotContains(response, "What happened to the referrals sent")


def test_report_cells_follow_the_page_language_formats():
    from apps.referrals.templatetags.report_cells import report_cell

    with translation.override("es"):
        # US Spanish writes numbers as US English does (carenav/formats/es).
        assert report_cell(12345) == "12,345"
        assert report_cell(2.25) == "2.2"
        assert report_cell(None) == "sin datos"
    assert report_cell(None) == "no data"


def test_service_link_subject_marks_urgency_by_its_code(mailoutbox, referral):
    from apps.core.mail import render_mail

    context = {
        "service_name": "Hope Clinic",
        "urgency": "Urgente",
        "is_routine": False,
        "max_age_days": 14,
    }
    with translation.override("es"):
        subject, _ = render_mail("referrals/email/service_link", context)
        assert subject == "Una derivación para Hope Clinic (urgente)"
        routine, _ = render_mail(
            "referrals/email/service_link", {**context, "is_routine": True}
        )
        assert routine == "Una derivación para Hope Clinic"


def test_saved_list_e_mail_is_written_in_the_patients_language(client, patient):
    from django.core import mail

    from apps.directory.models import SavedService

    patient.language = "es"
    patient.save(update_fields=["language"])
    service = ServiceFactory(name="Hope Home Care")
    PhoneFactory(service=service, extension="7")
    SavedService.objects.create(user=patient, service=service)
    client.force_login(patient)
    # Asked from an English page: the e-mail still follows the account.
    client.post(english("directory:saved_list_email"))
    body = mail.outbox[0].body
    assert body.startswith("Sus servicios guardados en CareNav")
    assert "ext. 7" in body and "Teléfono:" in body
    assert "Usted pidió esta lista desde su cuenta de CareNav." in body

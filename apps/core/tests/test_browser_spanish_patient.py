"""A Spanish-speaking patient, in a browser that asks for Spanish: signs up, gets the
verification e-mail in Spanish, and follows the ALS checklist in Spanish."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.checklists.demo import load_spanish as load_spanish_checklists
from apps.checklists.models import ChecklistItem
from apps.checklists.personalise import add_months
from apps.diseases.demo import load_spanish as load_spanish_diseases

from .browser import PASSWORD, check_accessibility, link_in_last_email
from .english_text import english_words
from .test_browser_languages import spanish_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def open_nav(page, name: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name=name).first.click()
    page.wait_for_load_state()


def test_spanish_patient_signs_up_and_follows_the_als_checklist_in_spanish(
    browser, live_server, site_content
):
    load_spanish_diseases()
    load_spanish_checklists()
    context, page = spanish_browser(browser, javascript=True)
    url = live_server.url
    email = "lucia.nueva@example.org"
    try:
        page.goto(url + reverse("core:home"))
        assert page.url == url + "/es/"
        open_nav(page, "Crear una cuenta")
        page.fill("#id_email", email)
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        page.get_by_role("button", name="Crear mi cuenta").click()
        page.wait_for_load_state()
        check_accessibility(page, context="asked to confirm the address, in Spanish")
        user = User.objects.get(email=email)
        assert user.language == "es"

        # The verification e-mail is in Spanish, and its link opens a Spanish page.
        message = mail.outbox[-1]
        assert "CareNav" in message.subject
        assert english_words(message.subject + "\n" + message.body) == ()
        page.goto(
            url + link_in_last_email(mail.outbox, r"/es/accounts/confirm-email/\S+/")
        )
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert user.emailaddress_set.get().verified

        open_nav(page, "Mi perfil")
        page.select_option("#id_disease", "als")
        page.fill(
            "#id_diagnosis_date", add_months(timezone.localdate(), -2).isoformat()
        )
        page.get_by_role("button", name="Guardar mi perfil").click()
        page.get_by_text("Guardado: su perfil.").wait_for()

        open_nav(page, "Mi lista de pasos")
        assert page.url.startswith(url + "/es/")
        assert page.get_attribute("html", "lang") == "es"
        main = page.locator("main")
        shown = ChecklistItem.objects.filter(
            stage__disease__slug="als", title_es__isnull=False
        ).exclude(title_es="")
        assert any(item.title_es in main.inner_text() for item in shown)
        assert "Esta página aún no está traducida" not in main.inner_text()
        check_accessibility(page, context="the ALS checklist in Spanish")
    finally:
        context.close()

"""A newly diagnosed patient, from signing up to a printed list of services.

Runs as a desktop visitor, on a phone, and without JavaScript (JOURNEY_MODES); axe-core
checks each step when JavaScript is on, and each step's screenshot is kept on failure.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import PatientProfile, User
from apps.checklists.models import ChecklistItem, ItemProgress
from apps.checklists.personalise import add_months
from apps.directory.models import SavedService

from .browser import JOURNEY_MODES, PASSWORD, link_in_last_email

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def open_nav(page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("journey", JOURNEY_MODES, indirect=True)
def test_newly_diagnosed_patient(journey, live_server, site_content):
    page = journey.new_page()
    url = live_server.url
    email = "river.new@example.org"

    page.goto(url + reverse("core:home"))
    journey.step(page, "home")
    open_nav(page, "Create an account")
    journey.step(page, "sign-up form")
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_load_state()
    journey.step(page, "asked to verify the address")
    assert "confirm your e-mail" in page.locator("main").inner_text().lower()
    user = User.objects.get(email=email)
    assert user.role == User.Role.PATIENT

    # The link in the e-mail, opened in the same browser: confirming signs in.
    page.goto(url + link_in_last_email(mail.outbox, r"/accounts/confirm-email/\S+/"))
    journey.step(page, "confirm the address")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert user.emailaddress_set.get().verified

    # The profile shapes the checklist: bulbar onset, diagnosed 20 months ago.
    open_nav(page, "My profile")
    journey.step(page, "empty profile")
    diagnosed = add_months(timezone.localdate(), -20)
    page.select_option("#id_disease", "als")
    page.fill("#id_diagnosis_date", diagnosed.isoformat())
    page.select_option("#id_onset_site", "bulbar")
    page.fill("#id_zip_code", "10001")
    page.get_by_role("button", name="Save my profile").click()
    page.get_by_text("Saved: your profile.").wait_for()
    journey.step(page, "profile saved")
    profile = PatientProfile.objects.get(user=user)
    assert (profile.onset_site, profile.diagnosis_date, profile.zip_code) == (
        "bulbar",
        diagnosed,
        "10001",
    )

    open_nav(page, "Learn")
    page.get_by_role("link", name=re.compile("^Amyotrophic lateral sclerosis")).click()
    page.get_by_role("link", name="Limb-onset and bulbar-onset ALS").click()
    page.wait_for_load_state()
    journey.step(page, "article")
    assert page.locator("h1").inner_text() == "Limb-onset and bulbar-onset ALS"

    # The checklist opens on the patient's stage; each stage has its own page. The
    # trial window is still open, with four months left (counted from diagnosis,
    # as no onset date was given).
    open_nav(page, "My checklist")
    journey.step(page, "my checklist")
    trials = ChecklistItem.objects.get(slug="look-for-clinical-trials")
    page.goto(url + reverse("checklists:my_checklist_stage", args=[trials.stage.slug]))
    card = page.locator(f"#item-{trials.pk}")
    assert "4 months left" in card.text_content()
    item = ChecklistItem.objects.get(slug="get-a-speech-and-swallowing-check")
    page.goto(url + reverse("checklists:my_checklist_stage", args=[item.stage.slug]))
    tick_note_and_untick(journey, page, user, item)

    # Services near the ZIP code: save one, then the saved list and its print view.
    open_nav(page, "Find services")
    journey.step(page, "directory search")
    page.fill("#id_q", "clinic")
    page.fill("#id_zip", "10001")
    page.locator("form.directory-search button[type=submit]").click()
    page.wait_for_load_state()
    journey.step(page, "results near 10001")
    assert "Distances are from the center of ZIP code 10001" in page.inner_text("main")
    first = page.locator(".service-results > li").first
    name = first.locator("h3").inner_text()
    first.get_by_role("button", name=f"Save {name} to my list").click()
    first.get_by_role(
        "button", name=re.compile(f"Saved to my list: {re.escape(name)}")
    ).wait_for()
    journey.step(page, "service saved")
    assert SavedService.objects.get(user=user).service.name == name

    open_nav(page, "Saved services")
    journey.step(page, "saved list")
    assert name in page.inner_text("main")
    page.get_by_role("link", name="Printable list").click()
    page.wait_for_load_state()
    journey.step(page, "printable list")
    assert name in page.inner_text("main")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert page.get_by_text(name).first.is_visible()


def tick_note_and_untick(journey, page, user, item) -> None:
    """Mark an item done, keep a note on it, then mark it not done again."""
    card = page.locator(f"#item-{item.pk}")
    card.get_by_role("button", name=f"Mark as done: {item.title}").click()
    page.locator(f"#item-{item.pk}").get_by_role(
        "button", name=f"Mark as not done: {item.title}"
    ).wait_for()
    journey.step(page, "item done", within=f"#item-{item.pk}")
    assert "Done" in page.locator(f"#item-{item.pk}-status").inner_text()
    progress = ItemProgress.objects.get(patient=user, item=item)
    assert progress.status == ItemProgress.Status.DONE

    card = page.locator(f"#item-{item.pk}")
    card.locator("summary", has_text="private note").click()
    card.locator("textarea[name=note]").fill("Clinic visit booked for Tuesday")
    card.get_by_role("button", name=f"Save note: {item.title}").click()
    if journey.javascript:
        page.locator("#checklist-announcer", has_text="Saved. Your note").wait_for()
    else:
        page.get_by_text(f"Saved. Your note on: {item.title}.").first.wait_for()
    journey.step(page, "note saved", within=f"#item-{item.pk}")
    progress.refresh_from_db()
    assert progress.note == "Clinic visit booked for Tuesday"

    page.locator(f"#item-{item.pk}").get_by_role(
        "button", name=f"Mark as not done: {item.title}"
    ).click()
    page.locator(f"#item-{item.pk}").get_by_role(
        "button", name=f"Mark as done: {item.title}"
    ).wait_for()
    journey.step(page, "item back on the list", within=f"#item-{item.pk}")
    progress.refresh_from_db()
    assert progress.status == ItemProgress.Status.TODO
    assert progress.note == "Clinic visit booked for Tuesday"

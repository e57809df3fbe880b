"""My checklist in a real browser: one-click ticking with htmx, and without JS."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.checklists.models import ItemProgress
from apps.checklists.personalise import add_months
from apps.core.tests.browser import DESKTOP, PHONE, check_accessibility

from .conftest import set_profile
from .factories import ChecklistItemReferenceFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, live_server, user):
    """Sign in through the form, as a patient would."""
    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.fixture
def ready_patient(patient, items):
    # Numbered sources, a "listed first" note and a trial-window note on the page.
    clinic = items["clinic"]
    clinic.guidance = "Ask for a referral to a clinic [1]. Teams help [2]."
    clinic.save()
    ChecklistItemReferenceFactory(item=clinic, order=1)
    ChecklistItemReferenceFactory(item=clinic, order=2)
    set_profile(
        patient,
        onset_site="bulbar",
        family_history="yes",
        diagnosis_date=add_months(timezone.localdate(), -20),
    )
    return patient


def test_tick_and_note_with_one_click(page, live_server, ready_patient, items):
    sign_in(page, live_server, ready_patient)
    item = items["clinic"]
    # An earlier stage than the patient's, opened from its one-line summary.
    page.goto(live_server.url + reverse("checklists:my_checklist"))
    page.get_by_role("link", name=item.stage.title).click()
    page.wait_for_load_state()
    check_accessibility(page, context="my checklist, a stage page")
    card = page.locator(f"#item-{item.pk}")
    card.get_by_role("button", name=f"Mark as done: {item.title}").click()
    page.get_by_role("button", name=f"Mark as not done: {item.title}").wait_for()
    assert "Done" in page.locator(f"#item-{item.pk}-status").inner_text()
    announcer = page.locator("#checklist-announcer")
    assert announcer.inner_text() == f"Saved. Marked as done: {item.title}."
    # Focus lands on the new status line, not lost at the top of the page.
    assert page.evaluate("document.activeElement.id") == f"item-{item.pk}-status"
    progress = ItemProgress.objects.get(patient=ready_patient, item=item)
    assert progress.done_on == timezone.localdate()

    page.locator(f"#item-{item.pk} summary", has_text="Add a private note").click()
    page.fill(f"#note-{item.pk}", "Booked for the 3rd")
    card = page.locator(f"#item-{item.pk}")
    card.get_by_role("button", name=f"Save note: {item.title}").click()
    page.locator("#checklist-announcer", has_text="Saved. Your note on").wait_for()
    progress.refresh_from_db()
    assert progress.note == "Booked for the 3rd"


def test_ticking_works_without_javascript(new_page, live_server, ready_patient, items):
    page = new_page(javascript=False, viewport=PHONE)
    sign_in(page, live_server, ready_patient)
    page.goto(live_server.url + reverse("checklists:my_checklist"))
    item = items["voice"]
    page.get_by_role("button", name=f"Not for me: {item.title}").click()
    page.wait_for_load_state()
    assert "Not for me" in page.locator(f"#item-{item.pk}-status").inner_text()
    assert ItemProgress.objects.get(item=item).status == "not_for_me"


def test_print_and_public_pages_are_accessible(page, live_server, ready_patient, items):
    page.goto(live_server.url + reverse("checklists:stage_list", args=["als"]))
    check_accessibility(page, context="public checklist")
    sign_in(page, live_server, ready_patient)
    page.goto(live_server.url + reverse("checklists:my_checklist_print"))
    check_accessibility(page, context="print view")
    assert page.get_by_role("button", name="Print").is_visible()


# The paced checklist ------------


@pytest.fixture
def seeded(db):
    """The real stages and steps of the seed content."""
    from django.core.management import call_command

    call_command("loaddata", "taxonomy", "diseases", "checklists", verbosity=0)


def test_a_new_patient_not_sure_yet_gets_the_diagnosis_steps(page, live_server, seeded):
    from django.core import mail

    page.goto(live_server.url + reverse("account_signup"))
    page.fill("input[name=email]", "newcomer@example.org")
    page.fill("input[name=password1]", "correct-horse-battery")
    page.fill("input[name=password2]", "correct-horse-battery")
    page.get_by_label("Not sure yet").check()
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="Confirm your e-mail address").wait_for()
    link = re.search(
        r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body
    )
    page.goto(live_server.url + link.group(1))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("checklists:my_checklist"))
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "My checklist: getting a diagnosis"
    assert "ALS" not in heading.inner_text()
    assert page.get_by_text(
        "You are not sure yet which condition you have"
    ).is_visible()
    assert page.locator("#item-1, .checklist-item").first.is_visible()
    assert "Ask for a prompt referral to a neurologist" in page.inner_text("main")
    check_accessibility(page, context="not sure yet")


def test_three_months_after_an_als_diagnosis_no_end_of_life_steps(
    new_page, live_server, seeded, patient
):
    from apps.checklists.models import ChecklistItem

    set_profile(
        patient,
        disease="als",
        onset_site="limb",
        diagnosis_date=add_months(timezone.localdate(), -3),
        zip_code="02114",
    )
    end_of_life = list(
        ChecklistItem.objects.filter(stage__slug="comfort-and-end-of-life")
    )
    assert end_of_life
    for viewport, limit in ((PHONE, 5000), (DESKTOP, None)):
        page = new_page(viewport=viewport)
        sign_in(page, live_server, patient)
        page.goto(live_server.url + reverse("checklists:my_checklist"))
        main = page.inner_text("main")
        # Suggested from month 2 in the seed content: the patient's stage.
        heading = page.locator("#stage-heading").inner_text()
        assert heading == "Planning ahead My stage", heading
        for item in end_of_life:
            assert item.title not in main
        # The later stage is one line, opened only on purpose.
        assert page.get_by_role(
            "link", name="Comfort and end-of-life care"
        ).is_visible()
        if limit:
            height = page.evaluate("document.documentElement.scrollHeight")
            assert height < limit, height
            check_accessibility(page, context="paced checklist on a phone")
        page.close()


def test_saving_shows_a_visible_confirmation_and_counts_characters(
    page, live_server, ready_patient, items
):
    sign_in(page, live_server, ready_patient)
    page.goto(live_server.url + reverse("checklists:my_checklist"))
    item = items["voice"]
    card = page.locator(f"#item-{item.pk}")
    card.get_by_role("button", name=f"Mark as done: {item.title}").click()
    page.locator(f"#item-{item.pk} .item-saved").wait_for()
    assert page.locator(f"#item-{item.pk} .item-saved").is_visible()
    page.locator(f"#item-{item.pk} summary", has_text="Add a private note").click()
    page.fill(f"#note-{item.pk}", "Twelve chars")
    count = page.locator(f'[data-char-count-for="note-{item.pk}"]')
    assert count.inner_text().strip() == "1,988 left."

"""My checklist in a real browser: one-click ticking with htmx, and without JS."""

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.checklists.models import ItemProgress
from apps.checklists.personalise import add_months
from apps.core.tests.browser import PHONE, check_accessibility

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
    page.locator("form button[type=submit]").last.click()
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
    page.goto(live_server.url + reverse("checklists:my_checklist"))
    check_accessibility(page, context="my checklist")
    item = items["clinic"]
    card = page.locator(f"#item-{item.pk}")
    card.get_by_role("button", name=f"Mark as done: {item.title}").click()
    page.get_by_role("button", name=f"Mark as not done: {item.title}").wait_for()
    assert "Done" in page.locator(f"#item-{item.pk}-status").inner_text()
    announcer = page.locator("#checklist-announcer")
    assert announcer.inner_text() == f"Marked as done: {item.title}."
    # Focus lands on the new status line, not lost at the top of the page.
    assert page.evaluate("document.activeElement.id") == f"item-{item.pk}-status"
    progress = ItemProgress.objects.get(patient=ready_patient, item=item)
    assert progress.done_on == timezone.localdate()

    page.locator(f"#item-{item.pk} summary", has_text="Add a private note").click()
    page.fill(f"#note-{item.pk}", "Booked for the 3rd")
    card = page.locator(f"#item-{item.pk}")
    card.get_by_role("button", name=f"Save note: {item.title}").click()
    page.locator("#checklist-announcer", has_text="Note saved.").wait_for()
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

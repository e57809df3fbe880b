"""The patient's account pages in a real browser: accessible, and usable without JS."""

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.core.tests.browser import PHONE, check_accessibility

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, live_server, user):
    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_sign_up_and_sign_in_pages_are_accessible(page, live_server):
    for name in ("account_signup", "account_login", "account_reset_password"):
        page.goto(live_server.url + reverse(name))
        check_accessibility(page, context=name)


def test_account_pages_and_deleting_without_javascript(new_page, live_server, patient):
    page = new_page(javascript=False, viewport=PHONE)
    sign_in(page, live_server, patient)
    page.goto(live_server.url + reverse("accounts:account"))
    page.get_by_label("E-mail me a weekly reminder").check()
    page.get_by_role("button", name="Save my reminder setting").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").first.inner_text().startswith("Saved")
    page.get_by_role("link", name="See my data on a page").click()
    page.wait_for_load_state()
    assert patient.email in page.inner_text("main")
    page.goto(live_server.url + reverse("accounts:account_delete"))
    page.get_by_label("Your password").fill("correct-horse-battery")
    page.get_by_role("button", name="Delete my account for good").click()
    page.wait_for_load_state()
    assert "Your account is deleted" in page.inner_text("h1")
    assert not User.objects.filter(pk=patient.pk).exists()


def test_account_pages_are_accessible(page, live_server, patient):
    sign_in(page, live_server, patient)
    for name in ("account", "data_page", "account_delete"):
        page.goto(live_server.url + reverse(f"accounts:{name}"))
        check_accessibility(page, context=name)

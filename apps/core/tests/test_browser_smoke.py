import pytest
from django.urls import reverse

from .browser import PHONE, check_accessibility

pytestmark = [
    pytest.mark.browser,
    # Put back what migrations wrote (content types, groups, permissions), as the
    # other browser tests do: a plain flush lets post_migrate re-create them under
    # new ids, and the next serialized-rollback test then fails to restore its own.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_home_page_is_accessible_and_keyboard_usable(page, live_server):
    page.goto(live_server.url + reverse("core:home"))
    check_accessibility(page)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_sign_in_and_sign_up_pages_are_accessible_on_a_phone(new_page, live_server):
    page = new_page(viewport=PHONE)
    for name in ["account_login", "account_signup"]:
        page.goto(live_server.url + reverse(name))
        check_accessibility(page, context=name)


def test_sign_up_errors_are_shown_without_javascript(new_page, live_server):
    page = new_page(javascript=False, viewport=PHONE)
    page.goto(live_server.url + reverse("account_signup"))
    page.fill("#id_email", "someone@example.org")
    page.fill("#id_password1", "short")
    page.fill("#id_password2", "short")
    page.get_by_role("button", name="Create my account").click()
    assert "too short" in page.locator(".invalid-feedback").first.inner_text()
    # What was typed is kept, and the field says it is invalid.
    assert page.input_value("#id_email") == "someone@example.org"
    assert page.get_attribute("#id_password1", "aria-invalid") == "true"


def test_page_loads_nothing_from_another_host(page, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + reverse("core:home"))
    page.wait_for_load_state("networkidle")
    assert requested
    assert all(url.startswith(live_server.url) for url in requested), requested

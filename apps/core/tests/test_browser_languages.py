"""A browser that prefers Spanish lands on Spanish pages, and the switch in the footer
goes to English and back, without JavaScript; the Spanish pages pass axe."""

import pytest
from django.urls import reverse

from .browser import DESKTOP, PHONE, check_accessibility

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def spanish_browser(browser, *, javascript: bool, viewport=DESKTOP):
    """A fresh visitor whose browser asks for Spanish (Accept-Language: es-ES)."""
    context = browser.new_context(
        locale="es-ES",
        java_script_enabled=javascript,
        viewport=viewport,
        bypass_csp=True,  # only so that axe-core can be injected
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def html_lang(page) -> str:
    return page.get_attribute("html", "lang")


def test_spanish_browser_lands_in_spanish_and_switches_without_javascript(
    browser, live_server, site_content
):
    context, page = spanish_browser(browser, javascript=False, viewport=PHONE)
    try:
        page.goto(live_server.url + reverse("diseases:disease_list"))
        assert page.url == live_server.url + "/es/learn/"
        assert html_lang(page) == "es"

        footer = page.locator("footer")
        footer.get_by_role("button", name="English").click()
        assert page.url == live_server.url + "/learn/"
        assert html_lang(page) == "en"
        # The choice is remembered: an English link now stays English.
        page.goto(live_server.url + reverse("core:home"))
        assert page.url == live_server.url + "/"
        assert html_lang(page) == "en"

        switch = footer.get_by_role("button", name="Español")
        assert switch.get_attribute("lang") == "es"
        switch.click()
        assert page.url == live_server.url + "/es/"
        assert html_lang(page) == "es"
        page.goto(live_server.url + reverse("diseases:glossary"))
        assert page.url == live_server.url + "/es/learn/glossary/"
    finally:
        context.close()


def test_the_switch_adds_nothing_to_the_header_on_a_phone(browser, live_server):
    context, page = spanish_browser(browser, javascript=True, viewport=PHONE)
    try:
        page.goto(live_server.url + "/es/")
        header = page.locator("header.site-header")
        assert not header.get_by_role("button", name="English").is_visible()
        assert page.locator("footer").get_by_role("button", name="English").is_visible()
    finally:
        context.close()


def test_spanish_pages_are_accessible(browser, live_server, site_content):
    context, page = spanish_browser(browser, javascript=True)
    try:
        for path in ("/es/", "/es/learn/", "/es/learn/glossary/", "/es/directory/"):
            page.goto(live_server.url + path)
            assert html_lang(page) == "es"
            check_accessibility(page, context=path)
    finally:
        context.close()

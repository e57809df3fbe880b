"""Choosing the language: English at the URLs of DESIGN.md, Spanish under /es/; the
first visit follows the browser, then the visitor's choice (cookie) or account."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertRedirects

from apps.accounts.models import User
from apps.accounts.tests.factories import UserFactory
from apps.core.caching import cache_key
from apps.core.mail import absolute_url, written_for
from apps.diseases.tests.factories import DiseaseFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
SPANISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9,en;q=0.5"}
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]*)"', response.content.decode()).group(1)


def test_english_urls_are_unchanged_and_spanish_ones_live_under_es():
    assert reverse("diseases:disease_list") == "/learn/"
    assert reverse("core:home") == "/"
    with translation.override("es"):
        assert reverse("diseases:disease_list") == "/es/learn/"
        assert reverse("core:home") == "/es/"
        # Language-neutral: one URL whatever the language.
        assert reverse("admin:index") == "/admin/"
        assert reverse("healthz") == "/healthz"
        assert reverse("set_language") == "/language/"


def test_each_page_says_its_language(client):
    assert html_lang(client.get("/learn/")) == "en"
    assert html_lang(client.get("/es/learn/")) == "es"


def test_a_browser_preferring_spanish_is_sent_to_the_spanish_twin(client):
    response = client.get("/learn/search/?q=ela", **SPANISH_BROWSER)
    assertRedirects(response, "/es/learn/search/?q=ela", fetch_redirect_response=False)
    assert "Accept-Language" in response["Vary"]
    assert "Cookie" in response["Vary"]


def test_a_browser_preferring_english_stays_on_the_english_page(client):
    response = client.get("/learn/", **ENGLISH_BROWSER)
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert "Accept-Language" in response["Vary"]


def test_the_visitors_choice_wins_over_the_browser(client):
    client.cookies[COOKIE] = "en"
    response = client.get("/learn/", **SPANISH_BROWSER)
    assert response.status_code == 200
    assert html_lang(response) == "en"

    client.cookies[COOKIE] = "es"
    response = client.get("/learn/", **ENGLISH_BROWSER)
    assertRedirects(response, "/es/learn/", fetch_redirect_response=False)


def test_a_spanish_link_is_never_redirected(client):
    """The link asked for Spanish, whatever the visitor chose before."""
    client.cookies[COOKIE] = "en"
    response = client.get("/es/learn/", **ENGLISH_BROWSER)
    assert response.status_code == 200
    assert html_lang(response) == "es"


def test_only_reads_of_pages_with_a_twin_are_redirected(client):
    # A form sent from an English page is answered there.
    response = client.post(
        reverse("account_login"), {"login": "x@example.org"}, **SPANISH_BROWSER
    )
    assert response.status_code == 200
    # Language-neutral URLs have no twin.
    assert client.get("/healthz", **SPANISH_BROWSER).status_code == 200
    assert client.get("/api/hsds/services", **SPANISH_BROWSER).status_code == 200
    response = client.get("/admin/login/", **SPANISH_BROWSER)
    assert not response.get("Location", "").startswith("/es/")
    # No page at all: the 404, not a redirect to another 404.
    assert client.get("/no-such-page/", **SPANISH_BROWSER).status_code == 404


def test_the_switch_sets_the_cookie_and_returns_to_the_same_page(client):
    response = client.post(
        reverse("set_language"), {"language": "es", "next": "/learn/glossary/"}
    )
    assertRedirects(response, "/es/learn/glossary/", fetch_redirect_response=False)
    assert response.cookies[COOKIE].value == "es"
    # The choice is followed on the next English link.
    assertRedirects(
        client.get("/learn/", **ENGLISH_BROWSER),
        "/es/learn/",
        fetch_redirect_response=False,
    )
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/es/learn/glossary/"}
    )
    assertRedirects(response, "/learn/glossary/", fetch_redirect_response=False)
    assert response.cookies[COOKIE].value == "en"
    assert client.get("/learn/", **SPANISH_BROWSER).status_code == 200


def test_every_page_has_the_switch_to_its_twin_named_in_its_own_language(client):
    english = client.get("/learn/glossary/").content.decode()
    form = re.search(r'<form method="post" action="/language/".*?</form>', english)
    assert form, "no language switch"
    assert 'name="language" value="es"' in form.group(0)
    assert 'name="next" value="/es/learn/glossary/"' in form.group(0)
    assert 'lang="es">Español</button>' in form.group(0)
    assert "csrfmiddlewaretoken" in form.group(0)

    spanish = client.get("/es/learn/glossary/").content.decode()
    assert 'name="next" value="/learn/glossary/"' in spanish
    assert 'lang="en">English</button>' in spanish


def test_every_page_links_its_twins_with_hreflang(client):
    site = settings.SITE_URL
    for path in ("/learn/glossary/", "/es/learn/glossary/"):
        html = client.get(path).content.decode()
        links = dict(re.findall(r'hreflang="([^"]+)" href="([^"]+)"', html))
        assert links == {
            "en": f"{site}/learn/glossary/",
            "es": f"{site}/es/learn/glossary/",
            "x-default": f"{site}/learn/glossary/",
        }


def test_the_switch_and_hreflang_keep_the_pages_arguments_and_query(client):
    DiseaseFactory(slug="als")
    html = client.get("/learn/als/?tab=care&x=%C3%A9").content.decode()
    assert 'name="next" value="/es/learn/als/?tab=care&amp;x=%C3%A9"' in html
    assert f'hreflang="es" href="{settings.SITE_URL}/es/learn/als/"' in html

    spanish = client.get("/es/learn/als/").content.decode()
    assert 'name="next" value="/learn/als/"' in spanish
    assert f'hreflang="x-default" href="{settings.SITE_URL}/learn/als/"' in spanish


def test_a_signed_in_persons_switch_is_kept_on_their_account(client, patient):
    client.force_login(patient)
    client.post(reverse("set_language"), {"language": "es", "next": "/my/checklist/"})
    patient.refresh_from_db()
    assert patient.language == "es"


def test_signing_in_uses_the_accounts_language(db):
    user = UserFactory(role=User.Role.PATIENT, language="es")
    browser = Client()
    response = browser.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD},
        **ENGLISH_BROWSER,
    )
    assert response.cookies[COOKIE].value == "es"
    assertRedirects(
        browser.get("/learn/", **ENGLISH_BROWSER),
        "/es/learn/",
        fetch_redirect_response=False,
    )


def test_signing_up_in_spanish_keeps_spanish_on_the_account(client):
    client.post(
        "/es/accounts/signup/",
        {"email": "nueva@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert User.objects.get(email="nueva@example.org").language == "es"
    client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert User.objects.get(email="new@example.org").language == "en"


def test_the_verification_email_links_to_the_spanish_pages(client, mailoutbox):
    client.post(
        "/es/accounts/signup/",
        {"email": "nueva@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    (message,) = mailoutbox
    assert f"{settings.SITE_URL}/es/accounts/confirm-email/" in message.body


def test_staff_set_up_their_second_factor_in_spanish_too(client):
    staff = UserFactory(role=User.Role.CASEWORKER, setup=False)
    client.force_login(staff)
    response = client.get("/es/accounts/2fa/totp/activate/")
    assert not response.get("Location", "").endswith("/accounts/2fa/totp/activate/")


def test_e_mail_links_are_in_the_language_being_written(patient):
    with translation.override("es"):
        assert absolute_url("/learn/") == f"{settings.SITE_URL}/es/learn/"
        assert absolute_url("/admin/") == f"{settings.SITE_URL}/admin/"
    patient.language = "es"
    with written_for(patient):
        assert translation.get_language() == "es"
        # Month names in Spanish from Django's own translations; the site's format.
        day = Context({"day": date(2026, 11, 26)})
        assert Template("{{ day|date }}").render(day) == "26 de noviembre de 2026"
    with translation.override("en"):
        assert absolute_url("/es/learn/") == f"{settings.SITE_URL}/learn/"


def test_dates_and_numbers_follow_the_language():
    template = Template("{{ day|date }} {{ amount|floatformat:'1g' }}")
    context = Context({"day": date(2026, 11, 26), "amount": 1234.5})
    with translation.override("en"):
        assert template.render(context).startswith("November 26, 2026")
        assert template.render(context).endswith("1,234.5")
    with translation.override("es"):
        assert template.render(context).startswith("26 de noviembre de 2026")
        assert template.render(context).endswith("1,234.5")


def test_the_public_page_cache_keys_by_language():
    request = RequestFactory().get("/learn/")
    with translation.override("en"):
        english = cache_key(request)
    with translation.override("es"):
        spanish = cache_key(request)
    assert english != spanish


def test_a_cached_spanish_page_never_reaches_an_english_visitor(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    assert html_lang(Client().get("/es/learn/")) == "es"
    assert html_lang(Client().get("/learn/")) == "en"
    assert html_lang(Client().get("/es/learn/")) == "es"


def test_an_error_page_links_no_twin_and_switches_to_the_home_page(client):
    html = client.get("/learn/no-such-disease/").content.decode()
    assert "hreflang" not in html
    assert 'name="next" value="/es/"' in html
    assert "no-such-disease" not in html.split("<footer", 1)[1]

"""cache_public_page: anonymous visitors share a rendered page, and nothing personal
(sign-in state, flash messages, CSRF tokens) is ever stored or served to another."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from apps.accounts.models import User
from apps.accounts.tests.factories import UserFactory
from apps.core import caching
from apps.core.caching import CSRF_PLACEHOLDER, cache_key, forget_local_copies

from . import caching_urls

pytestmark = pytest.mark.urls("apps.core.tests.caching_urls")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
HEADER_TOKEN = re.compile(r'"X-CSRFToken": "([A-Za-z0-9]{64})"')


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    cache.clear()
    forget_local_copies()
    caching_urls.RENDERS["count"] = 0
    yield
    cache.clear()
    forget_local_copies()


def renders() -> int:
    return caching_urls.RENDERS["count"]


def accepts(client, token: str, path: str = "/page/") -> bool:
    """Whether `client`'s CSRF cookie accepts `token` (a POST passes the check)."""
    return client.post(path, headers={"X-CSRFToken": token}).status_code != 403


def tokens(response) -> tuple[str, str]:
    html = response.content.decode()
    return TOKEN.search(html).group(1), HEADER_TOKEN.search(html).group(1)


@pytest.mark.django_db
def test_second_anonymous_visit_is_served_from_the_cache():
    first = Client().get("/plain/")
    second = Client().get("/plain/")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert renders() == 1


@pytest.mark.django_db
def test_each_visitor_gets_their_own_working_csrf_token_from_a_cached_page():
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    alice_page = alice.get("/page/")
    bob_page = bob.get("/page/")
    assert renders() == 1
    assert alice.cookies["csrftoken"].value != bob.cookies["csrftoken"].value
    for token in tokens(alice_page):
        assert accepts(alice, token)
    for token in tokens(bob_page):
        assert accepts(bob, token)
        assert token not in alice_page.content.decode()
    # The served token is really Bob's: his POST with it passes the CSRF check.
    form_token = tokens(bob_page)[0]
    assert bob.post("/page/", {"csrfmiddlewaretoken": form_token}).status_code == 200
    # And Alice's token does not work for Bob.
    alice_token = tokens(alice_page)[0]
    assert bob.post("/page/", {"csrfmiddlewaretoken": alice_token}).status_code == 403


@pytest.mark.django_db
def test_cached_page_sets_the_csrf_cookie_and_varies_on_cookie():
    Client().get("/page/")
    response = Client().get("/page/")
    assert renders() == 1
    assert "csrftoken" in response.cookies
    assert "Cookie" in response["Vary"]


@pytest.mark.django_db
def test_stored_copy_holds_no_token():
    Client().get("/page/")
    stored = cache.get(cache_key(RequestFactory().get("/page/")))
    assert stored["content"].count(CSRF_PLACEHOLDER) == 2
    assert not re.search(rb"[A-Za-z0-9]{64}", stored["content"])
    # Nor does any answer, the first one included, hold the placeholder.
    assert CSRF_PLACEHOLDER not in Client().get("/page/").content


@pytest.mark.django_db
def test_signed_in_people_get_a_fresh_page_that_is_never_stored():
    Client().get("/page/")
    member = Client()
    user = UserFactory(email="member@example.org")
    member.force_login(user)
    mine = member.get("/page/")
    assert b"member@example.org" in mine.content
    assert renders() == 2
    anonymous = Client().get("/page/")
    assert b"member@example.org" not in anonymous.content
    assert b"visitor" in anonymous.content
    assert renders() == 2


@pytest.mark.django_db
def test_query_strings_and_htmx_requests_bypass_the_cache():
    Client().get("/plain/")
    Client().get("/plain/?utm=1")
    Client().get("/plain/", headers={"HX-Request": "true"})
    assert renders() == 3
    assert Client().get("/plain/").status_code == 200
    assert renders() == 3


@pytest.mark.django_db
def test_pending_messages_bypass_the_cache_and_pages_adding_messages_are_not_kept():
    Client().get("/plain/")
    visitor = Client()
    response = visitor.get("/with-message/")
    assert [m.message for m in get_messages(response.wsgi_request)] == ["Saved."]
    visitor.get("/with-message/")
    assert renders() == 3
    # A visitor with a message waiting gets a fresh render, which shows it.
    visitor.get("/plain/")
    assert renders() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/with-cookie/",
        "/with-vary/",
        "/not-found/",
        "/session-writer/",
        "/token-in-header/",
        "/never-kept/",
    ],
)
def test_answers_that_may_depend_on_the_visitor_are_not_kept(path):
    Client().get(path)
    Client().get(path)
    assert renders() == 2


@pytest.mark.django_db
def test_token_in_header_page_still_gets_a_valid_token():
    first = Client(enforce_csrf_checks=True)
    response = first.get("/token-in-header/")
    assert accepts(first, response["X-Token"])


@pytest.mark.django_db
def test_off_when_the_setting_is_zero(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    Client().get("/plain/")
    Client().get("/plain/")
    assert renders() == 2


@pytest.mark.django_db
def test_post_is_never_answered_from_the_cache():
    Client().get("/page/")
    response = Client().post("/page/")
    assert response.content == b"posted"
    assert renders() == 2


@pytest.mark.django_db
@pytest.mark.urls("carenav.urls")
def test_home_page_is_shared_by_visitors_but_not_by_signed_in_people():
    first, second = Client(), Client(enforce_csrf_checks=True)
    first.get(reverse("core:home"))
    assert cache.get(cache_key(RequestFactory().get("/"))) is not None
    page = second.get(reverse("core:home")).content.decode()
    # The home page takes GET only: 405, not 403, shows that the token passed.
    token = HEADER_TOKEN.search(page).group(1)
    assert accepts(second, token, reverse("core:home"))
    member = Client()
    member.force_login(UserFactory(role=User.Role.CASEWORKER))
    # Signed in, the home page sends each person to their own start page.
    assert member.get(reverse("core:home")).status_code == 302


@pytest.mark.django_db
def test_each_worker_keeps_its_own_copy_for_a_few_seconds_only(monkeypatch):
    Client().get("/plain/")
    cache.delete(cache_key(RequestFactory().get("/plain/")))
    # Gone from the shared cache, but this worker still has its copy.
    Client().get("/plain/")
    assert renders() == 1
    later = caching.time.monotonic() + caching.LOCAL_SECONDS + 1
    monkeypatch.setattr(caching.time, "monotonic", lambda: later)
    Client().get("/plain/")
    assert renders() == 2


@pytest.mark.django_db
def test_a_copy_from_the_shared_cache_is_kept_by_the_worker(monkeypatch):
    Client().get("/plain/")
    forget_local_copies()
    Client().get("/plain/")  # from the shared cache, now kept locally too
    cache.delete(cache_key(RequestFactory().get("/plain/")))
    Client().get("/plain/")
    assert renders() == 1


@pytest.mark.django_db
def test_host_spellings_share_one_entry(settings):
    settings.ALLOWED_HOSTS = ["carenav.example.org", "testserver"]
    settings.SITE_URL = "https://carenav.example.org"
    for host in ("carenav.example.org", "CareNav.Example.Org", "carenav.example.org."):
        assert Client().get("/plain/", headers={"host": host}).status_code == 200
    assert renders() == 1
    stored = cache.get(cache_key(RequestFactory().get("/plain/", HTTP_HOST="x")))
    assert stored is not None


@pytest.mark.django_db
def test_the_number_of_stored_pages_is_bounded(monkeypatch):
    monkeypatch.setattr(caching, "MAX_ENTRIES", 2)
    for number in range(3):
        Client().get(f"/numbered/{number}/")
    forget_local_copies()
    for number in range(3):
        Client().get(f"/numbered/{number}/")
    # The first two were kept; the third was rendered both times.
    assert renders() == 4


@pytest.mark.django_db
def test_pages_larger_than_the_limit_are_not_stored(monkeypatch):
    monkeypatch.setattr(caching, "MAX_BYTES", 10)
    Client().get("/plain/")
    Client().get("/plain/")
    assert renders() == 2

"""What every page repeats, worked out once per worker and language: remembered URLs
and {% remembered %} blocks (apps.core.remembered)."""

import re

import pytest
from django.template import Context, RequestContext, Template, TemplateSyntaxError
from django.test import Client, RequestFactory, override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from apps.accounts.models import User
from apps.accounts.tests.factories import UserFactory
from apps.core.caching import CSRF_PLACEHOLDER_TEXT
from apps.core.remembered import forget_remembered, remembered_reverse

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


# ------------------------------------------------------------------ URLs


def test_a_remembered_url_is_in_the_language_asked_for_and_no_other():
    assert remembered_reverse("diseases:disease_list") == "/learn/"
    with translation.override("es"):
        assert remembered_reverse("diseases:disease_list") == "/es/learn/"
    assert remembered_reverse("diseases:disease_list") == "/learn/"
    assert remembered_reverse("diseases:disease_list", language="es") == "/es/learn/"
    assert remembered_reverse("diseases:disease_list", language="en") == "/learn/"
    assert translation.get_language() == "en"


def test_a_remembered_url_has_its_arguments_and_the_script_prefix():
    assert remembered_reverse("diseases:disease_detail", args=["als"]) == "/learn/als/"
    assert (
        remembered_reverse("diseases:disease_detail", kwargs={"slug": "ms"})
        == "/learn/ms/"
    )
    set_script_prefix("/carenav/")
    try:
        assert remembered_reverse("diseases:disease_list") == "/carenav/learn/"
    finally:
        set_script_prefix("/")
    assert remembered_reverse("diseases:disease_list") == "/learn/"


def test_an_object_argument_is_reversed_each_time():
    """Its str() may change: only plain values are remembered."""

    class Slug:
        def __init__(self, value):
            self.value = value

        def __str__(self):
            return self.value

    slug = Slug("als")
    assert remembered_reverse("diseases:disease_detail", args=[slug]) == "/learn/als/"
    slug.value = "ms"
    assert remembered_reverse("diseases:disease_detail", args=[slug]) == "/learn/ms/"


def test_another_urlconf_forgets_the_remembered_urls():
    assert remembered_reverse("diseases:disease_list") == "/learn/"
    with override_settings(ROOT_URLCONF="apps.core.tests.caching_urls"):
        with pytest.raises(NoReverseMatch):
            remembered_reverse("diseases:disease_list")
    assert remembered_reverse("diseases:disease_list") == "/learn/"


def test_the_url_tag_gives_what_django_gives():
    template = Template(
        "{% url 'diseases:disease_detail' 'als' %} "
        "{% url 'diseases:disease_detail' slug=slug %} "
        "{% url 'no-such-name' as missing %}[{{ missing }}]"
    )
    html = template.render(Context({"slug": "ms"}))
    assert html == (
        f"{reverse('diseases:disease_detail', args=['als'])} "
        f"{reverse('diseases:disease_detail', args=['ms'])} []"
    )
    with translation.override("es"):
        assert template.render(Context({"slug": "ms"})).startswith("/es/learn/als/ ")
    with pytest.raises(NoReverseMatch):
        Template("{% url 'no-such-name' %}").render(Context())


# ---------------------------------------------------------------- blocks


class Counter:
    """Counts how often a template reads it."""

    def __init__(self):
        self.reads = 0

    @property
    def next(self):
        self.reads += 1
        return self.reads


def render(source: str, context: dict | None = None) -> str:
    return Template("{% load remembered %}" + source).render(Context(context or {}))


def test_a_block_is_rendered_once_for_each_value_it_names():
    template = Template(
        "{% load remembered %}{% remembered kind %}{{ kind }} {{ counter.next }}"
        "{% endremembered %}"
    )
    counter = Counter()
    assert template.render(Context({"kind": "a", "counter": counter})) == "a 1"
    assert template.render(Context({"kind": "a", "counter": counter})) == "a 1"
    assert template.render(Context({"kind": "b", "counter": counter})) == "b 2"
    assert counter.reads == 2


def test_a_block_is_rendered_afresh_in_each_language():
    template = Template(
        "{% load i18n remembered %}{% remembered %}{% get_current_language as lang %}"
        "{{ lang }}{% endremembered %}"
    )
    assert template.render(Context()) == "en"
    with translation.override("es"):
        assert template.render(Context()) == "es"
    assert template.render(Context()) == "en"


def test_a_changed_setting_forgets_the_blocks(settings):
    template = Template(
        "{% load remembered %}{% remembered %}{{ counter.next }}{% endremembered %}"
    )
    counter = Counter()
    assert template.render(Context({"counter": counter})) == "1"
    assert template.render(Context({"counter": counter})) == "1"
    settings.SITE_URL = "https://elsewhere.example.org"
    assert template.render(Context({"counter": counter})) == "2"
    forget_remembered()
    assert template.render(Context({"counter": counter})) == "3"


def test_each_request_gets_its_own_token_in_a_remembered_block():
    template = Template(
        "{% load remembered %}{% remembered %}<form>{% csrf_token %}</form>"
        "{% endremembered %}"
    )
    first, second = RequestFactory().get("/"), RequestFactory().get("/")
    first_html = template.render(RequestContext(first))
    second_html = template.render(RequestContext(second))
    assert TOKEN.search(first_html) and TOKEN.search(second_html)
    assert TOKEN.search(first_html)[1] != TOKEN.search(second_html)[1]
    assert CSRF_PLACEHOLDER_TEXT not in first_html + second_html
    # Both asked for the visitor's token, as a {% csrf_token %} does.
    assert first.META["CSRF_COOKIE_NEEDS_UPDATE"]
    assert second.META["CSRF_COOKIE_NEEDS_UPDATE"]


def test_a_block_rendered_for_the_page_cache_keeps_the_placeholder():
    """apps.core.caching swaps in each visitor's token when it serves the page."""
    html = render(
        "{% remembered %}{% csrf_token %}{% endremembered %}",
        {"csrf_token": CSRF_PLACEHOLDER_TEXT},
    )
    assert f'value="{CSRF_PLACEHOLDER_TEXT}"' in html


def test_without_a_token_a_block_renders_as_django_would():
    source = "{% remembered %}<form>{% csrf_token %}</form>{% endremembered %}"
    render(source, {"csrf_token": "a" * 64})
    assert render(source) == "<form></form>"


def test_a_block_cannot_hold_a_block():
    with pytest.raises(TemplateSyntaxError, match="cannot hold a {% block %}"):
        render("{% remembered %}{% block nav %}{% endblock %}{% endremembered %}")


# ----------------------------------------------------- the pages' chrome

PAGES = ["/learn/", "/es/learn/", "/learn/glossary/", "/directory/", "/no-such-page/"]


def header(response) -> str:
    html = response.content.decode()
    return TOKEN.sub("TOKEN", re.search(r"<header.*?</header>", html, re.S)[0])


@pytest.mark.django_db
def test_the_navigation_kept_for_one_visitor_is_the_one_rendered_for_another():
    """Visitors of every kind in turn, then each page rendered from scratch: the
    navigation served from what was kept is the same, never another visitor's."""
    visitors = [
        None,
        UserFactory(role=User.Role.PATIENT, full_name="Ada Patient"),
        UserFactory(role=User.Role.PATIENT, full_name="Bea Patient"),
        UserFactory(role=User.Role.CASEWORKER, full_name="Cy Caseworker"),
        UserFactory(role=User.Role.SUPERVISOR),
        UserFactory(role=User.Role.CONTENT_EDITOR, is_staff=True),
        UserFactory(role="", is_superuser=True, is_staff=True),
    ]
    clients = []
    for visitor in visitors:
        client = Client()
        if visitor is not None:
            client.force_login(visitor)
        clients.append(client)
    kept = {
        (index, page): header(client.get(page))
        for page in PAGES
        for index, client in enumerate(clients)
    }
    for (index, page), html in kept.items():
        forget_remembered()
        assert header(clients[index].get(page)) == html, (visitors[index], page)
    assert "Ada" not in str(kept) and "Bea" not in str(kept)
    assert 'href="/es/learn/"' in kept[(0, "/es/learn/")]
    assert 'href="/es/learn/"' not in kept[(0, "/learn/")]


def sign_out_token(client) -> str:
    html = client.get("/learn/").content.decode()
    return TOKEN.search(re.search(r"<header.*?</header>", html, re.S)[0])[1]


@pytest.mark.django_db
def test_each_signed_in_visitor_signs_out_with_their_own_token():
    """The second visitor's navigation is the one kept for the first, with the
    second visitor's token in it."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(UserFactory(role=User.Role.PATIENT))
    second.force_login(UserFactory(role=User.Role.PATIENT))
    first_token, second_token = sign_out_token(first), sign_out_token(second)
    logout = reverse("account_logout")
    assert first.post(logout, {"csrfmiddlewaretoken": second_token}).status_code == 403
    assert second.post(logout, {"csrfmiddlewaretoken": second_token}).status_code == 302
    assert first.post(logout, {"csrfmiddlewaretoken": first_token}).status_code == 302

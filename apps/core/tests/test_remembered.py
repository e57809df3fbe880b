"""What every page repeats, worked out once per worker and language: remembered URLs
(apps.core.remembered)."""

import re

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from apps.core.remembered import remembered_reverse

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

"""Disease pages in a browser: accessible, usable without JavaScript, printable."""

import pytest
from django.urls import reverse

from apps.core.tests.browser import PHONE, check_accessibility

from .factories import (
    ArticleFactory,
    ArticleReferenceFactory,
    ComparisonFactory,
    ComparisonRowFactory,
    DiseaseFactory,
    GlossaryTermFactory,
)

pytestmark = [
    pytest.mark.browser,
    # Put back what migrations wrote (groups, permissions) for the tests after these.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def content():
    als = DiseaseFactory(slug="als", name="Amyotrophic lateral sclerosis")
    ms = DiseaseFactory(slug="ms", name="Multiple sclerosis")
    article = ArticleFactory(
        disease=als,
        slug="first-signs",
        title="First signs",
        body="## In the muscles\n\nSmall twitches, called fasciculations, are common "
        "[1]. Weak hands are another sign [2].\n\n- Cramps\n- Stiffness",
    )
    ArticleReferenceFactory(article=article, order=1)
    ArticleReferenceFactory(article=article, order=2)
    GlossaryTermFactory(
        term="Fasciculations",
        slug="fasciculations",
        also_matches="fasciculation",
        definition="Small muscle twitches you can see under the skin.",
        related_article=article,
    )
    GlossaryTermFactory(term="Bulbar", slug="bulbar")
    comparison = ComparisonFactory(
        slug="als-vs-ms", title="ALS and MS", first_disease=als, second_disease=ms
    )
    ComparisonRowFactory.create_batch(3, comparison=comparison)
    return article


def urls():
    return [
        reverse("diseases:disease_list"),
        reverse("diseases:disease_detail", args=["als"]),
        reverse("diseases:article_detail", args=["als", "first-signs"]),
        reverse("diseases:comparison_detail", args=["als-vs-ms"]),
        reverse("diseases:glossary"),
        reverse("diseases:search") + "?q=twitches",
        reverse("diseases:search") + "?q=nothingmatches",
    ]


def test_disease_pages_are_accessible_on_desktop_and_phone(
    new_page, live_server, content
):
    for viewport in [None, PHONE]:
        page = new_page(viewport=viewport) if viewport else new_page()
        for url in urls():
            page.goto(live_server.url + url)
            check_accessibility(page, context=url)
            assert page.locator("h1").count() == 1, url


def test_glossary_words_and_citations_work_without_javascript(
    new_page, live_server, content
):
    page = new_page(javascript=False)
    page.goto(live_server.url + content.get_absolute_url())
    page.get_by_role("link", name="fasciculations").click()
    assert page.url.endswith("#term-fasciculations")
    assert page.locator("#term-def-fasciculations").is_visible()
    page.get_by_role("link", name="Source 2").click()
    assert page.url.endswith("#ref-2")


def test_printed_article_keeps_the_words_and_sources(page, live_server, content):
    page.goto(live_server.url + content.get_absolute_url())
    page.emulate_media(media="print")
    assert page.get_by_role("heading", name="Words on this page").is_visible()
    assert page.get_by_role("heading", name="Sources").is_visible()
    assert not page.get_by_role("heading", name="More about").is_visible()

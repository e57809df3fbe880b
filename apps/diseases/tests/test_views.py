"""Public disease pages: who may see them, what drafts never show, how many queries."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from apps.diseases.models import Article

from .factories import (
    ArticleFactory,
    ArticleReferenceFactory,
    ComparisonFactory,
    ComparisonRowFactory,
    DiseaseFactory,
    GlossaryTermFactory,
)
from .helpers import main_html


def assert_absent(response, text):
    """Not on the page, whether it is a 200 or a 404."""
    assert text not in response.content.decode(), response.request["PATH_INFO"]


EVERYONE = {
    "anonymous": 200,
    "patient": 200,
    "other_patient": 200,
    "caseworker": 200,
    "other_caseworker": 200,
    "supervisor": 200,
    "other_supervisor": 200,
    "content_editor": 200,
    "administrator": 200,
}


@pytest.fixture
def content(db):
    als = DiseaseFactory(slug="als", name="Amyotrophic lateral sclerosis")
    ms = DiseaseFactory(slug="ms", name="Multiple sclerosis")
    article = ArticleFactory(
        disease=als, slug="first-signs", title="First signs", section="symptoms"
    )
    ArticleReferenceFactory(article=article, order=1)
    comparison = ComparisonFactory(
        slug="als-vs-ms", title="ALS and MS", first_disease=als, second_disease=ms
    )
    ComparisonRowFactory.create_batch(3, comparison=comparison)
    GlossaryTermFactory(term="Bulbar", slug="bulbar", related_article=article)
    return {"als": als, "ms": ms, "article": article, "comparison": comparison}


def public_urls():
    return [
        reverse("diseases:disease_list"),
        reverse("diseases:disease_detail", args=["als"]),
        reverse("diseases:article_detail", args=["als", "first-signs"]),
        reverse("diseases:comparison_detail", args=["als-vs-ms"]),
        reverse("diseases:glossary"),
        reverse("diseases:search") + "?q=signs",
        reverse("diseases:sitemap"),
    ]


@pytest.mark.parametrize("index", range(7))
def test_public_pages_are_open_to_everyone(assert_access, content, index):
    assert_access(public_urls()[index], EVERYONE)


@pytest.mark.parametrize("index", range(7))
def test_public_pages_refuse_other_methods(client, content, index):
    url = public_urls()[index]
    assert client.post(url).status_code == 405
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405


def test_preview_is_for_content_staff_only(assert_access, content):
    draft = ArticleFactory(draft=True, disease=content["als"])
    assert_access(
        reverse("diseases:article_preview", args=[draft.pk]),
        {
            "anonymous": 302,
            "patient": 403,
            "other_patient": 403,
            "caseworker": 403,
            "other_caseworker": 403,
            "supervisor": 403,
            "other_supervisor": 403,
            "content_editor": 200,
            "administrator": 200,
        },
    )


def test_preview_shows_a_draft_as_the_public_would_see_it(client, content_editor, db):
    draft = ArticleFactory(draft=True, title="Work in progress", body="Draft **text**.")
    client.force_login(content_editor)
    response = client.get(reverse("diseases:article_preview", args=[draft.pk]))
    assertContains(response, "Draft <strong>text</strong>.")
    assertContains(response, "It is not public yet")
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert (
        client.post(reverse("diseases:article_preview", args=[draft.pk])).status_code
        == 405
    )
    missing = reverse("diseases:article_preview", args=[draft.pk + 1000])
    assert client.get(missing).status_code == 404


def test_unknown_slugs_are_404(client, content):
    assert (
        client.get(reverse("diseases:disease_detail", args=["nope"])).status_code == 404
    )
    url = reverse("diseases:article_detail", args=["als", "nope"])
    assert client.get(url).status_code == 404
    # An article is only found under its own disease.
    url = reverse("diseases:article_detail", args=["ms", "first-signs"])
    assert client.get(url).status_code == 404
    url = reverse("diseases:comparison_detail", args=["nope"])
    assert client.get(url).status_code == 404


def test_disease_overview_groups_articles_by_section_in_order(client, content):
    als = content["als"]
    ArticleFactory(disease=als, title="Treatments", section="treatment")
    ArticleFactory(disease=als, title="What it is", section="overview", order=2)
    ArticleFactory(disease=als, title="Words first", section="overview", order=1)
    html = main_html(client.get(als.get_absolute_url()))
    order = [
        html.index(text)
        for text in [
            'id="section-overview"',
            "Words first",
            "What it is",
            'id="section-symptoms"',
            "First signs",
            'id="section-treatment"',
            "Treatments",
        ]
    ]
    assert order == sorted(order)
    assert "ALS and MS" in html


def test_comparison_is_a_real_table_with_header_scopes(client, content):
    response = client.get(content["comparison"].get_absolute_url())
    assertContains(response, '<th scope="col">Amyotrophic lateral sclerosis</th>')
    assertContains(response, '<th scope="row">', count=3)
    assertContains(response, "<caption>")
    assertContains(response, 'id="ref-1"')


class TestDraftsNeverLeak:
    def test_draft_article(self, client, content):
        draft = ArticleFactory(
            draft=True,
            disease=content["als"],
            slug="secret",
            title="Secret draft title",
            body="Unpublished zebra words.",
        )
        GlossaryTermFactory(term="Zebra", slug="zebra", related_article=draft)
        assert client.get(draft.get_absolute_url()).status_code == 404
        for url in [*public_urls(), reverse("diseases:search") + "?q=zebra"]:
            response = client.get(url)
            assert_absent(response, "Secret draft title")
            assert_absent(response, "/learn/als/secret/")
        assertContains(client.get(reverse("diseases:glossary")), "Zebra")

    def test_unpublished_disease_hides_its_articles_and_comparisons(
        self, client, content
    ):
        content["ms"].is_published = False
        content["ms"].save()
        ArticleFactory(disease=content["ms"], slug="hidden", title="Hidden MS page")
        assert client.get(content["ms"].get_absolute_url()).status_code == 404
        assert client.get("/learn/ms/hidden/").status_code == 404
        assert client.get(content["comparison"].get_absolute_url()).status_code == 404
        for url in [*public_urls(), reverse("diseases:search") + "?q=hidden"]:
            response = client.get(url)
            assert_absent(response, "Multiple sclerosis")
            assert_absent(response, "Hidden MS page")
            assert_absent(response, "/learn/compare/als-vs-ms/")

    def test_unpublished_comparison(self, client, content):
        content["comparison"].is_published = False
        content["comparison"].save()
        assert client.get(content["comparison"].get_absolute_url()).status_code == 404
        for url in public_urls():
            assert_absent(client.get(url), "/learn/compare/als-vs-ms/")

    def test_glossary_links_only_to_published_articles(self, client, content):
        url = reverse("diseases:glossary")
        assertContains(client.get(url), 'href="/learn/als/first-signs/"')
        Article.objects.update(status=Article.Status.DRAFT)
        assert_absent(client.get(url), "/learn/als/first-signs/")

    def test_sitemap_lists_published_pages_only(self, client, content):
        ArticleFactory(draft=True, disease=content["als"], slug="secret")
        response = client.get(reverse("diseases:sitemap"))
        body = response.content.decode()
        assert "/learn/als/first-signs/</loc>" in body
        assert "/learn/compare/als-vs-ms/</loc>" in body
        assert "/learn/glossary/</loc>" in body
        assert "secret" not in body


def test_an_overdue_article_stays_visible_to_the_public(client, content):
    article = content["article"]
    article.next_review = article.last_reviewed
    article.save()
    assert article.is_review_overdue
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assertNotContains(response, "overdue")


def build(count: int):
    """count published articles (and as many drafts) with citations and terms."""
    als = DiseaseFactory(slug="als")
    ms = DiseaseFactory(slug="ms")
    comparison = ComparisonFactory(
        slug="als-vs-ms", first_disease=als, second_disease=ms
    )
    ComparisonRowFactory.create_batch(count, comparison=comparison)
    for n in range(count):
        article = ArticleFactory(
            disease=als,
            slug=f"a{n}",
            section=["overview", "symptoms", "treatment"][n % 3],
            body="Bulbar signs and twitching matter [1]. More [2].",
        )
        ArticleReferenceFactory(article=article, order=1)
        ArticleReferenceFactory(article=article, order=2)
        ArticleFactory(draft=True, disease=als, slug=f"d{n}")
        GlossaryTermFactory(related_article=article)
    GlossaryTermFactory(term="Bulbar", slug="bulbar")


def page_urls():
    return {
        # diseases; comparisons with both diseases
        "disease_list": (reverse("diseases:disease_list"), 2),
        # disease; its articles; comparisons of it
        "disease_detail": (reverse("diseases:disease_detail", args=["als"]), 3),
        # article with disease; citations with references; glossary; siblings
        "article_detail": (reverse("diseases:article_detail", args=["als", "a0"]), 4),
        # comparison with diseases; rows with references
        "comparison_detail": (
            reverse("diseases:comparison_detail", args=["als-vs-ms"]),
            2,
        ),
        # terms with their article, its disease and their reference
        "glossary": (reverse("diseases:glossary"), 1),
        # the typo lookup; count; one page of results with their disease; their
        # snippets, cut from the rendered text
        "search": (reverse("diseases:search") + "?q=bulbar", 4),
        # count and rows of each section that lists a queryset (diseases,
        # articles, comparisons)
        "sitemap": (reverse("diseases:sitemap"), 6),
    }


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("name", list(page_urls()))
def test_public_page_queries_stay_flat_as_content_grows(
    client, db, django_assert_num_queries, name, count
):
    url, expected = page_urls()[name]
    build(count)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_a_signed_in_visitor_adds_only_the_session_and_user(
    client, patient, django_assert_num_queries
):
    build(3)
    client.force_login(patient)
    # session, user, then the page's own two queries
    with django_assert_num_queries(4):
        client.get(reverse("diseases:disease_list"))

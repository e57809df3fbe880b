"""Content search: PostgreSQL full text, ranked, with safely highlighted snippets."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from apps.diseases.models import Article
from apps.diseases.rendering import MARK_START, MARK_STOP, search_snippet
from apps.diseases.search import clean_query, search_articles

from .factories import ArticleFactory
from .helpers import assert_safe_html, main_html


def search(client, query: str):
    return client.get(reverse("diseases:search"), {"q": query})


def test_a_title_match_outranks_a_body_match(db):
    in_body = ArticleFactory(
        title="Living day to day",
        body="Cramps come and go. " * 5 + "Some people feel cramps at night. Cramps.",
    )
    in_summary = ArticleFactory(title="Muscles", summary="About cramps.")
    in_title = ArticleFactory(title="Cramps", body="Other words entirely.")
    assert list(search_articles("cramps")) == [in_title, in_summary, in_body]


def test_the_search_page_lists_results_best_first(client, db):
    ArticleFactory(title="Breathing support", body="About breathing and sleep.")
    ArticleFactory(title="Sleep", body="Breathing can change at night.")
    html = main_html(search(client, "breathing"))
    assert html.index("Breathing support") < html.index(">Sleep<")
    assert "2 results for “breathing”" in html


def test_matches_are_highlighted_and_everything_else_is_escaped(client, db):
    ArticleFactory(
        title="Swallowing",
        body="Tips & tricks: <b>swallowing</b> <script>alert(1)</script> "
        'safely, and "swallowing" again <img src=x onerror=alert(1)>.',
    )
    response = search(client, "swallowing")
    html = main_html(response)
    assertContains(response, "<mark>swallowing</mark>")
    assertContains(response, "Tips &amp; tricks")
    assert_safe_html(html)
    snippet = html.split('class="mb-0 search-snippet">', 1)[1].split("</p>", 1)[0]
    assert "<b>" not in snippet and "<script" not in snippet


def test_snippet_marks_only_what_postgresql_marked():
    text = f"a {MARK_START}<i>x</i>{MARK_STOP} & {MARK_START}open"
    assert search_snippet(text) == "a <mark> x </mark> &amp; open"


def test_search_vector_follows_every_kind_of_write(db):
    article = ArticleFactory(title="Old title", body="Nothing to see.")
    assert not search_articles("wheelchair").exists()
    article.body = "A wheelchair can help."
    article.save()
    assert list(search_articles("wheelchair")) == [article]
    Article.objects.filter(pk=article.pk).update(title="Mobility", body="Walkers.")
    assert not search_articles("wheelchair").exists()
    assert list(search_articles("walker")) == [article]


def test_words_are_matched_by_their_stem(db):
    article = ArticleFactory(body="Doctors diagnosed it early.")
    assert list(search_articles("diagnosing")) == [article]


def test_drafts_and_unpublished_diseases_are_never_found(db):
    ArticleFactory(draft=True, title="Hidden cramps")
    ArticleFactory(disease__is_published=False, title="Hidden cramps too")
    assert not search_articles("cramps").exists()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "the",
        "\x00",
        "cramps\x00",
        '"unclosed',
        "a & b | !c <-> (d",
        "-",
        "or or or",
        "'; DROP TABLE diseases_article; --",
        "<script>alert(1)</script>",
        "x" * 5000,
        "ünïcödé 日本語 🙂",
        "%",
        "\\",
    ],
)
def test_odd_queries_give_a_normal_page(client, db, query):
    ArticleFactory(title="Cramps")
    response = search(client, query)
    assert response.status_code == 200
    assert_safe_html(main_html(response))


def test_an_empty_query_shows_the_form_and_no_results(client, db):
    response = client.get(reverse("diseases:search"))
    assertContains(response, 'name="q"')
    assert "result" not in main_html(response).split("</form>", 1)[1]


def test_results_are_paged(client, db):
    ArticleFactory.create_batch(23, body="Cramps.")
    first = search(client, "cramps")
    assert first.context["page_obj"].paginator.count == 23
    assert len(first.context["page_obj"].object_list) == 20
    second = client.get(reverse("diseases:search"), {"q": "cramps", "page": 2})
    assert len(second.context["page_obj"].object_list) == 3
    odd = client.get(reverse("diseases:search"), {"q": "cramps", "page": "zz"})
    assert odd.status_code == 200


def test_clean_query_collapses_space_and_caps_length():
    assert clean_query("  a \x00 b\n") == "a b"
    assert len(clean_query("word " * 100)) <= 200
    assert clean_query(None) == ""


def test_a_misspelt_word_finds_the_word_it_was_meant_to_be(client, db):
    article = ArticleFactory(title="Help with breathing", body="Breathing changes.")
    ArticleFactory(title="Eating", body="Swallowing changes.")
    response = search(client, "breething")
    assert list(response.context["page_obj"]) == [article]
    assert response.context["corrections"] == {"breething": ["breathing"]}
    assert "Also searched for" in main_html(response)
    # A word found as typed is not corrected.
    assert search(client, "breathing").context["corrections"] == {}


def test_snippets_show_rendered_text_not_markdown(client, db):
    ArticleFactory(
        title="Equipment",
        body="## Getting a wheelchair\n\n**Ask early**: a *wheelchair* assessment "
        "takes time [1]. See [the guide](https://example.org/guide).\n\n"
        "| Item | Wait |\n|---|---|\n| wheelchair | 8 weeks |\n",
    )
    html = main_html(search(client, "wheelchair"))
    snippet = html.split('class="mb-0 search-snippet">', 1)[1].split("</p>", 1)[0]
    assert "<mark>wheelchair</mark>" in snippet
    for markup in ("##", "**", "](", "|", "[1]", "---"):
        assert markup not in snippet, markup
    assert "the guide" in snippet or "Ask early" in snippet

"""Applying a translation file: it fills the other language's columns and numbers
the sources only it cites, and stops on anything that does not match."""

import pytest

from apps.core.translated_content import (
    TranslationError,
    add_references,
    add_sources,
    set_texts,
)
from apps.diseases.models import Reference
from apps.diseases.tests.factories import (
    ArticleFactory,
    ArticleReferenceFactory,
    ReferenceFactory,
)

pytestmark = pytest.mark.django_db

SPANISH_SOURCE = {
    "title": "Esclerosis lateral amiotrófica",
    "publisher": "MedlinePlus en español",
    "url": "https://medlineplus.gov/spanish/ency/article/000688.htm",
    "accessed": "2026-11-26",
}


def test_texts_fill_only_the_other_languages_columns():
    article = ArticleFactory(title="What is ALS?")
    set_texts(article, "es", {"title": "¿Qué es la ELA?"})
    article.refresh_from_db()
    assert (article.title_en, article.title_es) == ("What is ALS?", "¿Qué es la ELA?")


def test_a_field_that_is_not_translated_is_refused():
    article = ArticleFactory()
    with pytest.raises(TranslationError, match="no translated field 'slug'"):
        set_texts(article, "es", {"slug": "que-es-la-ela"})


def test_a_source_in_spanish_has_its_own_title_in_both_languages():
    reference = add_references([SPANISH_SOURCE], Reference)[SPANISH_SOURCE["url"]]
    assert reference.title_en == reference.title_es == SPANISH_SOURCE["title"]
    add_references([SPANISH_SOURCE], Reference)
    assert Reference.objects.filter(url=SPANISH_SOURCE["url"]).count() == 1


def test_a_source_is_numbered_after_the_english_ones():
    article = ArticleFactory()
    ArticleReferenceFactory(article=article, order=1)
    references = add_references([SPANISH_SOURCE], Reference)
    add_sources(article, {"2": SPANISH_SOURCE["url"]}, references)
    assert article.citations.get(order=2).reference.url == SPANISH_SOURCE["url"]


def test_a_citation_number_taken_by_another_source_is_never_overwritten():
    article = ArticleFactory()
    english = ArticleReferenceFactory(article=article, order=1).reference
    references = add_references([SPANISH_SOURCE], Reference)
    with pytest.raises(TranslationError, match=r"citation \[1\] is already"):
        add_sources(article, {"1": SPANISH_SOURCE["url"]}, references)
    assert article.citations.get(order=1).reference == english


def test_a_source_that_does_not_exist_is_refused():
    article = ArticleFactory()
    ReferenceFactory(url="https://example.org/elsewhere")
    with pytest.raises(TranslationError, match="no source with the URL"):
        add_sources(article, {"1": "https://example.org/missing"}, {})

"""Disease content in Spanish: pages without Spanish text say so and mark the English,
each language is signed off on its own, the admin shows the Spanish reading ease,
and the article search reads the Spanish text on Spanish pages."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from apps.core.signoff import SPANISH, review_of, sign_off
from apps.core.tests.signing import make_reviewer, signed
from apps.diseases.models import Article
from apps.diseases.search import read_query, search_articles

from .factories import ArticleFactory, ArticleReferenceFactory

pytestmark = pytest.mark.django_db

NOTICE = "Esta página aún no está traducida al español"
NEXT_YEAR = timezone.localdate() + datetime.timedelta(days=365)


def not_reviewed(language: str) -> str:
    with translation.override(language):
        return translation.gettext("Not yet clinically reviewed")


def page(client, article, language: str = "es") -> str:
    with translation.override(language):
        url = article.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def article(db):
    article = ArticleFactory(
        title="Breathing support",
        summary="How machines help you breathe.",
        body="Breathing support can help you sleep [1].",
    )
    ArticleReferenceFactory(article=article, order=1)
    return article


def translate(article: Article) -> Article:
    article.title_es = "Ayuda para respirar"
    article.summary_es = "Cómo le ayudan las máquinas a respirar."
    article.body_es = "La ayuda para la respiración puede mejorar su sueño [1]."
    article.save()
    return article


def sign_spanish(article: Article, name: str = "Dra. Ana Reyes") -> Article:
    sign_off(
        obj=article,
        reviewer=make_reviewer(),
        name=name,
        credentials="Neuróloga",
        next_review=NEXT_YEAR,
        language=SPANISH,
    )
    article.refresh_from_db()
    return article


# Pages with and without Spanish text ------------------------------------------


def test_a_page_without_spanish_shows_the_english_marked_and_a_notice(client, article):
    html = page(client, article)
    assert NOTICE in html
    assert re.search(r'<article[^>]*lang="en"', html)
    assert "Breathing support can help you sleep" in html
    english = page(client, article, "en")
    assert NOTICE not in english
    assert not re.search(r'<article[^>]*lang="en"', english)


def test_a_translated_page_shows_the_spanish_text(client, article):
    translate(article)
    html = page(client, article)
    assert NOTICE not in html
    assert "Ayuda para respirar" in html
    assert "puede mejorar su sueño" in html
    assert "Breathing support can help" not in html
    assert not re.search(r'<article[^>]*lang="en"', html)


# Sign-off per language --------------------------------------------------------


def test_the_spanish_page_is_unreviewed_until_its_spanish_text_is_signed(
    client, article
):
    translate(signed(article))
    html = page(client, article)
    assert not_reviewed("es") in html
    assert "Dr. Test Reviewer" not in html
    assert not_reviewed("en") not in page(client, article, "en")

    sign_spanish(article)
    html = page(client, article)
    assert "Dra. Ana Reyes" in html
    assert not_reviewed("es") not in html
    assert "Dra. Ana Reyes" not in page(client, article, "en")


def test_editing_the_spanish_text_leaves_the_english_sign_off(client, article):
    sign_spanish(translate(signed(article)))
    article.body_es = "Un texto nuevo, sin revisar [1]."
    article.save()
    assert review_of(article, SPANISH).is_changed_since_review
    assert not review_of(article, "en").is_changed_since_review
    # The public reads the signed Spanish text until the next Spanish sign-off.
    html = page(client, article)
    assert "puede mejorar su sueño" in html
    assert "sin revisar" not in html


def test_editing_the_english_text_leaves_the_spanish_sign_off(article):
    sign_spanish(translate(signed(article)))
    article.body_en = "Breathing support may help you sleep better [1]."
    article.save()
    assert review_of(article, "en").is_changed_since_review
    assert not review_of(article, SPANISH).is_changed_since_review


def test_a_spanish_sign_off_needs_spanish_text(article):
    from apps.core.signoff import SignOffError

    with pytest.raises(SignOffError, match="no text in this language"):
        sign_spanish(article)


def test_the_admin_signs_off_the_spanish_text_on_its_own_page(
    client, article, clinical_reviewer
):
    translate(signed(article))
    client.force_login(clinical_reviewer)
    change = client.get(reverse("admin:diseases_article_change", args=[article.pk]))
    url = reverse("admin:diseases_article_sign_off_es", args=[article.pk])
    assert url in change.content.decode()
    response = client.post(
        url,
        {
            "name": "Dra. Ana Reyes",
            "credentials": "Neuróloga",
            "next_review": NEXT_YEAR.isoformat(),
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.reviewer_name_es == "Dra. Ana Reyes"
    assert article.last_reviewed_es == timezone.localdate()
    assert article.reviewer_name == "Dr. Test Reviewer"


def test_editors_see_both_languages_and_the_spanish_reading_ease(
    client, article, content_editor
):
    client.force_login(content_editor)
    url = reverse("admin:diseases_article_change", args=[article.pk])
    html = client.get(url).content.decode()
    for name in ("title_en", "title_es", "body_en", "body_es"):
        assert f'name="{name}"' in html
    assert "No Spanish text yet" in html

    article.body_es = "La ELA afecta a los nervios. Los músculos se debilitan."
    article.save()
    assert "met: the target is 70 or above" in client.get(url).content.decode()
    article.body_es = (
        "La esclerosis lateral amiotrófica constituye una enfermedad neurodegenerativa "
        "caracterizada por la degeneración progresiva de las motoneuronas superiores "
        "e inferiores, ocasionando debilidad muscular generalizada."
    )
    article.save()
    assert "not met: the target is 70 or above" in client.get(url).content.decode()


# Search in Spanish --------------------------------------------------------------


def test_the_spanish_search_reads_the_spanish_text_with_accents_ignored(
    client, article
):
    translate(article)
    other = ArticleFactory(title="Money", body="Benefits and work.")
    other.body_es = "Beneficios y trabajo."
    other.save()
    for typed in ("respiración", "respiracion", "RESPIRACIÓN"):
        response = client.get("/es/learn/search/", {"q": typed})
        assert [a.pk for a in response.context["page_obj"]] == [article.pk]
    # The English page searches the English text only.
    assert (
        not client.get("/learn/search/", {"q": "respiracion"})
        .context["page_obj"]
        .object_list
    )
    assert client.get("/learn/search/", {"q": "breathing"}).context["page_obj"]


def test_the_spanish_search_corrects_typos_from_the_spanish_words(article):
    translate(article)
    with translation.override("es"):
        query = read_query("respirasion")
        assert "respiracion" in query.corrections["respirasion"]
        assert [a.pk for a in search_articles(query)] == [article.pk]

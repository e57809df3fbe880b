"""seed_demo's part for disease information: something for editors to practise on."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains

from apps.accounts import demo as accounts_demo
from apps.accounts.models import User
from apps.diseases import demo
from apps.diseases.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("loaddata", "taxonomy.json", *demo.FIXTURES, verbosity=0)
    accounts_demo.seed(stdout=io.StringIO())
    demo.seed(stdout=io.StringIO())


def test_demo_has_a_draft_a_changed_and_an_overdue_article(seeded):
    articles = list(Article.objects.filter(disease__slug="als"))
    signed = [article for article in articles if article.is_signed_off]
    assert len(signed) == 4
    assert {article.reviewer_name for article in signed} == {"Dr. Demo Reviewer"}
    assert all("fictional" in article.reviewer_credentials for article in signed)
    assert sum(article.is_changed_since_review for article in articles) == 1
    assert sum(article.is_review_overdue for article in signed) == 1
    draft = Article.objects.get(slug=demo.PRACTICE_DRAFT_SLUG)
    assert draft.status == Article.Status.DRAFT
    # Everything else of the seed content stays unsigned.
    assert not Article.objects.exclude(disease__slug="als").filter(
        signed_version__isnull=False
    )


def test_seeding_again_gives_the_same_practice_content(seeded):
    demo.seed(stdout=io.StringIO())
    articles = Article.objects.filter(disease__slug="als")
    assert sum(article.is_changed_since_review for article in articles) == 1
    changed = next(article for article in articles if article.is_changed_since_review)
    assert changed.body.count(demo.CHANGED_SENTENCE) == 1


def test_the_demo_reviewer_can_sign_off_and_the_editor_cannot(seeded, client):
    article = Article.objects.get(slug=demo.PRACTICE_DRAFT_SLUG)
    url = reverse("admin:diseases_article_sign_off", args=[article.pk])
    client.force_login(User.objects.get(email="editor@example.org"))
    assert client.get(url).status_code == 403
    client.force_login(User.objects.get(email=accounts_demo.DEMO_REVIEWER_EMAIL))
    assertContains(client.get(url), "Dr. Demo Reviewer")

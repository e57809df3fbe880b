"""The one change history of content and directory records in the admin."""

import pytest
from django.contrib import admin
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from apps.checklists.models import ChecklistItem, Stage
from apps.core.content_admin import ContentAdminMixin
from apps.core.history import word_diff
from apps.directory.models import Organization, Service, TaxonomyTerm
from apps.diseases.models import Article
from apps.diseases.tests.factories import (
    ArticleFactory,
    DiseaseFactory,
    ReferenceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, content_editor):
    client.force_login(content_editor)
    return client


def test_every_content_and_directory_admin_shares_the_history():
    for model in (Article, ChecklistItem, Stage, Service, Organization, TaxonomyTerm):
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, ContentAdminMixin), model
        assert model_admin.object_history_template == "core/admin/history.html"


def test_history_shows_field_level_changes_with_names(editor_client, content_editor):
    als = DiseaseFactory(name="Amyotrophic lateral sclerosis")
    ms = DiseaseFactory(name="Multiple sclerosis")
    article = ArticleFactory(
        disease=als,
        body="Most people notice weakness in one hand first.",
        status=Article.Status.DRAFT,
    )
    url = reverse("admin:diseases_article_change", args=[article.pk])
    editor_client.post(
        url,
        {
            "disease": ms.pk,
            "section": "symptoms",
            "title_en": article.title,
            "slug": article.slug,
            "order": "0",
            "summary_en": article.summary,
            "body_en": "Many people notice weakness in one leg first.",
            "status": "draft",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
            "citations-MIN_NUM_FORMS": "0",
            "citations-MAX_NUM_FORMS": "1000",
            "_save": "Save",
        },
    )
    response = editor_client.get(
        reverse("admin:diseases_article_history", args=[article.pk])
    )
    # Related records by name, choices by label, the user, the site's time format.
    assertContains(response, "Amyotrophic lateral sclerosis → Multiple sclerosis")
    assertContains(response, "Overview → Symptoms")
    assertNotContains(response, "Disease object")
    assertContains(response, content_editor.email)
    assertContains(response, f"Changed article “{article.title}”")
    # Long text as a word-level difference.
    assertContains(
        response,
        '<del title="removed"><span class="visually-hidden">[removed: </span>Most'
        '<span class="visually-hidden">]</span></del>',
        html=True,
    )
    assertContains(
        response,
        '<ins title="added"><span class="visually-hidden">[added: </span>leg'
        '<span class="visually-hidden">]</span></ins>',
        html=True,
    )
    assertNotContains(response, "signed_version")


def test_word_diff_keeps_spacing_and_marks_only_changed_words():
    assert word_diff("one two three", "one 2 three") == [
        ("same", "one "),
        ("removed", "two"),
        ("added", "2"),
        ("same", " three"),
    ]


def test_history_is_paged(editor_client):
    reference = ReferenceFactory(title="Version 0")
    for number in range(1, 56):
        reference.title = f"Version {number}"
        reference.save()
    url = reverse("admin:diseases_reference_history", args=[reference.pk])
    first = editor_client.get(url)
    assertContains(first, "Version 54 → Version 55")
    assertContains(first, "Page 1 of 2")
    second = editor_client.get(url, {"page": 2})
    assertContains(second, "Created reference")
    assertNotContains(second, "Version 54 → Version 55")


@pytest.mark.parametrize(
    "name",
    [
        "admin:diseases_article_history",
        "admin:checklists_checklistitem_history",
        "admin:directory_service_history",
    ],
)
def test_a_missing_record_gets_one_answer(editor_client, name):
    response = editor_client.get(reverse(name, args=[987654]), follow=True)
    assertRedirects(response, reverse("admin:index"))
    assertContains(response, "doesn’t exist")


def test_history_is_for_staff_only(assert_access):
    reference = ReferenceFactory()
    assert_access(
        reverse("admin:diseases_reference_history", args=[reference.pk]),
        {
            "anonymous": 302,
            "patient": 302,
            "caseworker": 302,
            "content_editor": 200,
            "administrator": 200,
        },
    )

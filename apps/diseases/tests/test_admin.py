"""The admin for content editors: lists, filters, actions, preview, grade, history."""

import datetime

import nltk
import pytest
from django.urls import reverse
from pghistory.models import MiddlewareEvents
from pytest_django.asserts import assertContains, assertNotContains

from apps.core.history import event_models_of
from apps.core.tests.signing import signed
from apps.diseases.models import (
    Article,
    ArticleReference,
    Comparison,
    ComparisonRow,
    Disease,
    GlossaryTerm,
    OverdueArticle,
    Reference,
)
from apps.diseases.readability import reading_grade

from .factories import (
    ArticleFactory,
    ArticleReferenceFactory,
    ComparisonFactory,
    ComparisonRowFactory,
    DiseaseFactory,
    GlossaryTermFactory,
    ReferenceFactory,
)

CONTENT_MODELS = [
    Disease,
    Reference,
    Article,
    OverdueArticle,
    ArticleReference,
    Comparison,
    ComparisonRow,
    GlossaryTerm,
]
YESTERDAY = datetime.date.today() - datetime.timedelta(days=1)


def events_for(obj):
    return list(
        MiddlewareEvents.objects.across(*event_models_of("diseases"))
        .tracks(obj)
        .order_by("pgh_id")
    )


@pytest.fixture
def editor_client(client, content_editor):
    client.force_login(content_editor)
    return client


def test_content_editors_may_change_every_content_model(content_editor):
    for model in CONTENT_MODELS:
        for action in ["view", "add", "change", "delete"]:
            codename = f"diseases.{action}_{model._meta.model_name}"
            assert content_editor.has_perm(codename), codename


@pytest.mark.parametrize("who", ["patient", "caseworker", "supervisor"])
def test_only_staff_reach_the_admin(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("admin:diseases_article_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("admin:diseases_article_changelist"))
    assert response.status_code == 302


def test_every_admin_page_opens_for_an_editor(editor_client, db):
    article = ArticleFactory()
    citation = ArticleReferenceFactory(article=article, order=1)
    row = ComparisonRowFactory()
    term = GlossaryTermFactory()
    objects = {
        Disease: article.disease,
        Reference: citation.reference,
        Article: article,
        Comparison: row.comparison,
        GlossaryTerm: term,
    }
    for model, obj in objects.items():
        name = f"admin:diseases_{model._meta.model_name}"
        for url in [
            reverse(f"{name}_changelist"),
            reverse(f"{name}_changelist") + "?q=example",
            reverse(f"{name}_add"),
            reverse(f"{name}_change", args=[obj.pk]),
            reverse(f"{name}_history", args=[obj.pk]),
        ]:
            assert editor_client.get(url).status_code == 200, url
    assert (
        editor_client.get(
            reverse("admin:diseases_overduearticle_changelist")
        ).status_code
        == 200
    )
    assert (
        editor_client.get(reverse("admin:diseases_content_changes")).status_code == 200
    )


def test_list_shows_grade_review_flag_and_preview_link(editor_client, db):
    overdue = signed(ArticleFactory(title="Overdue one", draft=True))
    Article.objects.filter(pk=overdue.pk).update(next_review=YESTERDAY)
    current = ArticleFactory(title="Current one")
    changed = signed(ArticleFactory(title="Changed one"))
    Article.objects.filter(pk=changed.pk).update(body="New words.")
    response = editor_client.get(reverse("admin:diseases_article_changelist"))
    assertContains(response, "Overdue: review was due")
    assertContains(response, "Not signed off")
    assertContains(response, '<strong class="review-changed">Changed</strong>')
    assertContains(response, reverse("diseases:article_preview", args=[overdue.pk]))
    assertContains(
        response,
        '<span class="visually-hidden">Preview “Overdue one” (opens in a new tab)'
        "</span>",
    )
    assertContains(response, f"{current.reading_grade} ")
    assertContains(response, "(target 8 or below)")

    filtered = editor_client.get(
        reverse("admin:diseases_article_changelist"), {"review": "overdue"}
    )
    assertContains(filtered, "Overdue one")
    assertNotContains(filtered, "Current one")

    overdue_list = editor_client.get(
        reverse("admin:diseases_overduearticle_changelist")
    )
    assertContains(overdue_list, "Overdue one")
    assertNotContains(overdue_list, "Current one")


def test_list_filters_by_disease_and_status(editor_client, db):
    draft = ArticleFactory(title="A draft", draft=True)
    ArticleFactory(title="A published one")
    response = editor_client.get(
        reverse("admin:diseases_article_changelist"),
        {"status__exact": "draft", "disease__id__exact": draft.disease_id},
    )
    assertContains(response, "A draft")
    assertNotContains(response, "A published one")


def test_change_form_flags_an_overdue_published_article(editor_client, db):
    article = ArticleFactory(next_review=YESTERDAY)
    response = editor_client.get(
        reverse("admin:diseases_article_change", args=[article.pk])
    )
    assertContains(response, "This article is overdue for review")
    assertContains(response, "Grade")
    assertContains(response, "Preview as the public will see it")


def article_form(disease, reference, **changes):
    data = {
        "disease": disease.pk,
        "section": "overview",
        "title_en": "Cramps and stiffness",
        "slug": "cramps",
        "order": "0",
        "summary_en": "What helps with cramps.",
        "body_en": "Cramps are common [1]. Stretching can help [2].",
        "status": "draft",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-order": "1",
        "citations-0-reference": reference.pk,
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_saving_in_the_admin_grades_the_text_and_records_who(
    editor_client, content_editor, db
):
    disease = DiseaseFactory()
    reference = ReferenceFactory()
    response = editor_client.post(
        reverse("admin:diseases_article_add"),
        article_form(disease, reference),
        follow=True,
    )
    assertContains(response, "there is no citation with that number")
    article = Article.objects.get(slug="cramps")
    assert article.reading_grade is not None
    assert list(article.citations.values_list("order", flat=True)) == [1]

    url = reverse("admin:diseases_article_change", args=[article.pk])
    editor_client.post(
        url,
        article_form(
            disease,
            reference,
            title_en="Cramps",
            **{
                "citations-INITIAL_FORMS": "1",
                "citations-0-id": article.citations.get().pk,
                "citations-0-article": article.pk,
            },
        ),
    )
    events = events_for(article)
    assert [event.pgh_label for event in events] == ["insert", "update"]
    assert all(event.pgh_context["user"] == content_editor.pk for event in events)
    assert events[1].pgh_diff["title"] == ["Cramps and stiffness", "Cramps"]

    history = editor_client.get(
        reverse("admin:diseases_article_history", args=[article.pk])
    )
    assertContains(history, content_editor.email)
    assertContains(history, "Cramps and stiffness → Cramps")
    # The citation added with the article is part of its history, by name.
    assertContains(history, f"[1] {reference.title}")
    assertContains(history, f"<dd>{reference.title}</dd>", html=True)


def test_publish_and_unpublish_actions_are_recorded(editor_client, content_editor, db):
    first, second = (signed(a) for a in ArticleFactory.create_batch(2, draft=True))
    changelist = reverse("admin:diseases_article_changelist")
    response = editor_client.post(
        changelist,
        {"action": "publish", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assertContains(response, "2 articles published.")
    assert set(Article.objects.values_list("status", flat=True)) == {"published"}
    assert editor_client.get(first.get_absolute_url()).status_code == 200

    editor_client.post(
        changelist, {"action": "unpublish", "_selected_action": [first.pk]}
    )
    first.refresh_from_db()
    assert first.status == Article.Status.DRAFT
    assert editor_client.get(first.get_absolute_url()).status_code == 404

    updates = [
        e
        for e in events_for(first)
        if e.pgh_label == "update" and "status" in e.pgh_diff
    ]
    assert [e.pgh_diff["status"] for e in updates] == [
        ["draft", "published"],
        ["published", "draft"],
    ]
    assert {e.pgh_context["user"] for e in updates} == {content_editor.pk}


def test_publishing_an_article_of_a_draft_disease_warns(editor_client, db):
    article = signed(ArticleFactory(draft=True, disease__is_published=False))
    response = editor_client.post(
        reverse("admin:diseases_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
        follow=True,
    )
    assertContains(response, "stay hidden until it is published")


def test_disease_and_comparison_actions(editor_client, db):
    disease = DiseaseFactory(is_published=False)
    comparison = signed(ComparisonFactory(is_published=False))
    editor_client.post(
        reverse("admin:diseases_disease_changelist"),
        {"action": "publish", "_selected_action": [disease.pk]},
    )
    editor_client.post(
        reverse("admin:diseases_comparison_changelist"),
        {"action": "publish", "_selected_action": [comparison.pk]},
    )
    disease.refresh_from_db()
    comparison.refresh_from_db()
    assert disease.is_published and comparison.is_published


def test_all_changes_page_keeps_deleted_content(editor_client, content_editor, db):
    term = GlossaryTermFactory(term="Obsolete word")
    editor_client.post(
        reverse("admin:diseases_glossaryterm_delete", args=[term.pk]), {"post": "yes"}
    )
    assert not GlossaryTerm.objects.exists()
    response = editor_client.get(reverse("admin:diseases_content_changes"))
    assertContains(response, "Deleted glossary term “Obsolete word”")
    assertContains(response, content_editor.email)


class TestReadingGrade:
    def test_is_computed_on_save_from_text_without_markup(self, db):
        plain = ArticleFactory(body="The cat sat on the mat. It was warm.")
        marked = ArticleFactory(
            body="## The cat\n\nThe **cat** sat on the [mat](https://x.org) [1]. "
            "It was *warm*."
        )
        assert plain.reading_grade == reading_grade(
            "The cat sat on the mat. It was warm."
        )
        assert abs(marked.reading_grade - plain.reading_grade) < 1

    def test_harder_text_scores_higher(self):
        easy = reading_grade("ALS makes muscles weak. It gets worse over time.")
        hard = reading_grade(
            "Amyotrophic lateral sclerosis is a progressive neurodegenerative "
            "disorder characterised by degeneration of upper and lower motor "
            "neurons, culminating in respiratory insufficiency."
        )
        assert hard > easy + 5

    def test_never_downloads_anything(self, monkeypatch):
        def refuse(*args, **kwargs):
            raise AssertionError("tried to download")

        monkeypatch.setattr(nltk, "download", refuse)
        assert reading_grade("A new sentence nobody graded before, surely.") is not None

    def test_empty_text_has_no_grade(self):
        assert reading_grade("") is None
        assert reading_grade("[1]") is None


def test_system_checks_stay_clean_after_the_article_form_is_built(editor_client, db):
    article = ArticleFactory(title="Any article")
    response = editor_client.get(
        reverse("admin:diseases_article_change", args=[article.pk])
    )
    assert response.status_code == 200

    from django.contrib import admin
    from django.core import checks

    problems = admin.site._registry[Article].check()
    assert not [p for p in problems if p.level >= checks.ERROR]

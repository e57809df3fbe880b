"""The editors' admin: what the lists show, what they never count, and how an
administrator makes someone a clinical reviewer."""

import pytest
from django.contrib import admin
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from apps.accounts.models import User
from apps.accounts.roles import is_clinical_reviewer
from apps.accounts.tests.factories import UserFactory
from apps.checklists.models import ChecklistItem, Stage
from apps.directory.models import ListingReport, Service
from apps.directory.tests.factories import ServiceFactory
from apps.diseases.models import Article, OverdueArticle
from apps.diseases.tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

HARD_TEXT = (
    "Amyotrophic lateral sclerosis progressively degenerates upper and lower motor "
    "neurons, characteristically producing heterogeneous combinations of "
    "fasciculations, spasticity, hyperreflexia and bulbar dysfunction."
)


@pytest.fixture
def editor_client(client, content_editor):
    client.force_login(content_editor)
    return client


@pytest.mark.parametrize(
    "model", [Article, OverdueArticle, ChecklistItem, Stage, Service, ListingReport]
)
def test_no_filter_counts_for_editors(editor_client, model):
    assert admin.site._registry[model].show_facets == admin.ShowFacets.NEVER
    ArticleFactory.create_batch(2)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = editor_client.get(url, {"_facets": "1"})
    assert response.status_code == 200
    assertNotContains(response, "Show counts")
    assertNotContains(response, "Hide counts")


def test_reading_grade_above_target_stands_out(editor_client):
    ArticleFactory(title="Hard words", body=HARD_TEXT)
    response = editor_client.get(reverse("admin:diseases_article_changelist"))
    assertContains(response, '<strong class="grade-high">')
    assertContains(response, "above the target of 8 or below")


def test_the_article_list_has_short_columns(editor_client):
    ArticleFactory()
    response = editor_client.get(reverse("admin:diseases_article_changelist"))
    headers = [
        str(header["text"]).capitalize()
        for header in response.context["result_headers"][1:]
    ]
    assert headers == [
        "Title",
        "Disease",
        "Section",
        "Status",
        "Grade",
        "Review",
        "Preview",
    ]


def test_no_add_button_on_the_overdue_list(editor_client):
    response = editor_client.get(reverse("admin:diseases_overduearticle_changelist"))
    assertNotContains(response, reverse("admin:diseases_overduearticle_add"))
    assert (
        editor_client.get(reverse("admin:diseases_overduearticle_add")).status_code
        == 403
    )


def test_listing_reports_show_their_message_in_the_list(editor_client):
    ListingReport.objects.create(
        service=ServiceFactory(), message="The phone number rings a fax machine."
    )
    response = editor_client.get(reverse("admin:directory_listingreport_changelist"))
    assertContains(response, "The phone number rings a fax machine.")


def test_an_administrator_makes_an_editor_a_clinical_reviewer(client, administrator):
    editor = UserFactory(role=User.Role.CONTENT_EDITOR, full_name="Robin")
    client.force_login(administrator)
    url = reverse("admin:accounts_user_change", args=[editor.pk])
    form = client.get(url)
    assertContains(form, "Clinical reviewer")
    data = {
        "email": editor.email,
        "full_name": "Robin",
        "role": User.Role.CONTENT_EDITOR,
        "team": "",
        "is_active": "on",
        "is_clinical_reviewer": "on",
        "_save": "Save",
    }
    client.post(url, data)
    editor.refresh_from_db()
    assert is_clinical_reviewer(editor)
    assert User.objects.get(pk=editor.pk).has_perm("diseases.sign_off_article")
    data.pop("is_clinical_reviewer")
    client.post(url, data)
    assert not is_clinical_reviewer(editor)


def count_list_queries(client, django_assert_max_num_queries, url) -> int:
    with django_assert_max_num_queries(100) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:diseases_article_changelist",
        "admin:diseases_comparison_changelist",
        "admin:checklists_checklistitem_changelist",
    ],
)
def test_signed_content_lists_stay_flat_as_rows_grow(
    editor_client, django_assert_max_num_queries, url_name
):
    """Whether each row changed since review is worked out from rows loaded with
    the list (citations, comparison rows), never one query per row."""
    from apps.checklists.tests.factories import ChecklistItemFactory, StageFactory
    from apps.core.tests.signing import make_reviewer, signed
    from apps.diseases.tests.factories import (
        ArticleReferenceFactory,
        ComparisonRowFactory,
    )

    reviewer = make_reviewer()
    url = reverse(url_name)
    # One stage: the stage filter lists every stage, which is not what grows here.
    stage = StageFactory()

    def add_rows(count):
        for _ in range(count):
            citation = ArticleReferenceFactory(order=1)
            signed(citation.article, reviewer=reviewer)
            signed(ComparisonRowFactory().comparison, reviewer=reviewer)
            signed(ChecklistItemFactory(stage=stage), reviewer=reviewer)

    add_rows(2)
    few = count_list_queries(editor_client, django_assert_max_num_queries, url)
    add_rows(4)
    many = count_list_queries(editor_client, django_assert_max_num_queries, url)
    assert many == few

"""Clinical sign-off of articles and comparisons: who may sign, what the public
reads after an edit, and what stops publishing."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from apps.accounts.roles import CLINICAL_REVIEWERS_GROUP, set_clinical_reviewer
from apps.core.caching import forget_local_copies
from apps.core.tests.signing import signed
from apps.diseases.models import Article, Comparison, ComparisonRow

from .factories import (
    ArticleFactory,
    ArticleReferenceFactory,
    ComparisonFactory,
    ComparisonRowFactory,
    ReferenceFactory,
)
from .helpers import main_html

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate() + datetime.timedelta(days=365)


def sign_off_url(obj) -> str:
    return reverse(f"admin:diseases_{obj._meta.model_name}_sign_off", args=[obj.pk])


def sign_off_form(**changes) -> dict:
    return {
        "name": "Dr. Ana Reyes",
        "credentials": "Neurologist, MD",
        "next_review": NEXT_YEAR.isoformat(),
        "confirm": "on",
        **changes,
    }


@pytest.fixture
def article(db):
    article = ArticleFactory(
        title="Breathing support",
        body="Breathing support can help [1].",
        draft=True,
    )
    ArticleReferenceFactory(article=article, order=1)
    return article


# Who may sign off -----------------------------------------------------------


def test_sign_off_is_kept_apart_from_editing(content_editor, clinical_reviewer):
    editors = Group.objects.get(name="Content editors")
    reviewers = Group.objects.get(name=CLINICAL_REVIEWERS_GROUP)
    sign_off = Permission.objects.filter(codename__startswith="sign_off_")
    assert set(sign_off.values_list("codename", flat=True)) == {
        "sign_off_article",
        "sign_off_comparison",
        "sign_off_checklistitem",
    }
    assert not editors.permissions.filter(codename__startswith="sign_off_").exists()
    assert set(reviewers.permissions.all()) == set(sign_off)
    assert not content_editor.has_perm("diseases.sign_off_article")
    assert clinical_reviewer.has_perm("diseases.sign_off_article")


def test_sign_off_page_role_matrix(assert_access, article, caseworker):
    # A caseworker made a reviewer still has no admin access.
    set_clinical_reviewer(user=caseworker, is_reviewer=True)
    assert_access(
        sign_off_url(article),
        {
            "anonymous": 302,
            "patient": 302,
            "caseworker": 302,
            "supervisor": 302,
            "content_editor": 403,
            "clinical_reviewer": 200,
            "administrator": 200,
        },
    )


@pytest.mark.parametrize("who", ["content_editor", "caseworker", "patient"])
def test_only_reviewers_can_post_a_sign_off(client, request, article, who):
    client.force_login(request.getfixturevalue(who))
    client.post(sign_off_url(article), sign_off_form())
    article.refresh_from_db()
    assert not article.is_signed_off


def test_the_change_form_offers_sign_off_to_reviewers_only(
    client, article, content_editor, clinical_reviewer
):
    change_url = reverse("admin:diseases_article_change", args=[article.pk])
    client.force_login(content_editor)
    assertNotContains(client.get(change_url), sign_off_url(article))
    client.force_login(clinical_reviewer)
    assertContains(client.get(change_url), sign_off_url(article))


def test_a_reviewer_signs_off_the_saved_version(client, article, clinical_reviewer):
    client.force_login(clinical_reviewer)
    page = client.get(sign_off_url(article))
    assertContains(page, "Dr. Test Reviewer")  # the reviewer's own name, to start
    response = client.post(sign_off_url(article), sign_off_form(), follow=True)
    assertContains(response, "is signed off")
    article.refresh_from_db()
    assert article.is_signed_off and not article.is_changed_since_review
    assert article.reviewer_name == "Dr. Ana Reyes"
    assert article.reviewer_credentials == "Neurologist, MD"
    assert article.reviewed_by == clinical_reviewer
    assert article.last_reviewed == timezone.localdate()
    assert article.next_review == NEXT_YEAR


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"next_review": "2000-01-01"}, "The next review must be after today."),
        ({"confirm": ""}, "This field is required."),
        ({"credentials": ""}, "This field is required."),
    ],
)
def test_a_sign_off_needs_every_detail(
    client, article, clinical_reviewer, changes, message
):
    client.force_login(clinical_reviewer)
    response = client.post(sign_off_url(article), sign_off_form(**changes))
    assertContains(response, message)
    article.refresh_from_db()
    assert not article.is_signed_off


def test_the_sign_off_page_shows_what_changed_word_by_word(
    client, article, clinical_reviewer
):
    signed(article)
    Article.objects.filter(pk=article.pk).update(
        body="Breathing support at night can help [1]."
    )
    client.force_login(clinical_reviewer)
    response = client.get(sign_off_url(article))
    assertContains(response, "Changed since the sign-off")
    assertContains(
        response,
        '<ins title="added"><span class="visually-hidden">[added: </span>at night '
        '<span class="visually-hidden">]</span></ins>',
        html=True,
    )


# What the public reads -----------------------------------------------------


def test_public_page_says_who_reviewed_it(client, article):
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)
    assertContains(
        client.get(article.get_absolute_url()), "Not yet clinically reviewed"
    )
    signed(article, next_review=datetime.date(2099, 3, 1))
    response = client.get(article.get_absolute_url())
    today = timezone.localdate()
    assertContains(
        response,
        f"Reviewed by Dr. Test Reviewer, Neurologist, MD, on "
        f'<time datetime="{today:%Y-%m-%d}">{today:%B} {today.day}, {today.year}'
        '</time>; next review <time datetime="2099-03-01">March 1, 2099</time>',
    )


def test_an_edit_after_sign_off_keeps_the_public_on_the_signed_version(
    client, editor_client_factory, article
):
    signed(article)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)
    extra = ReferenceFactory(title="A newer source")
    editor = editor_client_factory()
    url = reverse("admin:diseases_article_change", args=[article.pk])
    citation = article.citations.get()
    response = editor.post(
        url,
        {
            "disease": article.disease_id,
            "section": article.section,
            "title_en": "Breathing support, changed",
            "slug": article.slug,
            "order": "0",
            "summary_en": article.summary,
            "body_en": "An unreviewed claim [1] [2].",
            "status": "published",
            "citations-TOTAL_FORMS": "2",
            "citations-INITIAL_FORMS": "1",
            "citations-MIN_NUM_FORMS": "0",
            "citations-MAX_NUM_FORMS": "1000",
            "citations-0-id": citation.pk,
            "citations-0-article": article.pk,
            "citations-0-order": "1",
            "citations-0-reference": citation.reference_id,
            "citations-1-order": "2",
            "citations-1-reference": extra.pk,
            "_save": "Save",
        },
        follow=True,
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.body == "An unreviewed claim [1] [2]."
    assert article.is_changed_since_review
    # Editors see that it changed; the public still reads what was signed.
    listing = editor.get(reverse("admin:diseases_article_changelist"))
    assertContains(listing, '<strong class="review-changed">Changed</strong>')
    public = main_html(client.get(article.get_absolute_url()))
    assert "Breathing support can help" in public
    assert "unreviewed claim" not in public
    assert "Breathing support, changed" not in public
    assert "A newer source" not in public
    assert "Reviewed by Dr. Test Reviewer" in public
    # The editor's preview shows the saved version, and says it is not signed.
    preview = editor.get(reverse("diseases:article_preview", args=[article.pk]))
    assertContains(preview, "unreviewed claim")
    assertContains(preview, "It has changed since its clinical sign-off")
    # Until a reviewer signs this version.
    signed(article)
    public = main_html(client.get(article.get_absolute_url()))
    assert "unreviewed claim" in public and "A newer source" in public


def test_search_does_not_quote_an_unsigned_body(client, article):
    signed(article)
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.PUBLISHED, body="Breathing with a secretword [1]."
    )
    response = client.get(reverse("diseases:search"), {"q": "secretword"})
    # The snippet is cut from the signed text, never from the unsigned edit.
    assertNotContains(response, "secretword</mark>")
    assertNotContains(response, "Breathing with a secretword")


def test_comparison_public_page_keeps_the_signed_rows(client):
    comparison = ComparisonFactory(title="ALS and MS")
    ComparisonRowFactory(comparison=comparison, feature="Onset", first_value="Late")
    signed(comparison)
    ComparisonRow.objects.filter(comparison=comparison).update(first_value="Changed")
    Comparison.objects.filter(pk=comparison.pk).update(title="Renamed")
    comparison.refresh_from_db()
    assert comparison.is_changed_since_review
    page = main_html(client.get(comparison.get_absolute_url()))
    assert "Late" in page and "Changed" not in page
    assert "ALS and MS" in page and "Renamed" not in page
    assert "Reviewed by Dr. Test Reviewer" in page


def test_sign_off_retires_cached_public_pages(
    client, settings, article, django_capture_on_commit_callbacks
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    cache.clear()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)
    url = article.get_absolute_url()
    assertContains(client.get(url), "Not yet clinically reviewed")
    assertContains(client.get(url), "Not yet clinically reviewed")  # from the cache
    with django_capture_on_commit_callbacks(execute=True):
        signed(article)
    # Another worker's copy would also be gone after its few seconds.
    forget_local_copies()
    assertContains(client.get(url), "Reviewed by Dr. Test Reviewer")


# What stops publishing -----------------------------------------------------


def publish(client, obj):
    return client.post(
        reverse(f"admin:diseases_{obj._meta.model_name}_changelist"),
        {"action": "publish", "_selected_action": [obj.pk]},
        follow=True,
    )


def assert_refused(response, obj, *faults):
    obj.refresh_from_db()
    assert not obj.is_public if isinstance(obj, Article) else not obj.is_published
    messages = [str(message) for message in response.context["messages"]]
    refusal = next(m for m in messages if "not published" in m)
    for fault in faults:
        assert fault in refusal, refusal


@pytest.fixture
def editor_client(client, content_editor):
    client.force_login(content_editor)
    return client


@pytest.fixture
def editor_client_factory(content_editor):
    from django.test import Client

    def make():
        editor = Client()
        editor.force_login(content_editor)
        return editor

    return make


def test_publishing_refuses_an_unsigned_article(editor_client, article):
    response = publish(editor_client, article)
    assert_refused(
        response,
        article,
        "it has not been signed off by a clinical reviewer",
    )
    assertContains(response, "0 articles published.")


def test_publishing_refuses_an_article_changed_since_sign_off(editor_client, article):
    signed(article)
    Article.objects.filter(pk=article.pk).update(title="Changed title")
    assert_refused(
        publish(editor_client, article),
        article,
        "it has changed since the sign-off of",
    )


def test_publishing_refuses_a_broken_citation(editor_client):
    article = signed(ArticleFactory(body="A claim [1]. Another [2].", draft=True))
    ArticleReferenceFactory(article=article, order=1)
    article = signed(article)
    assert_refused(
        publish(editor_client, article),
        article,
        "the body cites [2] but there is no citation numbered 2",
    )


@pytest.mark.parametrize(
    ("missing", "fault"),
    [
        ({"url": ""}, "has no URL"),
        ({"accessed": None}, "has no access date"),
        ({"url": "", "accessed": None}, "has no URL or access date"),
    ],
)
def test_publishing_refuses_a_reference_without_url_or_date(
    editor_client, missing, fault
):
    reference = ReferenceFactory(title="Vague source", **missing)
    article = ArticleFactory(body="A claim [1].", draft=True)
    ArticleReferenceFactory(article=article, reference=reference, order=1)
    signed(article)
    assert_refused(
        publish(editor_client, article),
        article,
        f"the reference “Vague source” {fault}",
    )


def test_publishing_refuses_missing_review_dates(editor_client, article):
    signed(article)
    Article.objects.filter(pk=article.pk).update(next_review=None)
    assert_refused(
        publish(editor_client, article),
        article,
        "it has no review date (next review)",
    )
    Article.objects.filter(pk=article.pk).update(
        last_reviewed=None, signed_version=None
    )
    assert_refused(
        publish(editor_client, article),
        article,
        "it has no review date (signed off on and next review)",
    )


def test_publishing_a_signed_article_without_faults(editor_client, article):
    signed(article)
    response = publish(editor_client, article)
    assertContains(response, "1 article published.")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_the_change_form_saves_a_faulty_article_as_a_draft(editor_client, article):
    url = reverse("admin:diseases_article_change", args=[article.pk])
    citation = article.citations.get()
    response = editor_client.post(
        url,
        {
            "disease": article.disease_id,
            "section": article.section,
            "title_en": article.title,
            "slug": article.slug,
            "order": "0",
            "summary_en": article.summary,
            "body_en": "A claim [1] and [3].",
            "status": "published",
            "citations-TOTAL_FORMS": "1",
            "citations-INITIAL_FORMS": "1",
            "citations-MIN_NUM_FORMS": "0",
            "citations-MAX_NUM_FORMS": "1000",
            "citations-0-id": citation.pk,
            "citations-0-article": article.pk,
            "citations-0-order": "1",
            "citations-0-reference": citation.reference_id,
            "_save": "Save",
        },
        follow=True,
    )
    article.refresh_from_db()
    assert article.body == "A claim [1] and [3]."  # nothing typed is lost
    assert article.status == Article.Status.DRAFT
    assert_refused(
        response,
        article,
        "was saved as a draft and not published",
        "it has not been signed off by a clinical reviewer",
        "the body cites [3] but there is no citation numbered 3",
    )


def test_publishing_refuses_a_comparison_citing_a_reference_without_url(
    editor_client,
):
    comparison = ComparisonFactory(is_published=False)
    ComparisonRowFactory(
        comparison=comparison,
        first_reference=ReferenceFactory(title="No link", url=""),
    )
    signed(comparison)
    assert_refused(
        publish(editor_client, comparison),
        comparison,
        "the reference “No link” has no URL",
    )


def test_editors_cannot_fake_a_sign_off_in_the_change_form(editor_client):
    comparison = ComparisonFactory(is_published=False, last_reviewed=None)
    url = reverse("admin:diseases_comparison_change", args=[comparison.pk])
    form = editor_client.get(url)
    assertNotContains(form, 'name="reviewer_name"')
    assertNotContains(form, 'name="reviewed_by"')
    editor_client.post(
        url,
        {
            "title_en": comparison.title,
            "slug": comparison.slug,
            "first_disease": comparison.first_disease_id,
            "second_disease": comparison.second_disease_id,
            "introduction_en": comparison.introduction,
            "reviewer_name": "Dr. Nobody",
            "reviewer_name_es": "Dr. Nobody",
            "last_reviewed_es": "2026-01-01",
            "last_reviewed": "2026-01-01",
            "next_review": "2099-01-01",
            "rows-TOTAL_FORMS": "0",
            "rows-INITIAL_FORMS": "0",
            "rows-MIN_NUM_FORMS": "0",
            "rows-MAX_NUM_FORMS": "1000",
            "_save": "Save",
        },
    )
    comparison.refresh_from_db()
    assert comparison.reviewer_name == comparison.reviewer_name_es == ""
    assert comparison.last_reviewed is None
    assert comparison.last_reviewed_es is None
    assert not comparison.is_signed_off

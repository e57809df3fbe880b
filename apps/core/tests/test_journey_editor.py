"""A content editor signs in with a second factor, edits a draft article in the admin,
previews it, and cannot publish it until a clinical reviewer signs it off; then the
public page shows the new text and who reviewed it. The history shows the change.

Runs as a desktop visitor, on a phone, and without JavaScript (JOURNEY_MODES). Every
admin page is checked with axe-core with no exception for Django's admin.
"""

import datetime

import pytest
from django.urls import reverse

from apps.diseases.models import Article, Reference

from .browser import JOURNEY_MODES, log_in, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_SENTENCE = "Message banking can start today, on any phone that records sound."


@pytest.fixture
def draft(site_content):
    article = Article.objects.get(slug="voice-banking-and-communication")
    article.status = Article.Status.DRAFT
    article.save()
    # Every source complete, so that only the sign-off stands between this draft
    # and publishing (each fault is tested on its own in the diseases app).
    for reference in Reference.objects.filter(articles=article):
        reference.url = reference.url or f"https://example.org/source/{reference.pk}"
        reference.accessed = reference.accessed or datetime.date(2026, 11, 1)
        reference.save()
    return article


def publish_from_the_list(page, base_url: str, title: str) -> None:
    page.goto(base_url + reverse("admin:diseases_article_changelist"))
    row = page.locator("#result_list tr", has_text=title)
    row.locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", "publish")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("journey", JOURNEY_MODES, indirect=True)
def test_editor_edits_previews_and_publishes(
    journey, live_server, draft, content_editor, clinical_reviewer
):
    url = live_server.url
    public_url = url + draft.get_absolute_url()
    visitor = journey.new_page()
    response = visitor.goto(public_url)
    assert response.status == 404, "a draft is not public"

    page = journey.new_page()
    sign_in(page, url, content_editor)
    assert page.url.endswith(reverse("admin:index")), page.url
    journey.step(page, "admin home")
    page.get_by_role("link", name="Articles", exact=True).first.click()
    page.wait_for_load_state()
    journey.step(page, "article list")
    width = page.evaluate("document.documentElement.scrollWidth")
    if not journey.is_phone:
        assert width <= 1280, f"the article list is {width} px wide"
    page.get_by_role("link", name=draft.title, exact=True).click()
    page.wait_for_load_state()
    journey.step(page, "article form with citations")

    body = page.input_value("#id_body_en")
    page.fill("#id_body_en", body + "\n\n" + NEW_SENTENCE)
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    journey.step(page, "saved, still a draft")
    assert "was changed successfully" in page.inner_text("body")
    draft.refresh_from_db()
    assert NEW_SENTENCE in draft.body
    assert draft.status == Article.Status.DRAFT
    assert visitor.goto(public_url).status == 404

    # The preview opens in a new tab, as the public will see the page.
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Preview as the public will see it").click()
    preview = opened.value
    preview.wait_for_load_state()
    journey.step(preview, "preview")
    assert NEW_SENTENCE in preview.inner_text("main")
    assert preview.locator("h1").inner_text() == draft.title
    assert "No clinical reviewer has signed it off" in preview.inner_text("main")
    preview.close()

    page.get_by_role("link", name="History").click()
    page.wait_for_load_state()
    journey.step(page, "history")
    assert NEW_SENTENCE in page.inner_text("#change-history")

    # Not signed off: publishing is refused, and the message says why.
    publish_from_the_list(page, url, draft.title)
    journey.step(page, "publishing refused")
    assert "has not been signed off by a clinical reviewer" in page.inner_text("body")
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT

    # A clinical reviewer signs off the saved version.
    reviewer = journey.new_page()
    log_in(reviewer, url, clinical_reviewer)
    reviewer.goto(url + reverse("admin:diseases_article_change", args=[draft.pk]))
    reviewer.get_by_role("link", name="Sign off this version").click()
    reviewer.wait_for_load_state()
    journey.step(reviewer, "sign-off form")
    reviewer.fill("#id_credentials", "Neurologist, MD")
    reviewer.check("#id_confirm")
    reviewer.get_by_role("button", name="Sign off this version").click()
    reviewer.wait_for_load_state()
    journey.step(reviewer, "signed off")
    assert "is signed off" in reviewer.inner_text("body")

    publish_from_the_list(page, url, draft.title)
    journey.step(page, "published")
    assert "1 article published." in page.inner_text("body")
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED

    response = visitor.goto(public_url)
    assert response.status == 200
    journey.step(visitor, "public page")
    assert NEW_SENTENCE in visitor.inner_text("main")
    assert "Reviewed by Dr. Test Reviewer, Neurologist, MD" in visitor.inner_text(
        "main"
    )

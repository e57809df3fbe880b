"""axe-core on the editors' admin pages beyond the editor journey: every content
admin with inlines or an autocomplete box, the history and the sign-off page. No
exception is made for Django's admin."""

import pytest
from django.urls import reverse

from apps.checklists.tests.factories import ChecklistItemFactory
from apps.directory.tests.factories import PhoneFactory, ServiceFactory
from apps.diseases.tests.factories import (
    ArticleFactory,
    ComparisonRowFactory,
    GlossaryTermFactory,
)

from .browser import PHONE, check_accessibility, log_in, unlabelled_controls

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def admin_pages() -> list[str]:
    article = ArticleFactory(body="Plain words [1].")
    row = ComparisonRowFactory()
    item = ChecklistItemFactory()
    term = GlossaryTermFactory(related_article=article)
    service = ServiceFactory()
    PhoneFactory(service=service)
    return [
        reverse("admin:diseases_article_changelist"),
        reverse("admin:diseases_article_add"),
        reverse("admin:diseases_article_history", args=[article.pk]),
        reverse("admin:diseases_article_sign_off", args=[article.pk]),
        reverse("admin:diseases_overduearticle_changelist"),
        reverse("admin:diseases_content_changes"),
        reverse("admin:diseases_comparison_change", args=[row.comparison_id]),
        reverse("admin:diseases_glossaryterm_change", args=[term.pk]),
        reverse("admin:checklists_stage_change", args=[item.stage_id]),
        reverse("admin:checklists_checklistitem_change", args=[item.pk]),
        reverse("admin:checklists_checklistitem_history", args=[item.pk]),
        reverse("admin:directory_service_change", args=[service.pk]),
        reverse("admin:directory_service_history", args=[service.pk]),
        reverse("admin:directory_listingreport_changelist"),
    ]


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_editors_admin_pages_pass_axe(
    new_page, live_server, clinical_reviewer, viewport
):
    pages = admin_pages()
    page = new_page(viewport=viewport) if viewport else new_page()
    log_in(page, live_server.url, clinical_reviewer)
    for path in pages:
        response = page.goto(live_server.url + path)
        assert response.status == 200, f"{path}: {response.status}"
        page.wait_for_load_state("load")
        check_accessibility(page, context=path)
        assert page.locator("h1").count() == 1, f"one h1 at {path}"
        assert not unlabelled_controls(page), f"{path}: {unlabelled_controls(page)}"

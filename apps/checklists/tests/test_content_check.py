"""The citation check of checklist items: the rule, and the seed content passing it."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from apps.checklists.content_check import current_item_problems, item_problems
from apps.checklists.models import ChecklistItem
from apps.diseases.tests.factories import ReferenceFactory

from .factories import ChecklistItemFactory, ChecklistItemReferenceFactory

pytestmark = pytest.mark.django_db

MEDICAL = "Riluzole can slow ALS a little."


def test_a_cited_item_with_openable_sources_passes():
    item = ChecklistItemFactory(guidance=f"{MEDICAL} [1]", why_it_matters="[1]")
    ChecklistItemReferenceFactory(item=item, order=1)
    assert item_problems(item) == []


def test_an_uncited_medical_paragraph_fails():
    item = ChecklistItemFactory(guidance="Ask your team.", why_it_matters=MEDICAL)
    ChecklistItemReferenceFactory(item=item, order=1)
    (problem,) = item_problems(item)
    assert problem.startswith("why it matters: uncited medical paragraph")


def test_plain_prompts_need_no_citation_but_the_item_needs_a_source():
    item = ChecklistItemFactory(
        guidance="Ask your team about it.", why_it_matters="It helps you plan."
    )
    assert item_problems(item) == ["no source"]


def test_a_mark_without_a_source_fails():
    item = ChecklistItemFactory(guidance=f"{MEDICAL} [2]")
    ChecklistItemReferenceFactory(item=item, order=1)
    assert any("no such source" in problem for problem in item_problems(item))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"url": ""}, "no URL"),
        ({"accessed": None}, "no access date"),
        ({"url": "https://www.nice.org.uk/"}, "home page only"),
    ],
)
def test_a_source_that_cannot_be_opened_or_dated_fails(fields, expected):
    item = ChecklistItemFactory(guidance=f"{MEDICAL} [1]")
    ChecklistItemReferenceFactory(
        item=item, order=1, reference=ReferenceFactory(**fields)
    )
    assert any(expected in problem for problem in item_problems(item))


def test_an_unmarked_listed_source_is_checked_too():
    item = ChecklistItemFactory()
    ChecklistItemReferenceFactory(
        item=item, order=1, reference=ReferenceFactory(accessed=None)
    )
    assert item_problems(item) == [
        f"source [1] {item.citations.get().reference.title!r}: no access date"
    ]


def test_retired_items_are_left_alone():
    ChecklistItemFactory(guidance=MEDICAL, is_retired=True)
    kept = ChecklistItemFactory(guidance=MEDICAL)
    assert list(current_item_problems()) == [
        f"{kept.stage.disease.slug}/{kept.stage.slug}/{kept.slug}"
    ]


def test_every_seed_item_in_use_passes_the_citation_check():
    """Fails the suite when a seed checklist item has a medical paragraph without a
    citation, or lists a source without a specific URL or an access date."""
    call_command("loaddata", "taxonomy", "diseases", "checklists", verbosity=0)
    assert current_item_problems() == {}
    # The check looked at real content: about ninety items, each with sources.
    assert ChecklistItem.objects.current().count() >= 80
    assert not ChecklistItem.objects.current().filter(citations__isnull=True).exists()
    assert datetime.date(2026, 1, 1) <= min(
        item.citations.first().reference.accessed
        for item in ChecklistItem.objects.current()
    )


def test_the_command_lists_problems_and_fails():
    item = ChecklistItemFactory(guidance=MEDICAL)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 item"):
        call_command("check_checklist_content", stdout=out)
    assert item.slug in out.getvalue()
    assert "uncited medical paragraph" in out.getvalue()
    item.guidance = f"{MEDICAL} [1]"
    item.save()
    ChecklistItemReferenceFactory(item=item, order=1)
    call_command("check_checklist_content", stdout=out)
    assert "every medical claim of every item is cited" in out.getvalue()

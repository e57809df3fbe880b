"""Checklist items follow the clinical sign-off rule of all content."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from apps.accounts.models import PatientProfile
from apps.checklists.models import ChecklistItem
from apps.core.tests.signing import signed

pytestmark = pytest.mark.django_db


def test_stage_list_shows_the_signed_version_after_an_edit(client, items, als):
    item = signed(items["diary"])
    ChecklistItem.objects.filter(pk=item.pk).update(
        title="Keep a diary (unreviewed)", guidance="An unreviewed instruction."
    )
    url = reverse("checklists:stage_list", args=[als.slug])
    response = client.get(url)
    assertContains(response, "Keep a diary")
    assertNotContains(response, "unreviewed")
    assertContains(response, "Reviewed by Dr. Test Reviewer, Neurologist, MD")
    # Items nobody signed yet say so.
    assertContains(response, "Not yet clinically reviewed")
    signed(item)
    assertContains(client.get(url), "An unreviewed instruction.")


def test_patients_checklist_shows_the_signed_version(client, patient, items):
    item = signed(items["diary"])
    ChecklistItem.objects.filter(pk=item.pk).update(guidance="Not signed yet.")
    PatientProfile.objects.filter(user=patient).update(disease="als")
    client.force_login(patient)
    response = client.get(reverse("checklists:my_checklist"), {"show": "all"})
    assertContains(response, item.guidance)
    assertNotContains(response, "Not signed yet.")


def test_editors_preview_shows_the_saved_version(client, content_editor, items, als):
    item = signed(items["diary"])
    ChecklistItem.objects.filter(pk=item.pk).update(title="Edited title")
    client.force_login(content_editor)
    response = client.get(
        reverse("admin:checklists_stage_preview"),
        {"disease": als.pk, "onset_site": "unknown", "family_history": "unknown"},
    )
    assertContains(response, "Edited title")


def test_the_item_admin_marks_changes_since_review(
    client, content_editor, clinical_reviewer, items
):
    item = signed(items["diary"])
    ChecklistItem.objects.filter(pk=item.pk).update(why_it_matters="New reason.")
    client.force_login(content_editor)
    listing = client.get(reverse("admin:checklists_checklistitem_changelist"))
    assertContains(listing, '<strong class="review-changed">Changed</strong>')
    change = client.get(
        reverse("admin:checklists_checklistitem_change", args=[item.pk])
    )
    assertContains(change, "Changed since its clinical sign-off")
    sign_off_url = reverse("admin:checklists_checklistitem_sign_off", args=[item.pk])
    assert client.get(sign_off_url).status_code == 403
    client.force_login(clinical_reviewer)
    assert client.get(sign_off_url).status_code == 200

import pytest
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from apps.checklists.models import ChecklistItem, ItemProgress
from apps.diseases.tests.factories import ReferenceFactory

from .factories import ChecklistItemFactory, ItemProgressFactory

pytestmark = pytest.mark.django_db


def item_change_url(item):
    return reverse("admin:checklists_checklistitem_change", args=[item.pk])


@pytest.mark.parametrize("who", ["content_editor", "administrator"])
def test_content_staff_edit_stages_and_items(client, login_as, items, who):
    login_as(who)
    stage = items["clinic"].stage
    response = client.get(reverse("admin:checklists_stage_change", args=[stage.pk]))
    assertContains(response, items["clinic"].title)  # the ordered item inline
    response = client.get(reverse("admin:checklists_checklistitem_changelist"))
    assertContains(response, items["voice"].title)
    response = client.get(
        reverse("admin:checklists_checklistitem_changelist"), {"q": "relatives"}
    )
    assertContains(response, items["family_only"].title)
    assertNotContains(response, items["voice"].title)
    assert client.get(item_change_url(items["voice"])).status_code == 200


@pytest.mark.parametrize("who", ["patient", "caseworker", "supervisor"])
def test_others_cannot_reach_the_checklist_admin(client, login_as, items, who):
    login_as(who)
    response = client.get(reverse("admin:checklists_stage_changelist"))
    assert response.status_code == 302
    response = client.get(reverse("admin:checklists_stage_preview"))
    assert response.status_code == 302


def test_personal_progress_is_not_in_the_admin(client, content_editor):
    for model in ("itemprogress", "patientstage"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:checklists_{model}_changelist")
    editors = Group.objects.get(name="Content editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert "change_checklistitem" in codenames
    assert "view_itemprogress" not in codenames
    assert "view_patientstage" not in codenames


def test_retire_and_unretire_actions(client, content_editor, items):
    client.force_login(content_editor)
    url = reverse("admin:checklists_checklistitem_changelist")
    item = items["diary"]
    client.post(url, {"action": "retire", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert item.is_retired
    assert item.retired_at is not None
    client.post(url, {"action": "unretire", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert not item.is_retired
    assert item.retired_at is None


def test_deleting_an_item_with_progress_is_refused_with_advice(
    client, content_editor, patient, items
):
    item = items["diary"]
    ItemProgressFactory(
        patient=patient, item=item, status="done", done_on=timezone.localdate()
    )
    client.force_login(content_editor)
    url = reverse("admin:checklists_checklistitem_delete", args=[item.pk])
    response = client.get(url)
    assertContains(response, "has progress recorded by patients")
    assertContains(response, "Retire it instead")
    client.post(url, {"post": "yes"})
    assert ChecklistItem.objects.filter(pk=item.pk).exists()
    # The bulk action refuses too.
    response = client.post(
        reverse("admin:checklists_checklistitem_changelist"),
        {"action": "delete_selected", "_selected_action": [item.pk], "post": "yes"},
    )
    assertContains(response, "Retire it instead")
    assert ChecklistItem.objects.filter(pk=item.pk).exists()
    assert ItemProgress.objects.filter(item=item).exists()


def test_an_item_nobody_used_can_be_deleted(client, content_editor, items):
    item = ChecklistItemFactory(stage=items["diary"].stage)
    client.force_login(content_editor)
    url = reverse("admin:checklists_checklistitem_delete", args=[item.pk])
    client.post(url, {"post": "yes"})
    assert not ChecklistItem.objects.filter(pk=item.pk).exists()


def test_history_shows_every_recorded_change_with_who(client, content_editor, items):
    item = items["diary"]
    client.force_login(content_editor)
    # A bulk change, recorded by the database trigger with the request's user.
    client.post(
        reverse("admin:checklists_checklistitem_changelist"),
        {"action": "retire", "_selected_action": [item.pk]},
    )
    response = client.get(
        reverse("admin:checklists_checklistitem_history", args=[item.pk])
    )
    assertContains(response, "Changed checklist item")
    assertContains(response, "<dt>Is retired</dt>", html=True)
    assertContains(response, "no → yes")
    assertContains(response, content_editor.email)
    stage = item.stage
    response = client.get(reverse("admin:checklists_stage_history", args=[stage.pk]))
    # The stage's items are part of its history, by name.
    assertContains(response, f"Created checklist item “{item.title}”")


def test_preview_as_a_profile(client, content_editor, items, als):
    client.force_login(content_editor)
    url = reverse("admin:checklists_stage_preview")
    response = client.get(reverse("admin:checklists_stage_changelist"))
    assertContains(response, url)
    response = client.get(
        url,
        {
            "disease": als.pk,
            "onset_site": "limb",
            "family_history": "no",
            "months_since_diagnosis": "20",
        },
    )
    assertContains(response, "Suggested stage: Planning ahead")
    assertContains(response, "Hidden: Usually for people with a family history")
    assertContains(response, "Shown, first: This often matters sooner")
    # No onset date: the trial window counts from the diagnosis, and says so.
    assertContains(response, "Window open: 4 months left")
    assertContains(response, "Counted from your diagnosis")
    # First symptoms 10 months before the diagnosis: the window has closed.
    response = client.get(
        url,
        {
            "disease": als.pk,
            "onset_site": "limb",
            "family_history": "no",
            "months_since_diagnosis": "20",
            "first_symptoms_months_earlier": "10",
        },
    )
    assertContains(response, "Window closed on")
    assertContains(response, "Counted from when your first symptoms began")
    # Without a diagnosis.
    response = client.get(
        url, {"disease": als.pk, "onset_site": "unknown", "family_history": "unknown"}
    )
    assertContains(response, "Suggested stage: Getting answers")


def test_preview_with_bad_input_shows_the_form_again(client, content_editor, items):
    client.force_login(content_editor)
    response = client.get(
        reverse("admin:checklists_stage_preview"),
        {"disease": "999", "onset_site": "elbow", "months_since_diagnosis": "-3"},
    )
    assert response.status_code == 200
    assertNotContains(response, "Suggested stage")


def test_content_editor_sets_the_anchor_and_sources_of_an_item(
    client, content_editor, items
):
    editors = Group.objects.get(name="Content editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"add_checklistitemreference", "change_checklistitemreference"} <= codenames
    reference = ReferenceFactory(title="A trial record")
    item = items["trials"]
    client.force_login(content_editor)
    response = client.get(item_change_url(item))
    assertContains(response, "From first symptoms")
    assertContains(response, "Sources: [1] in the guidance")
    data = {
        "stage": item.stage_id,
        "order": item.order,
        "title_en": item.title,
        "slug": item.slug,
        "guidance_en": "Each trial sets its own time limit [1].",
        "why_it_matters_en": item.why_it_matters,
        "sooner_for_onset_site": "",
        "timing": "window_closes",
        "timing_months": "36",
        "timing_from": "first_symptoms",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-order": "1",
        "citations-0-reference": reference.pk,
    }
    response = client.post(item_change_url(item), data)
    assert response.status_code == 302, response.context["errors"]
    item.refresh_from_db()
    assert (item.timing_months, item.timing_from) == (36, "first_symptoms")
    assert [c.reference for c in item.citations.all()] == [reference]

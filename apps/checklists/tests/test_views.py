"""The public checklists and a patient's own: the list, the personal page, changing an
item."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from apps.checklists.models import ItemProgress, PatientStage
from apps.directory.tests.factories import TaxonomyTermFactory

from .checklist_pages import (
    EVERYONE,
    PATIENTS_ONLY,
    months_ago,
    note_url,
    status_url,
)
from .conftest import set_profile
from .factories import (
    ChecklistItemFactory,
    ChecklistItemReferenceFactory,
    ItemProgressFactory,
    StageFactory,
)

pytestmark = pytest.mark.django_db


# The public list ------------


def test_stage_list_shows_stages_and_items_to_anyone(client, items):
    retired = ChecklistItemFactory(
        stage=items["diary"].stage, title="An old step", is_retired=True
    )
    response = client.get(reverse("checklists:stage_list", args=["als"]))
    assertContains(response, "<h1>", count=1)
    for item in items.values():
        assertContains(response, item.title)
    assertNotContains(response, retired.title)
    directory = reverse("directory:service_list")
    assertContains(response, f'href="{directory}?type=als-clinic"')
    assertContains(response, items["clinic"].related_article.get_absolute_url())
    assertContains(response, "Often needed sooner if symptoms started in speech")
    assertContains(response, "Within 3 months of diagnosis.")
    assertContains(response, "best done within 24 months of first symptoms.")


def test_stage_list_opens_with_a_kind_note_before_the_stages(client, items):
    html = client.get(reverse("checklists:stage_list", args=["als"])).content.decode()
    note = html.index('id="before-you-read"')
    assert note < html.index('id="stages-heading"')
    assert note < html.index(f'id="{items["diary"].stage.slug}"')
    assert "not a timetable" in html
    assert "of the way through" not in html


def test_items_show_their_numbered_sources_with_links(client, patient, items):
    item = items["clinic"]
    item.guidance = "Ask for a referral [1]. Ask about the team [2]. Not a source [3]."
    item.save()
    first = ChecklistItemReferenceFactory(
        item=item, order=1, reference__title="Care guideline"
    )
    ChecklistItemReferenceFactory(item=item, order=2, reference__title="Team study")
    source = f'id="item-{item.pk}-source-1"'
    link = f'href="#item-{item.pk}-source-1"'
    set_profile(patient, disease="als")
    client.force_login(patient)
    for url in (
        reverse("checklists:stage_list", args=["als"]),
        reverse("checklists:my_checklist_stage", args=[item.stage.slug]),
    ):
        response = client.get(url)
        assertContains(response, source, count=1)
        assertContains(response, link, count=1)
        assertContains(response, f'href="{first.reference.url}"')
        assertContains(response, "Care guideline")
        assertContains(response, "Team study")
        # A number without a source stays plain text.
        assertNotContains(response, f'href="#item-{item.pk}-source-3"')


def test_stage_list_links_the_other_diseases_checklists(client, items, ms):
    StageFactory(disease=ms)
    response = client.get(reverse("checklists:stage_list", args=["als"]))
    assertContains(response, reverse("checklists:stage_list", args=["ms"]))


def test_stage_list_does_not_link_unpublished_articles(client, items):
    article = items["clinic"].related_article
    article.status = article.Status.DRAFT
    article.save()
    response = client.get(reverse("checklists:stage_list", args=["als"]))
    assertNotContains(response, article.get_absolute_url())


def test_stage_list_access(assert_access, items):
    assert_access(reverse("checklists:stage_list", args=["als"]), EVERYONE)


def test_stage_list_of_unknown_or_unpublished_disease_is_404(client, als, ms):
    ms.is_published = False
    ms.save()
    assert client.get(reverse("checklists:stage_list", args=["ms"])).status_code == 404
    assert client.get(reverse("checklists:stage_list", args=["xyz"])).status_code == 404


def test_stage_list_refuses_post(client, als):
    response = client.post(reverse("checklists:stage_list", args=["als"]))
    assert response.status_code == 405


def test_stage_list_query_count_is_flat(client, items, django_assert_num_queries):
    url = reverse("checklists:stage_list", args=["als"])
    # disease, stages, current items joined to article and its disease, service
    # types, sources with their reference, other diseases with a checklist
    with django_assert_num_queries(6):
        client.get(url)
    stage = items["diary"].stage
    for n in range(5):
        item = ChecklistItemFactory(
            stage=stage, service_types=[TaxonomyTermFactory(code=f"extra-{n}")]
        )
        ChecklistItemReferenceFactory(item=item, order=1)
        ChecklistItemReferenceFactory(item=item, order=2)
    StageFactory(disease=stage.disease)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200


# My checklist ------------


def test_my_checklist_access(assert_access, items):
    assert_access(reverse("checklists:my_checklist"), PATIENTS_ONLY)


def test_my_checklist_refuses_post(client, patient):
    client.force_login(patient)
    assert client.post(reverse("checklists:my_checklist")).status_code == 405


def test_bulbar_patient_sees_the_right_stage_items_and_trial_window(
    client, bulbar_patient, items
):
    client.force_login(bulbar_patient)
    response = client.get(reverse("checklists:my_checklist"))
    assertContains(response, "We suggest <strong>Planning ahead</strong>")
    assertContains(response, "about 20 months ago")
    assertContains(response, items["voice"].title)
    # An earlier stage is one line, its steps one click away.
    assertNotContains(response, items["family_only"].title)
    stage = reverse("checklists:my_checklist_stage", args=["just-diagnosed"])
    assertContains(response, f'<a href="{stage}">Just diagnosed</a>')
    # ALS spreads: the falls item is for everyone; voice banking comes first.
    html = response.content.decode()
    planning = html.split('id="planning-ahead"')[1]
    assert planning.index(items["voice"].title) < planning.index(items["falls"].title)
    assertContains(response, "Listed first for you")
    # The trial window counts from first symptoms, unknown here: the page says so.
    assertContains(response, "Window open: 4 months left")
    assertContains(response, "because we don&#x27;t know when your first symptoms")
    assertNotContains(response, "Show all steps, including")
    # Every item links to the directory with its types and the patient's ZIP.
    response = client.get(stage)
    assertContains(response, items["family_only"].title)
    directory = reverse("directory:service_list")
    assertContains(response, f'href="{directory}?type=als-clinic&amp;zip=02114"')


def test_limb_patient_without_family_history_sees_voice_banking(client, patient, items):
    set_profile(patient, onset_site="limb", family_history="no")
    client.force_login(patient)
    response = client.get(
        reverse("checklists:my_checklist_stage", args=["planning-ahead"])
    )
    assertContains(response, items["falls"].title)
    assertContains(response, items["voice"].title)
    response = client.get(
        reverse("checklists:my_checklist_stage", args=["just-diagnosed"])
    )
    assertNotContains(response, items["family_only"].title)
    assertContains(response, "Show all steps, including 1 that usually do not apply")


def test_show_all_items_shows_hidden_ones_with_the_reason(client, patient, items):
    set_profile(patient, onset_site="limb", family_history="no")
    client.force_login(patient)
    response = client.get(
        reverse("checklists:my_checklist_stage", args=["just-diagnosed"]),
        {"show": "all"},
    )
    assertContains(response, items["family_only"].title)
    assertContains(response, "It is shown because you chose to see all steps")
    assertContains(response, "Show only the steps for me")


def test_without_a_diagnosis_date_the_page_says_so_kindly(client, patient, items):
    client.force_login(patient)
    response = client.get(reverse("checklists:my_checklist"))
    assertContains(response, "You have not added a diagnosis date yet")
    assertContains(response, reverse("accounts:profile_update"))
    assertContains(response, "We suggest <strong>Getting answers</strong>")
    response = client.get(
        reverse("checklists:my_checklist_stage", args=["just-diagnosed"])
    )
    assertContains(response, "Add your diagnosis date to your profile to see when")


def test_a_patient_without_a_profile_is_asked_for_one(client, items):
    from apps.accounts.models import User
    from apps.accounts.tests.factories import UserFactory

    newcomer = UserFactory(role=User.Role.PATIENT)
    client.force_login(newcomer)
    response = client.get(reverse("checklists:my_checklist"))
    assertContains(response, "Which condition do you have?")
    assertContains(response, reverse("checklists:condition_choose"))
    # The first stage, nothing hidden until the patient says otherwise.
    assertContains(response, items["diary"].title)
    assertNotContains(response, items["voice"].title)


def test_coming_up_lists_overdue_and_closing_soon_in_words(client, patient, items):
    # Diagnosed 22 months ago: the clinic is overdue, the trial window closes soon.
    set_profile(patient, diagnosis_date=months_ago(22))
    client.force_login(patient)
    response = client.get(reverse("checklists:my_checklist"))
    coming_up = response.content.decode().split('id="coming-up"')[1].split("</div>")[0]
    assert "Overdue" in coming_up
    assert items["clinic"].title in coming_up
    assert "Closing soon</span>" in coming_up
    assert items["trials"].title in coming_up


def test_progress_per_stage_is_counted_in_words(client, bulbar_patient, items):
    ItemProgressFactory(
        patient=bulbar_patient,
        item=items["clinic"],
        status="done",
        done_on=timezone.localdate(),
    )
    ItemProgressFactory(
        patient=bulbar_patient, item=items["family_only"], status="not_for_me"
    )
    client.force_login(bulbar_patient)
    response = client.get(
        reverse("checklists:my_checklist_stage", args=["just-diagnosed"])
    )
    assertContains(response, "1 of 1 done</strong>, 1 set aside as not for me")
    assertContains(response, '<progress class="checklist-progress" max="1" value="1"')


def test_my_checklist_query_count_is_flat(
    client, bulbar_patient, items, django_assert_num_queries
):
    client.force_login(bulbar_patient)
    url = reverse("checklists:my_checklist")
    # session, user, profile, chosen stage, stages with disease, current items with
    # article, service types, sources, progress
    with django_assert_num_queries(9):
        client.get(url)
    stage = items["clinic"].stage
    PatientStage.objects.create(patient=bulbar_patient, stage=stage)
    for n in range(6):
        item = ChecklistItemFactory(
            stage=stage, service_types=[TaxonomyTermFactory(code=f"more-{n}")]
        )
        ItemProgressFactory(patient=bulbar_patient, item=item, note=f"Note {n}")
        ChecklistItemReferenceFactory(item=item, order=1)
    with django_assert_num_queries(9):
        response = client.get(url, {"show": "all"})
    assert response.status_code == 200


# Changing an item ------------


def test_tick_and_untick_with_plain_forms(client, patient, items):
    client.force_login(patient)
    item = items["clinic"]
    response = client.post(status_url(item), {"status": "done"})
    assertRedirects(
        response,
        reverse("checklists:my_checklist") + f"#item-{item.pk}",
        fetch_redirect_response=False,
    )
    progress = ItemProgress.objects.get(patient=patient, item=item)
    assert progress.status == "done"
    assert progress.done_on == timezone.localdate()

    client.post(status_url(item), {"status": "todo"})
    progress.refresh_from_db()
    assert progress.status == "todo"
    assert progress.done_on is None

    client.post(status_url(item), {"status": "not_for_me"})
    progress.refresh_from_db()
    assert progress.status == "not_for_me"


def test_ticking_keeps_show_all_on_the_way_back(client, patient, items):
    client.force_login(patient)
    response = client.post(
        status_url(items["voice"]), {"status": "done", "show": "all"}
    )
    assert response["Location"].endswith(f"?show=all#item-{items['voice'].pk}")


def test_ticking_with_htmx_swaps_the_item_and_announces_it(client, patient, items):
    client.force_login(patient)
    item = items["clinic"]
    response = client.post(status_url(item), {"status": "done"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<article id="item-{item.pk}"' in html
    assert "Mark as not done" in html
    assert 'hx-swap-oob="innerHTML:#checklist-announcer"' in html
    assert f"Saved. Marked as done: {item.title}." in html
    assert 'class="item-saved' in html  # seen on screen, next to the item
    # The stage's counts, the overview and "coming up" are redrawn too.
    assert f'id="stage-progress-{item.stage.pk}"' in html
    assert '<div id="overview" hx-swap-oob="true">' in html
    assert '<div id="coming-up" hx-swap-oob="true">' in html
    assert "<html" not in html
    assert ItemProgress.objects.get(patient=patient, item=item).status == "done"


def test_the_page_has_a_live_region_for_announcements(client, patient, items):
    client.force_login(patient)
    response = client.get(reverse("checklists:my_checklist"))
    assertContains(response, 'id="checklist-announcer"')
    assertContains(response, 'aria-live="polite"')
    assertContains(response, f'hx-post="{status_url(items["diary"])}"')


def test_ticking_twice_keeps_the_first_day(client, patient, items):
    earlier = timezone.localdate() - timedelta(days=9)
    ItemProgressFactory(
        patient=patient, item=items["diary"], status="done", done_on=earlier
    )
    client.force_login(patient)
    client.post(status_url(items["diary"]), {"status": "done"})
    assert (
        ItemProgress.objects.get(patient=patient, item=items["diary"]).done_on
        == earlier
    )


def test_a_bad_status_changes_nothing(client, patient, items):
    client.force_login(patient)
    response = client.post(status_url(items["clinic"]), {"status": "deleted"})
    assert response.status_code == 302
    response = client.post(
        status_url(items["clinic"]), {"status": "deleted"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert not ItemProgress.objects.exists()


def test_changes_need_the_csrf_token(patient, items):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(patient)
    response = csrf_client.post(status_url(items["clinic"]), {"status": "done"})
    assert response.status_code == 403
    response = csrf_client.post(note_url(items["clinic"]), {"note": "Hello"})
    assert response.status_code == 403
    assert not ItemProgress.objects.exists()


def test_notes_with_plain_forms_and_htmx(client, patient, items):
    client.force_login(patient)
    item = items["trials"]
    response = client.post(note_url(item), {"note": "  Ask the nurse.  "})
    assert response.status_code == 302
    assert ItemProgress.objects.get(patient=patient, item=item).note == "Ask the nurse."
    response = client.post(
        note_url(item), {"note": "Ask again."}, HTTP_HX_REQUEST="true"
    )
    assertContains(response, "Ask again.</textarea>")
    assertContains(response, f"Saved. Your note on: {item.title}.")
    assert ItemProgress.objects.get(patient=patient, item=item).status == "todo"


def test_a_note_too_long_is_explained_not_saved(client, patient, items):
    client.force_login(patient)
    item = items["trials"]
    response = client.post(note_url(item), {"note": "x" * 2001})
    assertContains(response, "Keep the note to 2000 characters", status_code=400)
    assertContains(response, 'aria-invalid="true"', status_code=400)
    # Nothing is cut: the whole text comes back, with the limit in words and no
    # maxlength for a browser to cut a pasted note at.
    assertContains(response, "x" * 2001 + "</textarea>", status_code=400)
    assertContains(response, "Up to 2,000 characters.", status_code=400)
    assertNotContains(response, "maxlength", status_code=400)
    response = client.post(note_url(item), {"note": "x" * 2001}, HTTP_HX_REQUEST="true")
    assertContains(response, "Keep the note to 2000 characters")
    assert not ItemProgress.objects.exists()


def test_notes_and_progress_are_private_to_each_patient(
    client, patient, other_patient, items
):
    client.force_login(patient)
    client.post(note_url(items["trials"]), {"note": "My own secret note"})
    client.post(status_url(items["diary"]), {"status": "done"})
    client.force_login(other_patient)
    response = client.get(reverse("checklists:my_checklist"))
    assertNotContains(response, "My own secret note")
    assertNotContains(response, "Mark as not done")
    assert not ItemProgress.objects.filter(patient=other_patient).exists()


def test_retired_items_cannot_be_changed(client, patient, items):
    item = items["diary"]
    item.is_retired = True
    item.save()
    client.force_login(patient)
    assert client.post(status_url(item), {"status": "done"}).status_code == 404
    assert client.post(note_url(item), {"note": "x"}).status_code == 404


@pytest.mark.parametrize("url_name", ["item_status", "item_note"])
def test_item_changes_access(assert_access, items, url_name):
    url = reverse(f"checklists:{url_name}", args=[items["clinic"].pk])
    expected = {**PATIENTS_ONLY, "patient": 302, "other_patient": 302}
    assert_access(url, expected, method="post", data={"status": "done", "note": ""})


@pytest.mark.parametrize("url_name", ["item_status", "item_note"])
def test_item_changes_refuse_get(client, patient, items, url_name):
    client.force_login(patient)
    url = reverse(f"checklists:{url_name}", args=[items["clinic"].pk])
    assert client.get(url).status_code == 405

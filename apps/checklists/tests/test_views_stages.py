"""A patient's checklist: choosing a stage, the print view and calendar, and the
navigation."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from apps.checklists.models import PatientStage
from apps.checklists.personalise import add_months
from apps.directory.tests.factories import TaxonomyTermFactory

from .checklist_pages import (
    PATIENTS_ONLY,
    months_ago,
)
from .conftest import set_profile
from .factories import (
    ChecklistItemFactory,
    ChecklistItemReferenceFactory,
    ItemProgressFactory,
    StageFactory,
)

pytestmark = pytest.mark.django_db


# Choosing a stage ------------


def test_patient_can_override_and_reset_the_suggested_stage(
    client, bulbar_patient, als_stages, items
):
    client.force_login(bulbar_patient)
    answers = als_stages[0]
    response = client.post(reverse("checklists:stage_choose"), {"stage": answers.pk})
    assert response.status_code == 302
    assert PatientStage.objects.get(patient=bulbar_patient).stage == answers
    response = client.get(reverse("checklists:my_checklist"))
    assertContains(response, "You chose <strong>Getting answers</strong>")
    assertContains(response, "We would suggest Planning ahead")

    client.post(reverse("checklists:stage_choose"), {"stage": ""})
    assert not PatientStage.objects.filter(patient=bulbar_patient).exists()


def test_a_stage_of_another_disease_cannot_be_chosen(client, patient, items, ms):
    ms_stage = StageFactory(disease=ms)
    client.force_login(patient)
    response = client.post(reverse("checklists:stage_choose"), {"stage": ms_stage.pk})
    assert response.status_code == 302
    assert not PatientStage.objects.exists()


def test_not_sure_patients_get_the_diagnosis_steps_and_a_word_of_explanation(
    client, patient, items, ms
):
    ms_stage = StageFactory(disease=ms, title="Starting treatment")
    ChecklistItemFactory(stage=ms_stage, title="Talk about treatment")
    set_profile(patient, disease="not-sure")
    client.force_login(patient)
    response = client.get(reverse("checklists:my_checklist"))
    assertContains(response, "<h1>My checklist: getting a diagnosis</h1>")
    assertNotContains(response, "My checklist: ALS")
    assertContains(response, "You are not sure yet which condition you have")
    assertContains(response, items["diary"].title)
    assertNotContains(response, items["clinic"].title)
    assertNotContains(response, "Talk about treatment")
    # No stage chooser: the stages belong to a condition not yet known.
    assertNotContains(response, reverse("checklists:stage_choose"))


def test_the_stage_chooser_offers_only_the_conditions_stages(
    client, bulbar_patient, items, ms
):
    ms_stage = StageFactory(disease=ms, title="Starting treatment")
    client.force_login(bulbar_patient)
    response = client.get(reverse("checklists:my_checklist"))
    assertContains(response, f'<option value="{items["diary"].stage.pk}">')
    assertNotContains(response, f'<option value="{ms_stage.pk}">')
    assertNotContains(response, "Starting treatment")


def test_a_new_account_answers_which_condition(client, items, ms):
    from apps.accounts.models import PatientProfile, User
    from apps.accounts.tests.factories import UserFactory

    newcomer = UserFactory(role=User.Role.PATIENT)
    client.force_login(newcomer)
    response = client.post(
        reverse("checklists:condition_choose"), {"disease": "not-sure"}
    )
    assertRedirects(
        response, reverse("checklists:my_checklist"), fetch_redirect_response=False
    )
    assert PatientProfile.objects.get(user=newcomer).disease == "not-sure"
    response = client.get(reverse("checklists:my_checklist"))
    assertContains(response, "Saved: your checklist now fits your answer.")
    assertContains(response, "getting a diagnosis")
    response = client.post(reverse("checklists:condition_choose"), {"disease": "x"})
    assert PatientProfile.objects.get(user=newcomer).disease == "not-sure"


def test_condition_choose_access(assert_access, items):
    expected = {**PATIENTS_ONLY, "patient": 302, "other_patient": 302}
    assert_access(reverse("checklists:condition_choose"), expected, method="post")


def test_a_stage_page_of_another_condition_is_404(client, patient, items, ms):
    StageFactory(disease=ms, slug="relapse-plan")
    client.force_login(patient)
    url = reverse("checklists:my_checklist_stage", args=["relapse-plan"])
    assert client.get(url).status_code == 404


def test_stage_page_access(assert_access, items):
    url = reverse("checklists:my_checklist_stage", args=["planning-ahead"])
    assert_access(url, PATIENTS_ONLY)


def test_three_months_after_diagnosis_later_stages_are_one_line(client, patient, items):
    set_profile(patient, disease="als", diagnosis_date=months_ago(3))
    client.force_login(patient)
    response = client.get(reverse("checklists:my_checklist"))
    assertContains(response, "Just diagnosed <span")
    assertContains(response, items["clinic"].title)
    for later in ("voice", "falls", "trials"):
        assertNotContains(response, items[later].title)
    later = reverse("checklists:my_checklist_stage", args=["planning-ahead"])
    assertContains(response, f'<a href="{later}">Planning ahead</a>')
    response = client.get(later)
    assertContains(response, items["voice"].title)
    assertContains(response, "This stage comes later than yours.")


def test_stage_choose_access(assert_access, items):
    expected = {**PATIENTS_ONLY, "patient": 302, "other_patient": 302}
    assert_access(reverse("checklists:stage_choose"), expected, method="post")


def test_stage_choose_refuses_get(client, patient):
    client.force_login(patient)
    assert client.get(reverse("checklists:stage_choose")).status_code == 405


# Print and calendar ------------


def test_print_view_has_one_page_per_stage(client, bulbar_patient, items):
    set_profile(bulbar_patient, family_history="no")
    ItemProgressFactory(
        patient=bulbar_patient,
        item=items["clinic"],
        status="done",
        done_on=timezone.localdate(),
        note="Booked for Tuesday",
    )
    client.force_login(bulbar_patient)
    response = client.get(reverse("checklists:my_checklist_print"))
    html = response.content.decode()
    # By default only the patient's stage.
    assert "print-page-break" not in html
    assert "Planning ahead (my stage)" in html
    assert items["clinic"].title not in html
    response = client.get(reverse("checklists:my_checklist_print"), {"stages": "all"})
    html = response.content.decode()
    assert html.count("print-page-break") == 2  # three stages, a break before 2 and 3
    assert "Booked for Tuesday" in html
    assert "(done on " in html
    assert "Window open: 4 months left" in html
    assert items["family_only"].title not in html  # hidden by the profile
    assert "data-print-page" in html


def test_print_view_access(assert_access, items):
    assert_access(reverse("checklists:my_checklist_print"), PATIENTS_ONLY)


def test_calendar_access(assert_access, items):
    assert_access(reverse("checklists:my_checklist_calendar"), PATIENTS_ONLY)


def test_calendar_refuses_post(client, patient):
    client.force_login(patient)
    response = client.post(reverse("checklists:my_checklist_calendar"))
    assert response.status_code == 405


def test_calendar_exports_dated_items_still_to_do(client, bulbar_patient, items):
    diagnosed = months_ago(20)
    ItemProgressFactory(patient=bulbar_patient, item=items["voice"], note="private")
    client.force_login(bulbar_patient)
    response = client.get(reverse("checklists:my_checklist_calendar"))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="carenav-checklist.ics"'
    )
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert body.count("BEGIN:VEVENT") == 2
    today = timezone.localdate()
    trials_close = add_months(diagnosed, 24)
    # The clinic was due 17 months ago: dated today, never in the past.
    assert f"SUMMARY:Overdue: {items['clinic'].title}" in unfolded
    assert f"DTSTART;VALUE=DATE:{today:%Y%m%d}" in unfolded
    assert f"DTEND;VALUE=DATE:{today + timedelta(days=1):%Y%m%d}" in unfolded
    starts = [
        line.split(":")[1] for line in body.split("\r\n") if line.startswith("DTSTART")
    ]
    assert min(starts) >= f"{today:%Y%m%d}"
    assert f"DTSTART;VALUE=DATE:{trials_close:%Y%m%d}" in unfolded
    assert f"SUMMARY:Last day: {items['trials'].title}" in unfolded
    # An alarm per event: a few days before, or that morning when sooner.
    assert body.count("BEGIN:VALARM") == 2
    assert "TRIGGER:-P3D" in body  # the trial window, months away
    assert "TRIGGER:PT9H" in body  # the overdue clinic, today
    stage = reverse("checklists:my_checklist_stage", args=["just-diagnosed"])
    assert f"URL:http://testserver{stage}#item-{items['clinic'].pk}" in unfolded
    assert (
        f"UID:checklist-item-{items['clinic'].pk}-{bulbar_patient.pk}@carenav" in body
    )
    assert "private" not in body
    # Stable: the same UIDs on the next download.
    again = client.get(reverse("checklists:my_checklist_calendar")).content.decode()
    uids = [line for line in body.split("\r\n") if line.startswith("UID:")]
    assert uids == [line for line in again.split("\r\n") if line.startswith("UID:")]


def test_calendar_leaves_out_done_items_and_closed_windows(client, patient, items):
    set_profile(patient, diagnosis_date=months_ago(30))  # the trial window closed
    ItemProgressFactory(
        patient=patient, item=items["clinic"], status="done", done_on=months_ago(29)
    )
    client.force_login(patient)
    body = client.get(reverse("checklists:my_checklist_calendar")).content.decode()
    assert "BEGIN:VEVENT" not in body


def test_calendar_without_a_diagnosis_date_is_empty_but_valid(client, patient, items):
    client.force_login(patient)
    body = client.get(reverse("checklists:my_checklist_calendar")).content.decode()
    assert "BEGIN:VEVENT" not in body
    assert body.endswith("END:VCALENDAR\r\n")


# Navigation ------------


def test_navigation_entry_by_role(client, patient, caseworker, items):
    home = reverse("checklists:stage_list", args=["als"])
    response = client.get(home)
    assertContains(response, f'<a class="nav-link" href="{home}" aria-current="page">')
    client.force_login(patient)
    response = client.get(reverse("checklists:my_checklist"))
    assertContains(response, 'aria-current="page">My checklist</a>')
    client.force_login(caseworker)
    response = client.get(home)
    assertContains(response, ">Checklists</a>")
    assertNotContains(response, ">My checklist</a>")


def test_done_items_are_not_called_overdue(client, patient, items):
    set_profile(patient, diagnosis_date=months_ago(22))
    ItemProgressFactory(
        patient=patient, item=items["clinic"], status="done", done_on=months_ago(21)
    )
    client.force_login(patient)
    for name in ("my_checklist", "my_checklist_print"):
        response = client.get(reverse(f"checklists:{name}"))
        assertNotContains(response, "Overdue")
        assertContains(response, "Closing soon")


def test_a_stage_page_query_count_is_flat(
    client, bulbar_patient, items, django_assert_num_queries
):
    client.force_login(bulbar_patient)
    url = reverse("checklists:my_checklist_stage", args=["planning-ahead"])
    # session, user, profile with its versions, chosen stage, stages with disease,
    # current items with article, progress, the stage's service types and sources
    with django_assert_num_queries(9):
        client.get(url)
    stage = items["voice"].stage
    for n in range(6):
        item = ChecklistItemFactory(
            stage=stage, service_types=[TaxonomyTermFactory(code=f"later-{n}")]
        )
        ItemProgressFactory(patient=bulbar_patient, item=item, note=f"Note {n}")
        ChecklistItemReferenceFactory(item=item, order=1)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200

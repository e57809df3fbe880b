from datetime import date

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.tests.factories import UserFactory
from apps.checklists.models import ItemProgress, PatientStage
from apps.checklists.personalise import add_months
from apps.checklists.services import (
    build_patient_checklist,
    choose_stage,
    set_item_note,
    set_item_status,
)
from apps.checklists.summary import progress_summary_for

from .conftest import set_profile
from .factories import (
    ChecklistItemFactory,
    ChecklistItemReferenceFactory,
    ItemProgressFactory,
)

pytestmark = pytest.mark.django_db


def test_set_item_status_records_and_clears_the_day(patient, items):
    day = date(2027, 3, 4)
    progress = set_item_status(
        patient=patient, item=items["diary"], status="done", today=day
    )
    assert (progress.status, progress.done_on) == ("done", day)
    progress = set_item_status(
        patient=patient, item=items["diary"], status="not_for_me"
    )
    assert (progress.status, progress.done_on) == ("not_for_me", None)
    assert ItemProgress.objects.count() == 1


def test_set_item_note_keeps_the_status(patient, items):
    set_item_status(patient=patient, item=items["diary"], status="done")
    progress = set_item_note(patient=patient, item=items["diary"], note=" Called. ")
    assert (progress.status, progress.note) == ("done", "Called.")


def test_choose_stage_then_back_to_the_suggestion(patient, als_stages):
    choose_stage(patient=patient, stage=als_stages[2])
    choose_stage(patient=patient, stage=als_stages[1])
    assert PatientStage.objects.get(patient=patient).stage == als_stages[1]
    choose_stage(patient=patient, stage=None)
    assert not PatientStage.objects.exists()


def test_chosen_stage_wins_over_the_suggestion(patient, als_stages, items):
    set_profile(patient, diagnosis_date=add_months(timezone.localdate(), -1))
    checklist = build_patient_checklist(patient)
    assert checklist.current_stage == als_stages[1]
    assert not checklist.stage_is_chosen
    choose_stage(patient=patient, stage=als_stages[2])
    checklist = build_patient_checklist(patient)
    assert checklist.current_stage == als_stages[2]
    assert checklist.suggested_stage == als_stages[1]
    assert checklist.stage_is_chosen


def test_a_chosen_stage_of_another_disease_is_ignored(patient, als_stages, items, ms):
    from .factories import StageFactory

    PatientStage.objects.create(patient=patient, stage=StageFactory(disease=ms))
    checklist = build_patient_checklist(patient)
    assert checklist.disease.slug == "als"
    assert checklist.current_stage == als_stages[0]
    assert not checklist.stage_is_chosen


# Retired items ------------


def test_an_item_with_progress_cannot_be_deleted(patient, items):
    ItemProgressFactory(
        patient=patient,
        item=items["diary"],
        status="done",
        done_on=timezone.localdate(),
    )
    with pytest.raises(ProtectedError):
        items["diary"].delete()


def test_retired_items_keep_their_progress_but_leave_the_checklist(patient, items):
    progress = ItemProgressFactory(
        patient=patient, item=items["diary"], status="done", done_on=date(2027, 1, 2)
    )
    items["diary"].is_retired = True
    items["diary"].save()
    checklist = build_patient_checklist(patient, show_all=True)
    assert items["diary"] not in [row.item for row in checklist.rows]
    progress.refresh_from_db()
    assert progress.done_on == date(2027, 1, 2)
    # The change is in the item's history.
    events = items["diary"].events.order_by("pgh_id")
    assert [event.is_retired for event in events] == [False, True]
    # Someone who signs up later never sees it either.
    newcomer = UserFactory(role=User.Role.PATIENT)
    rows = build_patient_checklist(newcomer, show_all=True).rows
    assert items["diary"] not in [row.item for row in rows]


def test_an_item_moved_to_an_earlier_stage_keeps_its_progress(patient, items):
    """Steps are moved between stages, never deleted and re-added."""
    trials = items["trials"]
    ItemProgressFactory(patient=patient, item=trials, status="done", done_on=None)
    trials.stage = items["clinic"].stage
    trials.save()
    checklist = build_patient_checklist(patient)
    block, row = checklist.find(trials.pk)
    assert block.stage == items["clinic"].stage
    assert row.is_done


# The caseworker's read-only summary ------------


def test_summary_needs_a_consent_date(patient, items):
    assert progress_summary_for(patient, consent_given_at=None) is None
    assert progress_summary_for(patient, consent_given_at=timezone.now()) is not None


def test_summary_is_only_for_patients_with_a_profile(caseworker, items):
    now = timezone.now()
    assert progress_summary_for(None, consent_given_at=now) is None
    assert progress_summary_for(caseworker, consent_given_at=now) is None
    patient_without_profile = UserFactory(role=User.Role.PATIENT)
    assert progress_summary_for(patient_without_profile, consent_given_at=now) is None


def test_summary_has_statuses_and_dates_but_never_notes(patient, items):
    today = date(2027, 6, 15)
    set_profile(
        patient,
        onset_site="limb",
        family_history="no",
        diagnosis_date=date(2027, 1, 10),
    )
    ItemProgressFactory(
        patient=patient,
        item=items["clinic"],
        status="done",
        done_on=date(2027, 2, 1),
        note="Very private words",
    )
    summary = progress_summary_for(
        patient, consent_given_at=timezone.now(), today=today
    )
    assert summary.disease_name == items["clinic"].stage.disease.name
    assert summary.current_stage_title == "Just diagnosed"
    assert summary.consent_given_at is not None
    assert "Very private words" not in repr(summary)
    stage = next(s for s in summary.stages if s.title == "Just diagnosed")
    # The family-history-only item is hidden by "no".
    assert (stage.done_count, stage.total_count) == (1, 1)
    (clinic,) = stage.items
    assert (clinic.status, clinic.status_label, clinic.done_on) == (
        "done",
        "Done",
        date(2027, 2, 1),
    )
    titles = [item.title for s in summary.stages for item in s.items]
    assert items["voice"].title in titles  # for every onset site
    assert [item.title for item in summary.coming_up] == [items["trials"].title]


def test_summary_query_count_is_flat(patient, items, django_assert_num_queries):
    now = timezone.now()
    # profile, chosen stage, stages, items, service types, sources, progress
    with django_assert_num_queries(7):
        progress_summary_for(patient, consent_given_at=now)
    for _ in range(5):
        item = ChecklistItemFactory(stage=items["clinic"].stage)
        ItemProgressFactory(patient=patient, item=item, status="not_for_me")
        ChecklistItemReferenceFactory(item=item, order=1)
    with django_assert_num_queries(7):
        summary = progress_summary_for(patient, consent_given_at=now)
    assert sum(stage.not_for_me_count for stage in summary.stages) == 5


def test_summary_template_renders_read_only(patient, items):
    from django.template.loader import render_to_string

    ItemProgressFactory(patient=patient, item=items["diary"], note="secret note")
    summary = progress_summary_for(patient, consent_given_at=timezone.now())
    html = render_to_string(
        "checklists/includes/progress_summary.html",
        {"summary": summary},
    )
    assert items["diary"].title in html
    assert "secret note" not in html
    assert "<form" not in html
    html = render_to_string(
        "checklists/includes/progress_summary.html", {"summary": None}
    )
    assert "has not chosen to share" in html

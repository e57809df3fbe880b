"""The read-only summary of a patient's checklist progress that their caseworker
gets, once the patient has shared it: the same assembly as the patient's own page
(services.build_patient_checklist), without any private note."""

from dataclasses import dataclass
from datetime import date, datetime

from apps.accounts.models import PatientProfile, User

from . import personalise
from .services import ItemRow, build_patient_checklist


@dataclass(frozen=True)
class SharedItem:
    """One item of a shared summary: no private note, ever."""

    title: str
    status: str
    status_label: str
    done_on: date | None
    timing: personalise.Timing


@dataclass(frozen=True)
class SharedStage:
    title: str
    clinical_mapping: str
    is_current: bool
    done_count: int
    total_count: int
    not_for_me_count: int
    items: list[SharedItem]


@dataclass(frozen=True)
class ProgressSummary:
    disease_name: str
    current_stage_title: str
    stage_is_chosen: bool
    diagnosis_date: date | None
    consent_given_at: datetime | None
    stages: list[SharedStage]
    coming_up: list[SharedItem]


def _shared_item(row: ItemRow) -> SharedItem:
    return SharedItem(
        title=row.item.title,
        status=row.status,
        status_label=row.status_label,
        done_on=row.done_on,
        timing=row.timing,
    )


def progress_summary_for(
    patient: User | None,
    *,
    consent_given_at: datetime | None,
    today: date | None = None,
) -> ProgressSummary | None:
    """A patient's checklist progress for their caseworker, or None.

    The caller (the referrals app) checks the consent: that the patient shares
    progress with the team of the client record the caseworker may see, since
    consent_given_at. This function checks that the account is a patient's with a
    profile. Private notes are never part of the summary. Fixed query count.
    """
    if patient is None or not patient.is_patient or consent_given_at is None:
        return None
    profile = PatientProfile.objects.filter(user=patient).first()
    if profile is None:
        return None
    checklist = build_patient_checklist(patient, today=today, profile=profile)
    stages = [
        SharedStage(
            title=block.stage.title,
            clinical_mapping=block.stage.clinical_mapping,
            is_current=block.is_current,
            done_count=block.done_count,
            total_count=block.total_count,
            not_for_me_count=block.not_for_me_count,
            items=[_shared_item(row) for row in block.rows],
        )
        for block in checklist.stages
    ]
    disease = checklist.disease
    return ProgressSummary(
        disease_name=disease.name if disease else "",
        current_stage_title=(
            checklist.current_stage.title if checklist.current_stage else ""
        ),
        stage_is_chosen=checklist.stage_is_chosen,
        diagnosis_date=profile.diagnosis_date,
        consent_given_at=consent_given_at,
        stages=stages,
        coming_up=[_shared_item(row) for row in checklist.coming_up],
    )

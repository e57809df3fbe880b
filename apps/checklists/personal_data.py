"""The checklist's part of a patient's data export (see apps.accounts.personal_data)."""

from apps.accounts.personal_data import Section, register

from .models import ItemProgress, PatientStage


def _progress(request) -> list[dict]:
    rows = (
        ItemProgress.objects.visible_to(request.user)
        .select_related("item__stage__disease")
        .order_by("item__stage__disease__order", "item__stage__order", "item__order")
    )
    return [
        {
            "step": row.item.title,
            "stage": str(row.item.stage),
            "status": row.get_status_display(),
            "done on": row.done_on,
            "private note": row.note,
            "last changed": row.updated_at,
        }
        for row in rows
    ]


def _chosen_stage(request) -> list[dict]:
    return [
        {"stage": str(choice.stage), "chosen": choice.chosen_at}
        for choice in PatientStage.objects.visible_to(request.user).select_related(
            "stage__disease"
        )
    ]


register(
    Section(
        key="checklist_progress",
        title="Your checklist progress and notes",
        collect=_progress,
        on_delete="Deleted, with your private notes.",
        order=30,
    )
)
register(
    Section(
        key="chosen_stage",
        title="The stage you chose",
        collect=_chosen_stage,
        on_delete="Deleted.",
        order=31,
    )
)

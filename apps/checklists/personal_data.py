"""The checklist's part of a patient's data export (see apps.accounts.personal_data)."""

from django.utils.translation import gettext_lazy, gettext_noop

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
            gettext_noop("step"): row.item.title,
            gettext_noop("stage"): str(row.item.stage),
            gettext_noop("status"): row.get_status_display(),
            gettext_noop("done on"): row.done_on,
            gettext_noop("private note"): row.note,
            gettext_noop("last changed"): row.updated_at,
        }
        for row in rows
    ]


def _chosen_stage(request) -> list[dict]:
    return [
        {
            gettext_noop("stage"): str(choice.stage),
            gettext_noop("chosen"): choice.chosen_at,
        }
        for choice in PatientStage.objects.visible_to(request.user).select_related(
            "stage__disease"
        )
    ]


register(
    Section(
        key="checklist_progress",
        title=gettext_lazy("Your checklist progress and notes"),
        collect=_progress,
        on_delete=gettext_lazy("Deleted, with your private notes."),
        order=30,
    )
)
register(
    Section(
        key="chosen_stage",
        title=gettext_lazy("The stage you chose"),
        collect=_chosen_stage,
        on_delete=gettext_lazy("Deleted."),
        order=31,
    )
)

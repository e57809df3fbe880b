"""Saved services, in a patient's data export (see apps.accounts.personal_data)."""

from django.utils.translation import gettext_lazy, gettext_noop

from apps.accounts.personal_data import Section, register

from .models import SavedService


def _saved(request) -> list[dict]:
    return [
        {
            gettext_noop("service"): saved.service.name,
            gettext_noop("organization"): saved.service.organization.name,
            gettext_noop("saved"): saved.saved_at,
        }
        for saved in SavedService.objects.visible_to(request.user).select_related(
            "service__organization"
        )
    ]


register(
    Section(
        key="saved_services",
        title=gettext_lazy("Your saved services"),
        collect=_saved,
        on_delete=gettext_lazy("Deleted."),
        order=40,
    )
)

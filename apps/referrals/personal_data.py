"""What casework shows a patient, in their data export (see
apps.accounts.personal_data). Read as the patient sees it: no internal notes, no
drafts, and every read of a client record or referral is logged."""

from django.utils.translation import gettext_lazy, gettext_noop

from apps.accounts.personal_data import Section, register

from .models import Client, Note, ProgressShare, Referral


def _records(request) -> list[dict]:
    return [
        {
            gettext_noop("caseworker"): str(client.caseworker),
            gettext_noop("team"): str(client.team),
            gettext_noop("agreed to share details with services"): (
                client.consents_to_share_with_services
            ),
            gettext_noop("agreement recorded"): client.consent_recorded_at,
        }
        for client in Client.objects.filter(patient=request.user)
        .logged(request)
        .select_related("caseworker", "team")
        .order_by("pk")
    ]


def _referrals(request) -> list[dict]:
    return [
        {
            gettext_noop("service"): referral.service.name,
            gettext_noop("organization"): referral.service.organization.name,
            gettext_noop("status"): referral.get_status_display(),
            gettext_noop("reason"): referral.reason,
            gettext_noop("follow-up date"): referral.follow_up_on,
            gettext_noop("created"): referral.created_at,
            gettext_noop("last changed"): referral.updated_at,
        }
        for referral in Referral.objects.visible_to(request.user)
        .logged(request)
        .select_related("service__organization")
        .order_by("-created_at", "-pk")
    ]


def _notes(request) -> list[dict]:
    return [
        {
            gettext_noop("from"): str(note.author),
            gettext_noop("written"): note.created_at,
            gettext_noop("note"): note.text,
        }
        for note in Note.objects.visible_to(request.user)
        .select_related("author")
        .order_by("-created_at", "-pk")
    ]


def _consents(request) -> list[dict]:
    return [
        {
            gettext_noop("shared checklist progress with"): str(share.team),
            gettext_noop("caseworker"): str(share.caseworker),
            gettext_noop("given"): share.granted_at,
            gettext_noop("stopped"): share.revoked_at,
        }
        for share in ProgressShare.objects.visible_to(request.user).select_related(
            "team", "caseworker"
        )
    ]


KEPT = gettext_lazy(
    "Kept by the caseworker's team: they belong to its records. Deleting your "
    "account unlinks them from it; ask your caseworker if you want them removed."
)

register(
    Section(
        key="caseworker_records",
        title=gettext_lazy("Caseworker records linked to you"),
        collect=_records,
        on_delete=KEPT,
        is_deleted=False,
        order=50,
    )
)
register(
    Section(
        key="referrals",
        title=gettext_lazy("Your referrals"),
        collect=_referrals,
        on_delete=KEPT,
        is_deleted=False,
        order=51,
    )
)
register(
    Section(
        key="shared_notes",
        title=gettext_lazy("Notes your caseworker shared with you"),
        collect=_notes,
        on_delete=KEPT,
        is_deleted=False,
        order=52,
    )
)
register(
    Section(
        key="consents",
        title=gettext_lazy("Sharing and consent"),
        collect=_consents,
        on_delete=gettext_lazy("Deleted: no team can see your checklist any more."),
        order=53,
    )
)

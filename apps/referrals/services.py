"""Writes that touch several records or leave the process (e-mail).

E-mails carry no client details: only what the reader needs to follow a link.
They are queued in the same transaction as the change (apps/core/mail.py), so a
refused change sends nothing and a saved one is never lost.
"""

import contextlib
from collections.abc import Callable, Sequence
from typing import TypeVar
from uuid import UUID

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.db.models import F, Model, QuerySet
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.languages import supported
from apps.core.mail import (
    absolute_url,
    queue_mail,
    render_mail,
    written_for,
    written_in,
)

from .models import (
    Client,
    ClientInvitation,
    Note,
    ProgressShare,
    Referral,
    ReferralEvent,
)
from .status_sql import AlsoWritten, Changed
from .tokens import make_invitation_token, make_respond_token

T = TypeVar("T", bound=Model)

# What a receiving service may answer through its link, and the status each means.
SERVICE_ACTIONS = {
    "accept": Referral.Status.ACCEPTED,
    "schedule": Referral.Status.SCHEDULED,
    "decline": Referral.Status.DECLINED,
    "complete": Referral.Status.COMPLETED,
}


def _send(template: str, *, to: str, context: dict) -> None:
    subject, body = render_mail(f"referrals/email/{template}", context)
    queue_mail(subject=subject, body=body, to=[to])


def _email_service_link(referral: Referral) -> None:
    """Mail the service's referral contact a fresh link to answer."""
    service = referral.service
    if not service.referral_email:
        return
    # A service has no account to say its language: the site's.
    with written_in(settings.LANGUAGE_CODE):
        url = absolute_url(
            reverse("referrals:respond", args=[make_respond_token(referral)])
        )
        context = {
            "service_name": service.name,
            "urgency": referral.get_urgency_display(),
            "is_routine": referral.urgency == Referral.Urgency.ROUTINE,
            "url": url,
            "max_age_days": settings.REFERRAL_LINK_MAX_AGE_DAYS,
        }
        _send("service_link", to=service.referral_email, context=context)


def _issue_new_link(referral: Referral) -> None:
    """Retire every link issued before and date the new one."""
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(
        link_issued_at=now, token_generation=F("token_generation") + 1
    )
    referral.refresh_from_db(fields=["token_generation", "link_issued_at"])


def _note_event(referral: Referral, *, by: User | None, label: str = "", note: str):
    """An event that records something done without a change of status."""
    return ReferralEvent.objects.create(
        referral=referral,
        actor=by,
        actor_label=label,
        from_status=referral.status,
        to_status=referral.status,
        note=note,
    )


def _outbox(sending: bool):
    """Sending mails the service in the change's own transaction (the outbox);
    any other change is one statement, atomic by itself, and needs none."""
    return transaction.atomic() if sending else contextlib.nullcontext()


def change_referral_status(
    *,
    referral: Referral,
    to: str,
    by: User,
    expected_version: int,
    note: str = "",
    appointment_at=None,
    decline_reason: str = "",
    also: Sequence[AlsoWritten] = (),
) -> ReferralEvent:
    """A caseworker moves a referral on; sending it mails the service its link.

    The change is one statement (Referral.change_status()), with ``also`` in it:
    a transaction is only opened when the mail joins it.
    """
    sending = to == Referral.Status.SENT
    with _outbox(sending):
        event = referral.change_status(
            to,
            by=by,
            note=note,
            expected_version=expected_version,
            appointment_at=appointment_at,
            decline_reason=decline_reason,
            also=also,
        )
        if sending:
            # change_status() issued the link (link_issued_at) in its own UPDATE.
            _email_service_link(referral)
    return event


def change_visible_referral_status(
    queryset: QuerySet[Referral],
    pk: int,
    *,
    to: str,
    by: User,
    expected_version: int,
    note: str = "",
    appointment_at=None,
    decline_reason: str = "",
) -> Changed | None:
    """change_referral_status() for referral ``pk`` of ``queryset`` (the referrals
    the person may see, logged), without reading it first: None when nothing was
    changed (not visible, changed meanwhile, or a change the table does not
    allow), for the caller to read it and say why."""
    sending = to == Referral.Status.SENT
    with _outbox(sending):
        changed = queryset.change_status(
            pk,
            to=to,
            by=by,
            expected_version=expected_version,
            note=note,
            appointment_at=appointment_at,
            decline_reason=decline_reason,
        )
        if changed is not None and sending:
            # The statement issued the link (link_issued_at) and returned what
            # the mail needs of the referral.
            _email_service_link(
                Referral(
                    pk=pk,
                    service_id=changed.service_id,
                    urgency=changed.urgency,
                    token_generation=changed.token_generation,
                )
            )
    return changed


@transaction.atomic
def respond_as_service(
    *,
    referral: Referral,
    action: str,
    expected_version: int,
    note: str = "",
    appointment_at=None,
    decline_reason: str = "",
) -> ReferralEvent:
    """The receiving service answers through its link; the caseworker is told."""
    event = referral.change_status(
        SERVICE_ACTIONS[action],
        by_label=referral.service.name,
        note=note,
        expected_version=expected_version,
        appointment_at=appointment_at,
        decline_reason=decline_reason,
    )
    caseworker = referral.client.caseworker
    with written_for(caseworker):
        context = {
            "referral_id": referral.pk,
            "service_name": referral.service.name,
            "status": Referral.Status(event.to_status).label,
            "url": absolute_url(referral.get_absolute_url()),
        }
        _send("service_answered", to=caseworker.email, context=context)
    return event


@transaction.atomic
def resend_link(*, referral: Referral, by: User) -> None:
    """Issue a new response link and mail it; links issued before stop working."""
    _issue_new_link(referral)
    _note_event(referral, by=by, note="A new response link was sent to the service.")
    _email_service_link(referral)


@transaction.atomic
def revoke_link(*, referral: Referral, by: User) -> None:
    """Stop every response link of this referral from working."""
    Referral.objects.filter(pk=referral.pk).update(
        token_generation=F("token_generation") + 1, link_issued_at=None
    )
    referral.refresh_from_db(fields=["token_generation", "link_issued_at"])
    _note_event(referral, by=by, note="The service's response link was revoked.")


@transaction.atomic
def create_referral(*, form, by: User) -> Referral:
    referral = form.save(commit=False)
    referral.created_by = by
    referral.status = Referral.Status.DRAFT
    referral.save()
    ReferralEvent.objects.create(
        referral=referral, actor=by, from_status="", to_status=referral.status
    )
    return referral


def create_once(
    queryset: QuerySet[T], submission_key: UUID | None, create: Callable[[], T]
) -> T:
    """The record `create()` makes; or, for a form submitted again with the same
    `submission_key`, the record the first submission made (looked up in
    `queryset`, so only among records the person may see).

    Two submissions racing each other meet at the unique constraint on
    submission_key: the loser gets the winner's record.
    """
    if submission_key is not None:
        earlier = queryset.filter(submission_key=submission_key).first()
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            return create()
    except IntegrityError as error:
        if submission_key is None:
            raise
        earlier = queryset.filter(submission_key=submission_key).first()
        if earlier is None:
            # The key belongs to a record this person may not see: a replayed form.
            raise SuspiciousOperation(
                "Submission key of another person's record"
            ) from error
        return earlier


def add_note(
    *,
    client: Client,
    by: User,
    text: str,
    is_internal: bool,
    referral=None,
    submission_key: UUID | None = None,
) -> Note:
    return create_once(
        Note.objects.filter(client=client, author=by),
        submission_key,
        lambda: Note.objects.create(
            client=client,
            referral=referral,
            author=by,
            text=text,
            is_internal=is_internal,
            submission_key=submission_key,
        ),
    )


@transaction.atomic
def reassign_client(*, client: Client, caseworker: User) -> Client:
    """Hand a client to another caseworker of the same team."""
    if caseworker.role != User.Role.CASEWORKER or caseworker.team_id != client.team_id:
        raise ValueError("A client can only move to a caseworker of the same team.")
    client.caseworker = caseworker
    client.save(update_fields=["caseworker", "updated_at"])
    return client


@transaction.atomic
def invite_client(*, client: Client, email: str, by: User) -> ClientInvitation:
    """Invite the client to link this record to their own CareNav account.

    Any earlier invitation still open stops working.
    """
    now = timezone.now()
    client.invitations.pending().update(revoked_at=now)
    invitation = ClientInvitation.objects.create(
        client=client, email=email, invited_by=by
    )
    # Not a user yet: written in the client's preferred language if the site has it.
    language = supported(client.preferred_language) or settings.LANGUAGE_CODE
    with written_in(language):
        context = {
            "caseworker_name": by.full_name or "Your caseworker",
            "url": absolute_url(
                reverse(
                    "referrals:invitation_accept",
                    args=[make_invitation_token(invitation)],
                )
            ),
            "max_age_days": settings.CLIENT_INVITATION_MAX_AGE_DAYS,
        }
        _send("invitation", to=email, context=context)
    return invitation


@transaction.atomic
def withdraw_invitations(*, client: Client) -> int:
    return client.invitations.pending().update(revoked_at=timezone.now())


@transaction.atomic
def accept_invitation(
    *, invitation: ClientInvitation, patient: User, share_progress: bool = False
) -> Client:
    """The patient agrees: only now is the client record linked to the account.

    With share_progress, the patient also lets the inviting record's caseworker
    and their team see their checklist progress.
    """
    now = timezone.now()
    updated = (
        ClientInvitation.objects.pending()
        .filter(pk=invitation.pk)
        .update(accepted_at=now, accepted_by=patient)
    )
    if not updated:
        raise ValueError("This invitation is no longer open.")
    Client.objects.filter(pk=invitation.client_id).update(patient=patient)
    client = invitation.client
    client.patient = patient
    if share_progress:
        share_progress_with(client=client, patient=patient)
    return client


@transaction.atomic
def unlink_patient(*, client: Client) -> None:
    """Undo the link; consent given through it ends with it."""
    Client.objects.filter(pk=client.pk).update(patient=None)
    client.progress_shares.active().update(revoked_at=timezone.now())
    client.patient = None


@transaction.atomic
def share_progress_with(*, client: Client, patient: User) -> ProgressShare:
    """The patient lets the caseworker of this linked record, and their team, see
    their checklist progress. Sharing again while shared changes nothing."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.patient_id != patient.pk:
        raise ValueError("Only the linked patient can share their progress.")
    current = client.progress_shares.active().first()
    if current is not None and current.team_id == client.team_id:
        return current
    if current is not None:
        stop_sharing_progress(share=current)
    return ProgressShare.objects.create(
        client=client,
        patient=patient,
        caseworker_id=client.caseworker_id,
        team_id=client.team_id,
    )


@transaction.atomic
def stop_sharing_progress(*, share: ProgressShare) -> None:
    ProgressShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    share.refresh_from_db(fields=["revoked_at"])

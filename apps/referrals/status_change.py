"""A referral's status change, made from the referral as read
(Referral.change_status()) or from the referrals a person may see, without a read
before it (ReferralQuerySet.change_status()): one statement either way
(status_sql.py)."""

import functools
from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet
from django.utils import timezone

from apps.accounts.models import User

from . import status_sql
from .models import (
    REFERRAL_TRANSITIONS,
    DeclineReason,
    Referral,
    ReferralEvent,
    ReferralQuerySet,
    StaleReferral,
    TransitionNotAllowed,
)

Status = Referral.Status


@functools.cache
def reached_from(to: str) -> tuple[str, ...]:
    """The statuses from which ``to`` may be reached."""
    return tuple(
        status for status, following in REFERRAL_TRANSITIONS.items() if to in following
    )


def _planned(
    to: Status,
    *,
    version: int,
    by: User | None,
    by_label: str,
    note: str,
    appointment_at,
    decline_reason: str,
) -> tuple[dict, dict]:
    """The referral's columns the change sets and its event's values (but the
    status it changes from)."""
    if to == Status.SCHEDULED and appointment_at is None:
        raise ValueError("Scheduling needs the appointment's date and time.")
    if decline_reason and to != Status.DECLINED:
        raise ValueError("Only a decline has a decline reason.")
    now = timezone.now()
    changes = {"status": to, "version": version + 1, "updated_at": now}
    if to == Status.SENT:
        changes["sent_at"] = now
        changes["link_issued_at"] = now
    if to == Status.SCHEDULED:
        changes["appointment_at"] = appointment_at
    event = {
        "actor_id": by.pk if by is not None else None,
        "actor_label": by_label[:150],
        "to_status": to,
        "note": note,
        "decline_reason": DeclineReason(decline_reason) if decline_reason else "",
        "at": now,
    }
    return changes, event


def change_read(
    referral: Referral,
    to: str,
    *,
    by: User | None = None,
    by_label: str = "",
    note: str = "",
    expected_version: int | None = None,
    appointment_at=None,
    decline_reason: str = "",
    also: Sequence[status_sql.AlsoWritten] = (),
) -> ReferralEvent:
    """Referral.change_status(): the referral was read, so a change the table
    does not allow is refused before any SQL, and the statement only changes it
    while its status is the one read."""
    to = Status(to)
    seen_version = referral.version if expected_version is None else expected_version
    if not referral.can_change_to(to):
        if seen_version != referral.version:
            raise StaleReferral(referral)
        raise TransitionNotAllowed(
            f"A referral cannot go from {referral.status} to {to}."
        )
    changes, event = _planned(
        to,
        version=seen_version,
        by=by,
        by_label=by_label,
        note=note,
        appointment_at=appointment_at,
        decline_reason=decline_reason,
    )
    changed = status_sql.run_change(
        referral_table=Referral._meta.db_table,
        event_table=ReferralEvent._meta.db_table,
        pk=referral.pk,
        version=seen_version,
        from_statuses=(referral.status,),
        changes=changes,
        event=event,
        also=also,
    )
    if changed is None:
        raise StaleReferral(Referral.objects.get(pk=referral.pk))
    for field, value in changes.items():
        setattr(referral, field, value)
    written = ReferralEvent(
        pk=changed.event_id,
        referral_id=referral.pk,
        actor=by,
        from_status=changed.from_status,
        **{name: value for name, value in event.items() if name != "actor_id"},
    )
    written._state.adding = False
    return written


def change_visible(
    queryset: ReferralQuerySet,
    pk: int,
    *,
    to: str,
    by: User,
    expected_version: int,
    note: str = "",
    appointment_at=None,
    decline_reason: str = "",
) -> status_sql.Changed | None:
    """ReferralQuerySet.change_status(): change referral ``pk`` if ``queryset``
    holds it, its version is ``expected_version`` and its status may become
    ``to``, with no read before: the statement checks all of it. Fetching the
    referral through ``queryset`` would be logged (logged()): so is the change,
    by the statement. None when nothing was changed, for the caller to find out
    why by reading the referral."""
    to = Status(to)
    from_statuses = reached_from(to)
    if not from_statuses:
        return None
    try:
        # The queryset's own rule, compiled by the ORM: visible_to() stays the
        # one place that says who may see a referral. The statement's "id = pk"
        # reaches into it (the planner looks the one referral up by its key), so
        # the ids need no filter of their own.
        visible = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return None
    log = queryset.changed_log_insert(pk, status_sql.CHANGED)
    changes, event = _planned(
        to,
        version=expected_version,
        by=by,
        by_label="",
        note=note,
        appointment_at=appointment_at,
        decline_reason=decline_reason,
    )
    return status_sql.run_change(
        referral_table=Referral._meta.db_table,
        event_table=ReferralEvent._meta.db_table,
        pk=pk,
        version=expected_version,
        from_statuses=from_statuses,
        changes=changes,
        event=event,
        visible=visible,
        also=[status_sql.AlsoWritten(*log)] if log else (),
    )

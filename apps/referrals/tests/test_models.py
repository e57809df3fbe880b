import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from apps.referrals.models import (
    CLOSED_STATUSES,
    REFERRAL_TRANSITIONS,
    Referral,
    ReferralEvent,
    StaleReferral,
    TransitionNotAllowed,
)
from apps.referrals.tests.factories import ReferralFactory

Status = Referral.Status
ALL_PAIRS = [(a, b) for a in Status.values for b in Status.values if a != b]
ALLOWED = {(a, b) for a, following in REFERRAL_TRANSITIONS.items() for b in following}


def test_the_table_names_every_status_and_nothing_else():
    assert set(REFERRAL_TRANSITIONS) == set(Status.values)
    for following in REFERRAL_TRANSITIONS.values():
        assert set(following) <= set(Status.values)
    assert set(CLOSED_STATUSES) == {
        "completed",
        "declined",
        "cancelled",
        "no_response",
    }


@pytest.mark.django_db
def test_change_status_writes_an_event_and_bumps_the_version(caseworker):
    referral = ReferralFactory(client__caseworker=caseworker)
    event = referral.change_status(Status.SENT, by=caseworker, note="Sent today")
    referral.refresh_from_db()
    assert referral.status == Status.SENT
    assert referral.version == 2
    assert referral.sent_at is not None
    assert (event.from_status, event.to_status, event.actor) == (
        "draft",
        "sent",
        caseworker,
    )
    assert event.note == "Sent today"


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), sorted(set(ALL_PAIRS) - ALLOWED))
def test_forbidden_transitions_are_refused_in_python(old, new):
    referral = ReferralFactory(status=old)
    with pytest.raises(TransitionNotAllowed):
        referral.change_status(new, appointment_at=timezone.now())
    referral.refresh_from_db()
    assert referral.status == old
    assert not ReferralEvent.objects.filter(referral=referral).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), sorted(set(ALL_PAIRS) - ALLOWED))
def test_forbidden_transitions_are_refused_by_the_database(old, new):
    referral = ReferralFactory(status=old)
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE referrals_referral SET status = %s WHERE id = %s",
                [new, referral.pk],
            )
    referral.refresh_from_db()
    assert referral.status == old


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), sorted(ALLOWED))
def test_allowed_transitions_pass_the_database(old, new):
    referral = ReferralFactory(status=old)
    Referral.objects.filter(pk=referral.pk).update(status=new)
    referral.refresh_from_db()
    assert referral.status == new


@pytest.mark.django_db
def test_a_stale_version_is_refused_and_nothing_is_overwritten(caseworker):
    referral = ReferralFactory(client__caseworker=caseworker)
    first_view = Referral.objects.get(pk=referral.pk)
    second_view = Referral.objects.get(pk=referral.pk)
    first_view.change_status(Status.SENT, by=caseworker, expected_version=1)
    with pytest.raises(StaleReferral) as raised:
        second_view.change_status(Status.CANCELLED, by=caseworker, expected_version=1)
    assert raised.value.current.status == Status.SENT
    assert raised.value.current.version == 2
    referral.refresh_from_db()
    assert referral.status == Status.SENT
    assert list(referral.events.values_list("to_status", flat=True)) == ["sent"]


@pytest.mark.django_db
def test_scheduling_needs_a_date():
    referral = ReferralFactory(status=Status.ACCEPTED)
    with pytest.raises(ValueError):
        referral.change_status(Status.SCHEDULED)
    when = timezone.now()
    referral.change_status(Status.SCHEDULED, appointment_at=when)
    referral.refresh_from_db()
    assert referral.appointment_at == when


@pytest.mark.django_db
def test_events_cannot_be_changed_or_deleted_in_the_database():
    referral = ReferralFactory()
    event = referral.change_status(Status.SENT)
    with pytest.raises(DatabaseError), transaction.atomic():
        ReferralEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM referrals_referralevent WHERE id = %s", [event.pk]
            )
    assert ReferralEvent.objects.get(pk=event.pk).note == ""

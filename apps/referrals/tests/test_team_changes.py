"""The database counts every write to a team's casework records against the team,
whatever makes it, and never gets in the way of a write."""

import importlib

import pytest
from django.db import connection
from django.utils import timezone

from apps.accounts.models import PatientProfile, Team
from apps.accounts.tests.factories import UserFactory
from apps.referrals.models import (
    Client,
    ClientInvitation,
    FeedMark,
    Note,
    ProgressShare,
    Referral,
    ReferralEvent,
)
from apps.referrals.team_changes import changes_of, install_sql, remove_sql
from apps.referrals.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _counted(team, write) -> int:
    before = changes_of(team.pk)
    write()
    return changes_of(team.pk) - before


def test_every_kind_of_write_is_counted_against_its_team(
    team, other_team, caseworker, patient, client_record, referral
):
    other_before = changes_of(other_team.pk)
    writes = {
        "client": lambda: Client.objects.filter(pk=client_record.pk).update(
            phone="617-555-0199"
        ),
        "referral": lambda: Referral.objects.filter(pk=referral.pk).update(
            urgency="soon"
        ),
        "event": lambda: ReferralEvent.objects.create(
            referral=referral, from_status="sent", to_status="sent", note="Called."
        ),
        "note": lambda: Note.objects.create(
            client=client_record, author=caseworker, text="Hello"
        ),
        "invitation": lambda: ClientInvitation.objects.create(
            client=client_record, email="someone@example.org", invited_by=caseworker
        ),
        "progress share": lambda: ProgressShare.objects.filter(
            client=client_record
        ).update(revoked_at=timezone.now()),
        "feed mark": lambda: FeedMark.objects.create(
            user=caseworker, seen_at=timezone.now()
        ),
        "staff account": lambda: UserFactory(team=team),
        "linked patient's profile": lambda: PatientProfile.objects.update_or_create(
            user=patient, defaults={"zip_code": "02114"}
        ),
    }
    ProgressShare.objects.create(
        client=client_record, patient=patient, caseworker=caseworker, team=team
    )
    for name, write in writes.items():
        assert _counted(team, write) >= 1, name
    assert changes_of(other_team.pk) == other_before


def test_a_client_moving_team_counts_for_both(team, other_team, client_record):
    before = (changes_of(team.pk), changes_of(other_team.pk))
    Client.objects.filter(pk=client_record.pk).update(team=other_team)
    assert changes_of(team.pk) > before[0]
    assert changes_of(other_team.pk) > before[1]


def test_a_team_can_still_be_deleted_after_its_writes_were_counted(db):
    # Checked at once, as at the end of a real transaction.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    team = Team.objects.create(name="Short-lived team")
    worker = UserFactory(team=team, role="caseworker")
    ClientFactory(caseworker=worker).delete()
    worker.team = None
    worker.save()
    assert changes_of(team.pk) > 0
    team.delete()
    assert not Team.objects.filter(pk=team.pk).exists()


def test_the_migration_installs_what_the_module_describes():
    migration = importlib.import_module("apps.referrals.migrations.0008_team_changes")
    assert migration.INSTALL.strip() == install_sql().strip()
    assert migration.REMOVE.strip() == remove_sql().strip()

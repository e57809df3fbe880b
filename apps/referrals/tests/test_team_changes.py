"""The database counts every write to a team's casework records against the team,
whatever makes it, and never gets in the way of a write."""

import importlib

import psycopg
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
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
from apps.referrals.team_changes import (
    SHARDS,
    changes_of,
    function_sql,
    remove_sql,
    triggers_sql,
)
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


def test_the_migrations_install_what_the_module_describes():
    migrations = "apps.referrals.migrations."
    triggers = importlib.import_module(migrations + "0008_team_changes")
    shards = importlib.import_module(migrations + "0009_team_change_shards")
    assert triggers.INSTALL.strip().endswith(triggers_sql().strip())
    assert triggers.REMOVE.strip() == remove_sql().strip()
    assert shards.FUNCTION.strip() == function_sql().strip()
    assert f"% {SHARDS})" in shards.FUNCTION


def _connect():
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
    )


def _shard(conn) -> int:
    return conn.execute(f"SELECT txid_current() % {SHARDS}").fetchone()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writers_of_one_team_do_not_wait_for_each_others_commit(caseworker):
    """Each transaction holds its count's row until it commits: with one row per
    team, the second writer below would wait for the first one's COMMIT."""
    first_client, second_client = ClientFactory.create_batch(2, caseworker=caseworker)
    team_id = caseworker.team_id
    before = changes_of(team_id)
    change = "UPDATE referrals_client SET phone = '617-555-0100' WHERE id = %s"
    with _connect() as first, _connect() as second:
        first_shard = _shard(first)
        first.execute(change, [first_client.pk])
        # Nearby transaction ids name different rows; so does this one (a new
        # transaction, with a new id, in the rare case that it names the same).
        while _shard(second) == first_shard:
            second.rollback()
        second.execute("SET LOCAL lock_timeout = '2s'")
        second.execute(change, [second_client.pk])
        second.commit()
        assert changes_of(team_id) == before + 1
        first.commit()
    # Both counted: the team's count is the sum of its rows.
    assert changes_of(team_id) == before + 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_counts_go_on_across_the_move_to_shards(team):
    """A count that started again could come back to a value pages are kept
    under: the migration carries each team's count over, and back."""
    executor = MigrationExecutor(connection)
    one_row = [("referrals", "0008_team_changes")]
    shards = [("referrals", "0009_team_change_shards")]
    executor.migrate(one_row)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO referrals_teamchanges (team_id, changes) VALUES (%s, 40)",
                [team.pk],
            )
        executor.loader.build_graph()
        executor.migrate(shards)
        assert changes_of(team.pk) == 40
        UserFactory(team=team)
        counted = changes_of(team.pk)
        assert counted > 40
        executor.loader.build_graph()
        executor.migrate(one_row)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT changes FROM referrals_teamchanges WHERE team_id = %s",
                [team.pk],
            )
            assert cursor.fetchone()[0] == counted
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

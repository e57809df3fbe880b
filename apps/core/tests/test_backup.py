import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from psycopg import sql

from apps.accounts.tests.factories import UserFactory
from apps.core.models import AccessLog


def _connect(dbname):
    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=dbname,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


def _row_counts(dbname):
    with _connect(dbname) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "ORDER BY tablename"
            )
        ]
        return {
            table: connection.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


@pytest.fixture
def scratch_database():
    name = settings.DATABASES["default"]["NAME"] + "_restore"
    with _connect("postgres") as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with _connect("postgres") as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restored_database_has_the_same_rows(tmp_path, scratch_database):
    UserFactory.create_batch(3)
    AccessLog.objects.create(action="view", record_type="x", record_id="1")
    dump = tmp_path / "carenav.dump"
    call_command("backup_db", str(dump))
    assert dump.stat().st_size > 0

    call_command("restore_db", str(dump), "--database-name", scratch_database, "--yes")
    original = _row_counts(settings.DATABASES["default"]["NAME"])
    restored = _row_counts(scratch_database)
    assert restored == original
    assert restored["accounts_user"] == 3


def test_restore_refuses_without_confirmation_or_file(tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore_db", str(tmp_path / "missing.dump"), "--yes")
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"not a dump")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore_db", str(dump))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_of_a_broken_file_changes_nothing(tmp_path, scratch_database):
    dump = tmp_path / "broken.dump"
    dump.write_bytes(b"PGDMP garbage")
    with pytest.raises(CommandError, match="pg_restore failed"):
        call_command(
            "restore_db", str(dump), "--database-name", scratch_database, "--yes"
        )

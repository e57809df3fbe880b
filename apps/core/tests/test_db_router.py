"""The read-replica router: directory search reads go to the replica, nothing else.

The integration test points a `replica` alias at the test database itself (as
DATABASE_REPLICA_URL set to DATABASE_URL would), so it sees the same rows.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import User
from apps.directory.models import SavedService, Service, TaxonomyTerm
from apps.directory.search import refresh_search_index
from apps.directory.tests.factories import ServiceFactory
from carenav import db_router
from carenav.db_router import REPLICA, ReplicaRouter, replica_reads

ROUTER = "carenav.db_router.ReplicaRouter"
MIDDLEWARE = "carenav.db_router.ReplicaReadsMiddleware"


@pytest.fixture
def replica_configured(monkeypatch):
    monkeypatch.setattr(db_router, "_replica_configured", lambda: True)


def test_reads_stay_on_the_primary_outside_search(replica_configured):
    assert ReplicaRouter().db_for_read(Service) is None


def test_public_directory_reads_go_to_the_replica_during_search(replica_configured):
    with replica_reads():
        assert ReplicaRouter().db_for_read(Service) == REPLICA
        assert ReplicaRouter().db_for_read(TaxonomyTerm) == REPLICA
    assert ReplicaRouter().db_for_read(Service) is None


def test_own_rows_and_other_apps_stay_on_the_primary(replica_configured):
    with replica_reads():
        assert ReplicaRouter().db_for_read(SavedService) is None
        assert ReplicaRouter().db_for_read(User) is None


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary(replica_configured):
    with replica_reads(), transaction.atomic():
        assert ReplicaRouter().db_for_read(Service) is None


def test_nothing_goes_to_a_replica_that_is_not_configured():
    assert REPLICA not in connections.settings
    with replica_reads():
        assert ReplicaRouter().db_for_read(Service) is None


def test_writes_and_migrations_only_on_the_primary():
    router = ReplicaRouter()
    assert router.db_for_write(Service) == "default"
    assert router.allow_migrate("default", "directory") is True
    assert router.allow_migrate(REPLICA, "directory") is False


@pytest.fixture
def replica_alias(settings, monkeypatch):
    """A `replica` connection to the test database, with the router and middleware
    installed as settings do for DATABASE_REPLICA_URL. It is registered as a
    connection only (not in DATABASES), which the test's database guard allows."""
    default = connections["default"]
    replica = default.__class__(dict(default.settings_dict), alias=REPLICA)
    connections[REPLICA] = replica
    monkeypatch.setattr(db_router, "_replica_configured", lambda: True)
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    yield replica
    replica.close()
    replica.close_pool()
    del connections[REPLICA]


def test_settings_add_the_replica_router_and_middleware_for_a_replica_url():
    """DATABASE_REPLICA_URL adds the alias (a mirror of the primary in tests), the
    router and the middleware; checked in a fresh interpreter, as settings load
    once."""
    env = {
        **os.environ,
        "DATABASE_REPLICA_URL": "postgres://reader@replica.example:5432/carenav",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "r = s.DATABASES['replica']; "
        "print(r['HOST'], r['NAME'], r['TEST']['MIRROR'], s.DATABASE_ROUTERS[0], "
        "s.MIDDLEWARE[-1], 'statement_timeout' in r['OPTIONS']['options'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings_dir(),
    )
    assert result.stdout.split() == [
        "replica.example",
        "carenav",
        "default",
        ROUTER,
        MIDDLEWARE,
        "True",
    ]


def settings_dir() -> str:
    return str(Path(__file__).resolve().parents[3])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_directory_search_page_reads_from_the_replica(client, replica_alias):
    service = ServiceFactory(name="Riverside Speech Therapy")
    refresh_search_index([service.pk])
    with (
        CaptureQueriesContext(replica_alias) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(reverse("directory:service_list"), {"q": "speech"})
    assert response.status_code == 200
    assert "Riverside Speech Therapy" in response.content.decode()
    assert any("directory_service" in q["sql"] for q in on_replica.captured_queries)
    assert not any("directory_service" in q["sql"] for q in on_primary.captured_queries)
    # The switch is off again once the response is done.
    assert ReplicaRouter().db_for_read(Service) is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_other_pages_read_from_the_primary(client, replica_alias):
    service = ServiceFactory(name="Riverside Speech Therapy")
    with CaptureQueriesContext(replica_alias) as on_replica:
        response = client.get(reverse("directory:service_detail", args=[service.pk]))
    assert response.status_code == 200
    assert on_replica.captured_queries == []

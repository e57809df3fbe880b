"""Database connections: none kept by the development server, a pool in production.

Settings load once per interpreter, so each case runs in a fresh one.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

PRINT_DATABASE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "d = s.DATABASES['default']; "
    "print(json.dumps([d['CONN_MAX_AGE'], d['OPTIONS'].get('pool')]))"
)


def database_settings(**env) -> tuple[int, dict | None]:
    result = subprocess.run(
        [sys.executable, "-c", PRINT_DATABASE],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    conn_max_age, pool = json.loads(result.stdout)
    return conn_max_age, pool


def test_the_development_server_keeps_no_connection_open():
    assert database_settings(DJANGO_DEBUG="1", DJANGO_CONN_MAX_AGE="60") == (0, None)


def test_production_uses_a_sized_connection_pool():
    conn_max_age, pool = database_settings(
        DJANGO_DEBUG="0", DJANGO_DB_POOL_MAX_SIZE="6", DJANGO_DB_POOL_TIMEOUT="5"
    )
    # Django refuses a pool together with persistent connections.
    assert conn_max_age == 0
    assert pool == {"min_size": 1, "max_size": 6, "timeout": 5}


def test_without_the_pool_production_keeps_persistent_connections():
    assert database_settings(DJANGO_DEBUG="0", DJANGO_DB_POOL="0") == (60, None)


@pytest.mark.django_db
def test_queries_run_through_the_pool():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.pool is not None
    assert connection.pool.max_size == 4


@pytest.mark.django_db
def test_connections_price_random_reads_as_in_memory_data():
    # At PostgreSQL's default (4) the planner builds a bitmap of every service of a
    # broad type rather than recheck a few hundred rows.
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == ("1.1",)

"""Statements that pages run again and again, kept planned by PostgreSQL.

Django binds parameters in the client (psycopg's ClientCursor), so PostgreSQL
parses and plans every statement it receives anew. For some fixed statements that
costs more than running them: the search cards' query took 2.1 ms to plan and
1.2 ms to run at 100,000 services. A statement run through ``prepared_cursor()``
is bound on the server instead; psycopg then prepares it on the connection once it
has run a few times (``prepare_threshold``), and PostgreSQL reuses the plan. The
connection pool keeps connections open, so the plans last.

For statements whose best plan does not depend on the values (lookups by key or
by a fixed index): PostgreSQL may settle on one generic plan for a prepared
statement. pghistory adds its context to the writes of a request as a second
statement in the same text, which a prepared statement cannot hold: so SELECTs,
and writes run inside ``without_history_context()``, which may only hold
statements that write no table pghistory tracks (their callers' tests check
it). Queries go through Django's cursor wrapper, so they are counted and logged
like any other.
"""

from contextlib import contextmanager

import psycopg
from django.db import connections
from django.db.backends.utils import CursorDebugWrapper
from pghistory.runtime import _inject_history_context


class _LoggedPreparedCursor(CursorDebugWrapper):
    """Logs the statement as written (Django asks psycopg for the text it sent,
    which a prepared execution does not keep)."""

    @contextmanager
    def debug_sql(
        self, sql=None, params=None, use_last_executed_query=False, many=False
    ):
        with super().debug_sql(sql, params, use_last_executed_query=False, many=many):
            yield


def prepared_cursor(using: str = "default"):
    """A cursor for fixed statements, bound on the server (see above)."""
    connection = connections[using]
    connection.ensure_connection()
    connection.validate_thread_sharing()
    server_bound = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        return _LoggedPreparedCursor(server_bound, connection)
    return connection.make_cursor(server_bound)


@contextmanager
def without_history_context(using: str = "default"):
    """Run statements without pghistory's context in front of them, for writes of
    tables it does not track: the context only labels the history rows its
    triggers write, and these statements make none. Kept out of the text, it
    leaves one statement that can be prepared."""
    connection = connections[using]
    wrappers = connection.execute_wrappers
    connection.execute_wrappers = [
        wrapper for wrapper in wrappers if wrapper is not _inject_history_context
    ]
    try:
        yield
    finally:
        connection.execute_wrappers = wrappers

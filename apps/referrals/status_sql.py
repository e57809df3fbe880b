"""A referral's status change as one SQL statement.

The statement locks the referral and checks it (its id, the version the person
saw, a status from which the new one may be reached and, for a caseworker's
change, that the person may see it), updates it, writes the timeline event and
any other rows the change brings (the access-log rows of the request). They are
parts of a single statement, and PostgreSQL runs a statement atomically by
itself: a change made outside a transaction needs no BEGIN and COMMIT, and the
common case needs no read before it. The statement's text is built once per
shape (columns set, other rows, visibility rule).

Under READ COMMITTED, FOR UPDATE waits for a concurrent change of the row and
checks the conditions again against the row it committed: a referral changed
meanwhile makes the statement return no row, and nothing is written.
"""

import functools
from collections.abc import Sequence
from typing import NamedTuple

from django.db import connection

from apps.core.prepared import prepared_cursor, without_history_context

# The event's columns after its referral's id and before its from_status (read
# by the statement), in the order of their values.
EVENT = ("actor_id", "actor_label")
# ... and after its from_status.
EVENT_AFTER = ("to_status", "note", "decline_reason", "at")

# The referral's columns the statement returns besides the event's id and the
# status it changed from: the subject of its access-log rows and what mailing the
# service its link needs.
RETURNED = ("client_id", "service_id", "urgency", "token_generation")

# The condition under which the other INSERTs of the statement write their rows:
# the referral was changed (not changed meanwhile by someone else).
IF_CHANGED = "EXISTS (SELECT 1 FROM changed)"
# The statement's part that holds the changed referral, its id and RETURNED, for
# an INSERT that takes values from it.
CHANGED = "changed"


class AlsoWritten(NamedTuple):
    """An INSERT to make in the same statement, written with IF_CHANGED as its
    condition or taking its rows from CHANGED."""

    sql: str
    params: Sequence


class Changed(NamedTuple):
    """What the statement returns when it changed the referral."""

    event_id: int
    from_status: str
    client_id: int
    service_id: object
    urgency: str
    token_generation: int


@functools.cache
def change_sql(
    referral_table: str,
    event_table: str,
    columns: tuple[str, ...],
    also: tuple[str, ...],
    visible: str = "",
) -> str:
    """The statement: lock the referral whose id and version are given and whose
    status is one of a list, and whose id ``visible`` (a SELECT of ids) returns
    when given; set its ``columns``, add its event and run the ``also``
    INSERTs. It returns the event's id, the status changed from and RETURNED, or
    no row when no referral was changed."""
    quote = connection.ops.quote_name
    table = quote(referral_table)
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    event_columns = ", ".join(
        quote(column) for column in ("referral_id", *EVENT, "from_status", *EVENT_AFTER)
    )
    returned = ", ".join(f"referral.{quote(column)}" for column in RETURNED)
    visible = f" AND id IN ({visible})" if visible else ""
    # Only names from the models, the visibility rule compiled by the ORM and the
    # callers' fixed SQL are formatted in; values are parameters.
    parts = [
        f"target AS (SELECT id, status FROM {table} "  # nosec B608
        f"WHERE id = %s AND version = %s AND status = ANY(%s){visible} FOR UPDATE)",
        f"{CHANGED} AS (UPDATE {table} AS referral SET {assignments} "  # nosec B608
        "FROM target WHERE referral.id = target.id "
        f"RETURNING referral.id, target.status AS from_status, {returned})",
        f"event AS (INSERT INTO {quote(event_table)} ({event_columns}) "  # nosec B608
        f"SELECT id, {', '.join(['%s'] * len(EVENT))}, from_status, "
        f"{', '.join(['%s'] * len(EVENT_AFTER))} FROM {CHANGED} RETURNING id)",
        *(f"also_{index} AS ({sql})" for index, sql in enumerate(also)),
    ]
    fields = ", ".join(f"{CHANGED}.{quote(column)}" for column in RETURNED)
    result = f"SELECT event.id, {CHANGED}.from_status, {fields} FROM event, {CHANGED}"  # nosec B608
    return "WITH " + ", ".join(parts) + " " + result


def run_change(
    *,
    referral_table: str,
    event_table: str,
    pk: int,
    version: int,
    from_statuses: Sequence[str],
    changes: dict,
    event: dict,
    visible: tuple[str, Sequence] = ("", ()),
    also: Sequence[AlsoWritten] = (),
) -> Changed | None:
    """Run the statement (change_sql()): ``event`` holds the values of EVENT and
    EVENT_AFTER, ``visible`` the SELECT of the ids the person may see and its
    parameters."""
    visible_sql, visible_params = visible
    sql = change_sql(
        referral_table,
        event_table,
        tuple(changes),
        tuple(written.sql for written in also),
        visible_sql,
    )
    params = [
        pk,
        version,
        list(from_statuses),
        *visible_params,
        *changes.values(),
        *(event[column] for column in EVENT),
        *(event[column] for column in EVENT_AFTER),
    ]
    for written in also:
        params.extend(written.params)
    # Prepared after a few runs, like the pages' fixed reads: planning this
    # statement cost PostgreSQL more than running it. Its tables are not tracked
    # by pghistory (test_status_change checks it), so it needs no history context.
    with without_history_context(), prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else Changed(*row)

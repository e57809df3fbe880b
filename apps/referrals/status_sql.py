"""A referral's status change as one SQL statement (Referral.change_status()).

The UPDATE that checks the version, the timeline event and any other rows the
change brings (the access-log rows of the request) are data-modifying parts of a
single statement. PostgreSQL runs a statement atomically by itself, so a change
made outside a transaction needs no BEGIN and COMMIT: one round trip to the
database instead of five, and the statement's text is built once per set of
columns.
"""

import functools
from collections.abc import Sequence
from typing import NamedTuple

from django.db import connection

# The event's columns after its referral's id, in the order of their values.
EVENT = (
    "actor_id",
    "actor_label",
    "from_status",
    "to_status",
    "note",
    "decline_reason",
    "at",
)


# The condition under which the other INSERTs of the statement write their rows:
# the referral was changed (not changed meanwhile by someone else).
IF_CHANGED = "EXISTS (SELECT 1 FROM changed)"


class AlsoWritten(NamedTuple):
    """An INSERT to make in the same statement, written with IF_CHANGED as its
    condition."""

    sql: str
    params: Sequence


@functools.cache
def change_sql(
    referral_table: str,
    event_table: str,
    columns: tuple[str, ...],
    also: tuple[str, ...],
) -> str:
    """The statement: set ``columns`` of the referral whose id, version and status
    are the ones read, add its event and run the ``also`` INSERTs. It returns the
    event's id, or no row when the referral was changed meanwhile."""
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    event_columns = ", ".join(quote(column) for column in ("referral_id", *EVENT))
    placeholders = ", ".join(["%s"] * len(EVENT))
    # Only names from the models and the callers' fixed SQL are formatted in;
    # values are parameters.
    parts = [
        f"changed AS (UPDATE {quote(referral_table)} SET {assignments} "  # nosec B608
        "WHERE id = %s AND version = %s AND status = %s RETURNING id)",
        f"event AS (INSERT INTO {quote(event_table)} ({event_columns}) "  # nosec B608
        f"SELECT id, {placeholders} FROM changed RETURNING id)",
        *(f"also_{index} AS ({sql})" for index, sql in enumerate(also)),
    ]
    return "WITH " + ", ".join(parts) + " SELECT id FROM event"  # nosec B608

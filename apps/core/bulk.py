"""What long-running management commands share: no statement timeout, and a
progress bar on a terminal.

The web's statement timeout (DJANGO_STATEMENT_TIMEOUT_MS, set on every connection)
protects requests from runaway queries; a bulk command that loads or indexes
100,000 rows legitimately runs single statements for longer, so it lifts the
timeout for its own connection while it runs.
"""

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connections
from tqdm import tqdm

# progress(total=..., desc=...) -> a bar with update(n) and close().
ProgressFactory = Callable[..., tqdm]


@contextmanager
def without_statement_timeout(using: str = "default") -> Iterator[None]:
    """Lift the statement timeout of this connection (outside any transaction)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
    try:
        yield
    finally:
        if not connection.needs_rollback and connection.connection is not None:
            with connection.cursor() as cursor:
                # Back to the connection's own setting (its startup options).
                cursor.execute("RESET statement_timeout")


def terminal_progress(stream=None) -> ProgressFactory:
    """A factory of progress bars drawn on ``stream`` (standard error) when it is a
    terminal, and silent otherwise (logs, pipes, tests)."""
    stream = stream or sys.stderr
    shown = hasattr(stream, "isatty") and stream.isatty()

    def make(*, total: int | None = None, desc: str = "", unit: str = "rows") -> tqdm:
        return tqdm(total=total, desc=desc, unit=unit, file=stream, disable=not shown)

    return make


def no_progress(*, total: int | None = None, desc: str = "", unit: str = "") -> tqdm:
    return tqdm(total=total, desc=desc, disable=True)


def analyze(*models) -> None:
    """Refresh the planner's statistics of these models' tables (inside the loading
    transaction too: ANALYZE counts its own uncommitted rows). Rows just loaded
    are otherwise unknown to the planner, which then reads a whole table for each
    row of a later set-based UPDATE: indexing 100,000 freshly seeded services for
    search took about 50 minutes without it."""
    tables = [model._meta.db_table for model in models]
    with connections["default"].cursor() as cursor:
        for table in tables:
            # Table names come from the models, not from input.
            cursor.execute(f"ANALYZE {connections['default'].ops.quote_name(table)}")


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

"""Directory search reads from a PostgreSQL read replica, when one is configured.

With DATABASE_REPLICA_URL set, settings add a ``replica`` database, this router and
ReplicaReadsMiddleware. For the views named in REPLICA_VIEWS (directory search), the
middleware turns replica reads on for the rest of the request, and the router then
sends reads of the public directory's tables there. Everything else stays on the
primary (``default``):

- every write, and every read inside a transaction (a request reads its own writes);
- the signed-in person's own rows, even on the search page (saved services, the
  session, the account), which must never look out of date after a change;
- all other pages.

A replica lags its primary by a moment; search results a second old are fine, which
is why only search reads there. Without DATABASE_REPLICA_URL nothing of this is
installed.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections

REPLICA = "replica"
# URL names whose reads may come from the replica.
REPLICA_VIEWS = frozenset({"directory:service_list"})
# Directory tables that hold someone's own data rather than the public directory.
PRIMARY_ONLY_MODELS = frozenset({"directory.savedservice", "directory.listingreport"})

_replica_reads = ContextVar("carenav_replica_reads", default=False)


@contextmanager
def replica_reads():
    """Within the block, reads of public directory tables may go to the replica."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def _replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_reads.get() or not _replica_configured():
            return None
        if model._meta.app_label != "directory":
            return None
        if model._meta.label_lower in PRIMARY_ONLY_MODELS:
            return None
        if connections["default"].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: rows from either relate freely.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Only the primary is migrated; the replica follows it by replication.
        return db != REPLICA


class ReplicaReadsMiddleware:
    """Turns replica reads on for the views in REPLICA_VIEWS (see above), from
    the moment the view is chosen until the response is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            token = getattr(request, "_replica_reads_token", None)
            if token is not None:
                _replica_reads.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.view_name in REPLICA_VIEWS:
            request._replica_reads_token = _replica_reads.set(True)
        return None

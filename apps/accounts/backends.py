"""The sign-in backend: allauth's, with one thing more read with the account.

StaffMFARequiredMiddleware asks on every request of a staff member whether they
have a second factor set up: a query of its own each time. Reading the answer in
the query that loads the signed-in account from the session (an EXISTS on the
authenticators' user index) makes it free. The answer is that of the request's
start; a factor added or removed during the request counts from the next one.

The same query reads the count of changes of the person's team (none without a
team), which every kept casework page is looked up by
(apps/referrals/page_cache.py): otherwise a query of its own on each of them.
"""

import functools

from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db import connection

from apps.core.prepared import prepared_cursor
from apps.referrals.team_changes import TEAM_CHANGES, team_changes_sql

# Set on the user that get_user() loads: whether any authenticator is set up
# (allauth's is_mfa_enabled(user) for that moment).
HAS_SECOND_FACTOR = "has_second_factor"


class AccountBackend(AuthenticationBackend):
    def get_user(self, user_id):
        # Plain SQL: building the same query with the ORM (annotate(Exists(...))
        # then get()) cost about 0.7 ms of CPU more, on every signed-in request.
        # A fixed lookup by key, so kept planned on the connection
        # (apps/core/prepared.py); the row is made into the model directly, which
        # a RawQuerySet would work out again on every request.
        with prepared_cursor() as cursor:
            cursor.execute(_user_sql(), [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        model = get_user_model()
        fields = model._meta.concrete_fields
        values = [
            field.from_db_value(value, None, connection)
            if hasattr(field, "from_db_value")
            else value
            for field, value in zip(fields, row, strict=False)
        ]
        user = model.from_db("default", None, values)
        has_second_factor, team_changes = row[len(fields) :]
        setattr(user, HAS_SECOND_FACTOR, has_second_factor)
        setattr(user, TEAM_CHANGES, team_changes)
        return user if self.user_can_authenticate(user) else None


@functools.cache
def _user_sql() -> str:
    quote = connection.ops.quote_name
    model = get_user_model()
    users = quote(model._meta.db_table)
    authenticators = quote(Authenticator._meta.db_table)
    # The model's columns by name, in its fields' order: a prepared statement
    # reading "account.*" would fail once a migration adds a column.
    columns = ", ".join(
        f"account.{quote(field.column)}" for field in model._meta.concrete_fields
    )
    # Table and column names come from the models; the id is a parameter.
    return (
        f"SELECT {columns}, EXISTS (SELECT 1 FROM {authenticators} factor "  # nosec B608
        f"WHERE factor.user_id = account.id) AS {HAS_SECOND_FACTOR}, "
        f"{team_changes_sql('account.team_id')} AS {TEAM_CHANGES} "
        f"FROM {users} account WHERE account.id = %s"
    )

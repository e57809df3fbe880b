"""The access log of personal records: who read or changed which record, when.

Reads are logged where records are fetched: a queryset made with
``AuditedQuerySet.logged(request, action)`` logs every record it returns, so no
page that shows a record can forget to log it. Within a request the rows wait in
a buffer that AccessLogMiddleware writes in one INSERT when the response is
ready, so a page's query count stays flat however many records it shows.
"""

import contextlib
import functools
import json
from collections.abc import Iterator
from typing import NamedTuple

from django.db import connection, models
from django.utils import timezone

from .client_address import client_address
from .models import AccessLog


def _user_of(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _reader(request) -> tuple[int | None, str | None, str]:
    """(user id, IP address, path): what each access-log row of a request says of
    who read and where. A page reached through a secret link (a service's answer
    page) logs a path without the secret."""
    user = _user_of(request)
    path = getattr(request, "access_log_path", None) or request.path
    return (user.pk if user is not None else None, client_address(request), path[:300])


def _row(request, record, action: str, subject_type: str, subject_id) -> AccessLog:
    """The row of _read() as an AccessLog, for record_access() to return."""
    return AccessLog(
        **_read(request, record, action, subject_type, subject_id)._asdict()
    )


INSERTED_FIELDS = (
    "user_id",
    "action",
    "record_type",
    "record_id",
    "subject_type",
    "subject_id",
    "ip_address",
    "path",
)
# The columns' types, for the JSON rows the INSERT reads.
_COLUMN_TYPES = ("bigint", "text", "text", "text", "text", "text", "inet", "text")


@functools.cache
def _insert_sql(condition: str = "", subject_from: tuple[str, str] = ("", "")) -> str:
    """The INSERT of _insert_params()'s rows where ``condition`` holds; with
    ``subject_from`` (a table of the statement and its column), the subject's id
    comes from that table's row rather than from the rows given."""
    quote = connection.ops.quote_name
    table = quote(AccessLog._meta.db_table)
    columns = ", ".join(quote(name) for name in (*INSERTED_FIELDS, "at"))
    values = [f"(entry->>{index})::{kind}" for index, kind in enumerate(_COLUMN_TYPES)]
    sources = "jsonb_array_elements(%s::jsonb) AS entry"
    source, column = subject_from
    if source:
        values[INSERTED_FIELDS.index("subject_id")] = f"{source}.{quote(column)}::text"
        sources += f", {source}"
    where = f" WHERE {condition}" if condition else ""
    # Table and column names come from the model, the condition and the source
    # from the caller's fixed SQL; values are parameters.
    return (
        f"INSERT INTO {table} ({columns}) SELECT {', '.join(values)}, %s "  # nosec B608
        f"FROM {sources}{where}"
    )


def _insert_params(rows) -> list:
    return [
        timezone.now(),
        json.dumps([[getattr(row, name) for name in INSERTED_FIELDS] for row in rows]),
    ]


def _insert(rows) -> None:
    """One INSERT statement for all the rows, whatever their number.

    bulk_create() would wrap it in a transaction of its own (BEGIN, INSERT,
    COMMIT): three round trips to the database on every page that shows a
    personal record. A single statement is atomic by itself. The rows travel as
    one JSON array (a list of values per row), so the statement's text is the
    same for any number of rows, and the driver sends one string made by the
    json module's C encoder: one array parameter per column cost the driver's
    Python adaptation of every value (quoted one by one) on every page.
    Rows are AccessLog instances or anything with the same attributes.
    """
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(), _insert_params(rows))


@contextlib.contextmanager
def access_log_insert(request, condition: str) -> Iterator[tuple[str, list] | None]:
    """The INSERT of the rows buffered for this request, as (sql, params), for a
    write that makes it in its own statement, so that a change and its log rows
    commit together without a transaction of their own; None when no row waits.

    The INSERT writes the rows only when ``condition`` (SQL) holds, e.g. the
    change was made; the block raises when it did not. The rows leave the buffer
    when the block ends without an exception; after one, AccessLogMiddleware
    writes them as usual.
    """
    buffer = getattr(request, "_access_log_buffer", None)
    rows = buffer[:] if buffer else []
    yield (_insert_sql(condition), _insert_params(rows)) if rows else None
    if rows:
        del buffer[: len(rows)]


def _write(request, rows: list[AccessLog]) -> None:
    capture = getattr(request, CAPTURE, None)
    if capture is not None:
        capture.extend(rows)
    buffer = getattr(request, "_access_log_buffer", None)
    if buffer is None:
        _insert(rows)
    else:
        buffer.extend(rows)


# Set on a request while a page is rendered to be kept: the rows it logs, so that
# serving the kept page again logs the same reads (replay_accesses).
CAPTURE = "_access_log_capture"


def start_capturing(request) -> None:
    setattr(request, CAPTURE, [])


def stop_capturing(request) -> list[tuple[str, str, str, str, str]]:
    """What the page logged since start_capturing(): (action, record type, record
    id, subject type, subject id) per row, without who, when, where."""
    rows = getattr(request, CAPTURE, None) or []
    if hasattr(request, CAPTURE):
        delattr(request, CAPTURE)
    return [
        (row.action, row.record_type, row.record_id, row.subject_type, row.subject_id)
        for row in rows
    ]


class _Read(NamedTuple):
    """An access-log row to write, lighter than an AccessLog instance."""

    user_id: int | None
    action: str
    record_type: str
    record_id: str
    subject_type: str
    subject_id: str
    ip_address: str | None
    path: str


def _read(request, record, action: str, subject_type: str, subject_id) -> _Read:
    """One access-log row, without building a model instance for it: rows logged
    as records are fetched only travel to the INSERT."""
    user_id, ip_address, path = _reader(request)
    return _Read(
        user_id,
        action,
        record._meta.label_lower,
        str(record.pk),
        subject_type,
        str(subject_id),
        ip_address,
        path,
    )


def replay_accesses(request, reads) -> None:
    """Log again, for this request's reader, the reads a kept page was rendered
    with (stop_capturing()): the page shows those records to them now."""
    if not reads:
        return
    user_id, ip_address, path = _reader(request)
    _write(
        request,
        [
            _Read(
                user_id,
                action,
                record_type,
                record_id,
                subject_type,
                subject_id,
                ip_address,
                path,
            )
            for action, record_type, record_id, subject_type, subject_id in reads
        ],
    )


def flush_access_log(request) -> None:
    """Write the rows buffered for this request now (one INSERT)."""
    buffer = getattr(request, "_access_log_buffer", None)
    if buffer:
        rows = buffer[:]
        buffer.clear()
        _insert(rows)


class AccessLogMiddleware:
    """Buffer a request's access-log rows and write them in one INSERT at its end.

    Place it before the middleware and views that read personal records.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._access_log_buffer = []
        # A view's exception has already become a response here (Django converts
        # it around each middleware), so rows are written for failed pages too; a
        # failure to write them fails the page rather than showing it unlogged.
        response = self.get_response(request)
        flush_access_log(request)
        return response


def record_access(
    request,
    record: models.Model,
    action: str = AccessLog.Action.VIEW,
    *,
    subject: models.Model | None = None,
) -> AccessLog:
    """Write one access-log row for a personal record read or changed in a request."""
    subject = subject if subject is not None else _subject_of(record)
    row = _row(request, record, action, subject._meta.label_lower, subject.pk)
    _write(request, [row])
    return row


def record_accesses(
    request, records, action: str = AccessLog.Action.VIEW, *, subject_of=None
) -> None:
    """Log a list of records in one INSERT, so the query count stays flat."""
    rows = []
    for record in records:
        if subject_of is not None:
            subject = subject_of(record)
            rows.append(
                _read(request, record, action, subject._meta.label_lower, subject.pk)
            )
        else:
            rows.append(_row_about_subject(request, record, action))
    if rows:
        _write(request, rows)


def _subject_field(model) -> str:
    queryset_class = getattr(model._default_manager, "_queryset_class", None)
    return getattr(queryset_class, "access_subject_field", "")


def _subject_of(record: models.Model) -> models.Model:
    """The person a record is about, e.g. the client of a referral."""
    field = _subject_field(type(record))
    return getattr(record, field) if field else record


def _row_about_subject(request, record: models.Model, action: str) -> _Read:
    """A row naming the record's subject by its foreign key, without loading it."""
    field_name = _subject_field(type(record))
    if not field_name:
        return _read(request, record, action, record._meta.label_lower, record.pk)
    field = record._meta.get_field(field_name)
    return _read(
        request,
        record,
        action,
        field.related_model._meta.label_lower,
        getattr(record, field.attname),
    )


class AuditedQuerySet(models.QuerySet):
    """A queryset of personal records that can log every record it returns.

    ``access_subject_field`` names the foreign key to the person a record is
    about (e.g. "client" for a referral); empty when the record is the person.
    """

    access_subject_field = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._access = None

    def logged(self, request, action: str = AccessLog.Action.VIEW):
        """The same rows; fetching them writes an access-log row for each."""
        clone = self._chain()
        clone._access = (request, action)
        return clone

    def changed_log_insert(self, pk, source: str) -> tuple[str, list] | None:
        """The INSERT, as (sql, params), of the row that fetching record ``pk``
        through this queryset would log, for a statement that changes the record
        without fetching it: ``source`` is the statement's table of the records it
        changed, with their subject's column (access_subject_field), and the row
        is written only if the record is in it. None when the queryset is not
        logged."""
        if self._access is None:
            return None
        request, action = self._access
        subject, column = self.model, self.model._meta.pk.attname
        if self.access_subject_field:
            field = self.model._meta.get_field(self.access_subject_field)
            subject, column = field.related_model, field.attname
        # The subject's id is left blank here: it comes from ``source``.
        row = _read(request, self.model(pk=pk), action, subject._meta.label_lower, "")
        return _insert_sql("", (source, column)), _insert_params([row])

    def _clone(self):
        clone = super()._clone()
        clone._access = self._access
        return clone

    def _fetch_all(self):
        first_fetch = self._result_cache is None
        super()._fetch_all()
        if first_fetch and self._access is not None:
            self._log(self._result_cache)

    def iterator(self, chunk_size=None):
        if self._access is None:
            yield from super().iterator(chunk_size)
            return
        seen = []
        for row in super().iterator(chunk_size):
            seen.append(row)
            yield row
        self._log(seen)

    def _log(self, rows) -> None:
        records = [row for row in rows if isinstance(row, models.Model)]
        if records:
            request, action = self._access
            _write(
                request,
                [_row_about_subject(request, record, action) for record in records],
            )

"""Checking every row read from HSDS files, and turning it into model values.

A row is skipped, and reported with its file, row and reason, when:

- its id is missing or not a UUID, or another row of the same table has the same id;
- a required value is missing (HSDS's required fields; CareNav accepts an empty
  organization or taxonomy term description, as its models do);
- a value has the wrong type (a latitude that is not a number, a date that is not a
  date, an e-mail that is not one), is outside its range or list of codes, or is longer
  than CareNav's column;
- a reference it cannot do without (a service's organization, an address's location,
  both ends of a service at location, an attribute's term and service) leads to no row
  of the file or of the directory, or to a row that was itself skipped;
- it would break a rule of the directory (a taxonomy code used twice, a service at the
  same location twice, a service accepting referrals with no referral e-mail).

An optional reference that leads nowhere (an organization's parent, a location's
organization, a term's parent, one of the owners of a phone) is dropped and reported,
and the row is kept as long as it still belongs to something.

This module checks each row by itself and runs the checks across rows
(references.py); both fill the import's plan (plan.py).
"""

import re
import uuid
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models

from apps.accounts.validators import validate_phone_number, validate_zip_code

from .mapping import (
    TABLES,
    TABLES_BY_NAME,
    Table,
)
from .plan import Invalid, Plan, Row, blank, show
from .readers import Batch, Record
from .references import (
    check_attributes,
    check_owners,
    check_referral_email,
    check_refs,
    check_service_locations,
    check_terms,
    fill_taxonomy_names,
)

UUID_PATTERN = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE
)
COORDINATE_LIMITS = {"latitude": 90, "longitude": 180}
ZIP_PLUS_FOUR = re.compile(r"^\d{5}-\d{4}$")


def validate(batch: Batch) -> Plan:
    plan = Plan(rows={table.name: {} for table in TABLES})
    for name, count in batch.not_held.items():
        plan.not_held[name] += count
    for record in batch.records:
        row = check_row(TABLES_BY_NAME[record.table], record)
        if row.failures:
            plan.skip(row)
        else:
            plan.rows[record.table][row.id] = row
    for table in TABLES:
        if table.name == "taxonomy_term":
            check_terms(plan, table)
        if table.name == "attribute":
            check_attributes(plan, table)
            continue
        check_refs(plan, table)
        if table.name == "taxonomy_term":
            fill_taxonomy_names(plan)
        if table.name == "service_at_location":
            check_service_locations(plan)
        if table.needs_owner:
            check_owners(plan, table)
    check_referral_email(plan)
    return plan


# ---------------------------------------------------------------- one row


def check_row(table: Table, record: Record) -> Row:
    """The row's values, or every reason it cannot be imported."""
    row = Row(record, None)
    if record.error:
        row.failures.append(record.error)
        return row
    data = record.data
    try:
        row.id = _uuid(data.get("id"), "id")
    except Invalid as error:
        row.failures.append(str(error))
    for column in table.required_columns:
        if blank(data.get(column)) and not (column == "id" and row.failures):
            state = "missing" if column not in data else "empty"
            row.failures.append(f"{column} is {state}")
    for column, field_name in table.fields.items():
        if column not in data:
            continue
        try:
            if table.model is None:
                value = "" if blank(data[column]) else _text(data[column], column)
                row.values[column] = value
            else:
                row.values[field_name] = convert(table, column, data[column])
        except Invalid as error:
            row.failures.append(str(error))
    for ref in table.refs:
        if ref.column in data:
            try:
                row.refs[ref.column] = _uuid(data[ref.column], ref.column)
            except Invalid as error:
                row.failures.append(str(error))
    row.failures += _contact_detail_failures(table, row)
    return row


def _contact_detail_failures(table: Table, row: Row) -> list[str]:
    """Phone numbers and US ZIP codes pass the checks every form uses
    (apps/accounts/validators): a row with a bad one is skipped and reported."""
    checks = []
    if table.name == "phone" and row.values.get("number"):
        checks.append(("number", row.values["number"], validate_phone_number))
    postal_code = row.values.get("postal_code")
    in_us = (row.values.get("country") or "").upper() == "US"
    if table.name == "address" and postal_code and in_us:
        # ZIP+4 is a ZIP code and four more digits: the five are checked.
        five = postal_code[:5] if ZIP_PLUS_FOUR.match(postal_code) else postal_code
        checks.append(("postal_code", five, validate_zip_code))
    failures = []
    for column, value, check in checks:
        try:
            check(value)
        except ValidationError as error:
            message = error.messages[0].rstrip(".")
            failures.append(f"{column} {show(value)} is not valid ({message})")
    return failures


def convert(table: Table, column: str, raw):
    """The model value of one HSDS value, or Invalid with the reason."""
    model_field = table.model_field(column)
    if blank(raw):
        return None if model_field.null else ""
    if isinstance(model_field, models.CharField | models.TextField):
        return _convert_text(table, column, model_field, raw)
    if isinstance(model_field, models.DecimalField):
        number = _number(raw, column).quantize(
            Decimal(1).scaleb(-model_field.decimal_places), ROUND_HALF_UP
        )
        limit = COORDINATE_LIMITS.get(column)
        if limit is not None and abs(number) > limit:
            raise Invalid(f"{column} {show(raw)} is outside -{limit} to {limit}")
        return _validated(model_field, column, raw, number)
    if isinstance(model_field, models.IntegerField):
        number = _number(raw, column)
        if number != number.to_integral_value():
            raise Invalid(f"{column} {show(raw)} is not a whole number")
        return _validated(model_field, column, raw, int(number))
    if isinstance(model_field, models.FloatField):
        return float(_number(raw, column))
    if isinstance(model_field, models.DateTimeField):
        return _date_time(column, raw)
    if isinstance(model_field, models.DateField):
        try:
            value = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise Invalid(f"{column} {show(raw)} is not a date (YYYY-MM-DD)") from None
        return _validated(model_field, column, raw, value)
    if isinstance(model_field, models.TimeField):
        try:
            value = time.fromisoformat(str(raw).strip())
        except ValueError:
            raise Invalid(f"{column} {show(raw)} is not a time (HH:MM:SS)") from None
        if value.tzinfo is not None:
            raise Invalid(f"{column} {show(raw)} has a time zone; give local time")
        return value
    raise AssertionError(f"no conversion for {model_field!r}")  # pragma: no cover


def _date_time(column: str, raw) -> datetime:
    """An ISO 8601 date and time; one without a time zone is taken as UTC."""
    try:
        value = datetime.fromisoformat(str(raw).strip())
    except ValueError:
        raise Invalid(
            f"{column} {show(raw)} is not a date and time (YYYY-MM-DDTHH:MM:SSZ)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not 1900 <= value.year <= 9000:
        raise Invalid(f"{column} {show(raw)} is outside the years 1900 to 9000")
    return value


def _convert_text(table: Table, column: str, model_field, raw) -> str:
    value = _text(raw, column)
    choices = table.choices.get(column) or [
        choice for choice, _label in (model_field.choices or [])
    ]
    if choices:
        matches = [
            choice for choice in choices if choice.lower() == value.strip().lower()
        ]
        if not matches:
            raise Invalid(f"{column} {show(raw)} is not one of {', '.join(choices)}")
        return matches[0]
    if isinstance(model_field, models.EmailField | models.URLField):
        value = value.strip()
    if model_field.max_length and len(value) > model_field.max_length:
        raise Invalid(
            f"{column} is {len(value)} characters long; CareNav holds at most "
            f"{model_field.max_length}"
        )
    return _validated(model_field, column, raw, value)


def _validated(model_field, column: str, raw, value):
    try:
        model_field.run_validators(value)
    except ValidationError as error:
        message = error.messages[0].rstrip(".")
        raise Invalid(f"{column} {show(raw)} is not valid ({message})") from None
    return value


def _text(value, column: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{column} {show(value)} is not text")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value, column: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid(f"{column} {show(value)} is not a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(f"{column} {show(value)} is not a number") from None
    if not number.is_finite():
        raise Invalid(f"{column} {show(value)} is not a number")
    return number


def _uuid(value, column: str) -> uuid.UUID | None:
    if blank(value):
        return None
    if not isinstance(value, str) or not UUID_PATTERN.match(value.strip()):
        raise Invalid(f"{column} {show(value)} is not a UUID")
    return uuid.UUID(value.strip())

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
"""

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models

from apps.accounts.validators import validate_phone_number, validate_zip_code
from apps.directory.models import Service, ServiceAtLocation, TaxonomyTerm

from .mapping import (
    FACTS_BY_TERM_ID,
    HSDS_TABLES,
    NOT_HELD_OWNERS,
    TABLES,
    TABLES_BY_NAME,
    Fact,
    Table,
)
from .readers import Batch, Record

SKIPPED = "row skipped"
DROPPED = "link dropped, row kept"
UUID_PATTERN = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE
)
COORDINATE_LIMITS = {"latitude": 90, "longitude": 180}
CHUNK = 5000
ZIP_PLUS_FOUR = re.compile(r"^\d{5}-\d{4}$")


class Invalid(Exception):
    pass


@dataclass
class Problem:
    where: str
    reason: str
    outcome: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}; {self.outcome}."


@dataclass
class Row:
    record: Record
    id: uuid.UUID | None
    # Model attribute name -> value, for the columns the file gives.
    values: dict = field(default_factory=dict)
    # Reference column -> id (None when the column is there but empty).
    refs: dict = field(default_factory=dict)
    # Why the row is skipped (all reasons found), and which links were dropped.
    failures: list[str] = field(default_factory=list)
    drops: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """What an import will write, and what it passed over."""

    rows: dict[str, dict[uuid.UUID, Row]] = field(default_factory=dict)
    failed: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    # (service id, taxonomy term id) pairs for Service.taxonomy_terms.
    links: set = field(default_factory=set)
    # Service id -> CareNav field -> value, from CareNav's detail attributes.
    facts: dict = field(default_factory=lambda: defaultdict(dict))
    # (service id, CareNav field) -> the attribute row that set it.
    fact_rows: dict = field(default_factory=dict)
    not_held: dict = field(default_factory=lambda: defaultdict(int))
    # Table -> id -> where, of rows skipped, so that rows referring to them say so.
    skipped: dict = field(default_factory=lambda: defaultdict(dict))

    def skip(self, row: Row, reason: str = "") -> None:
        if reason:
            row.failures.append(reason)
        table = row.record.table
        if row.id is not None and self.rows[table].get(row.id) is row:
            del self.rows[table][row.id]
        if row not in self.failed[table]:
            self.failed[table].append(row)
        if row.id is not None:
            self.skipped[table].setdefault(row.id, row.record.where)

    def drop(self, row: Row, reason: str) -> None:
        row.drops.append(reason)

    @property
    def problems(self) -> list[Problem]:
        rows = [row for failed in self.failed.values() for row in failed]
        rows += [
            row for table in self.rows.values() for row in table.values() if row.drops
        ]
        problems = []
        for row in sorted(rows, key=lambda row: row.record.seq):
            if row.failures:
                reasons, outcome = row.failures + row.drops, SKIPPED
            else:
                plural = "s" if len(row.drops) > 1 else ""
                reasons, outcome = row.drops, f"link{plural} dropped, row kept"
            problems.append(Problem(row.record.where, "; ".join(reasons), outcome))
        return problems

    @property
    def rows_skipped(self) -> int:
        return sum(len(failed) for failed in self.failed.values())

    @property
    def links_dropped(self) -> int:
        return sum(
            len(row.drops) for table in self.rows.values() for row in table.values()
        )


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
            _check_terms(plan, table)
        if table.name == "attribute":
            _check_attributes(plan, table)
            continue
        _check_refs(plan, table)
        if table.name == "taxonomy_term":
            _fill_taxonomy_names(plan)
        if table.name == "service_at_location":
            _check_service_locations(plan)
        if table.needs_owner:
            _check_owners(plan, table)
    _check_referral_email(plan)
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
        if _blank(data.get(column)) and not (column == "id" and row.failures):
            state = "missing" if column not in data else "empty"
            row.failures.append(f"{column} is {state}")
    for column, field_name in table.fields.items():
        if column not in data:
            continue
        try:
            if table.model is None:
                value = "" if _blank(data[column]) else _text(data[column], column)
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
            failures.append(f"{column} {_show(value)} is not valid ({message})")
    return failures


def convert(table: Table, column: str, raw):
    """The model value of one HSDS value, or Invalid with the reason."""
    model_field = table.model_field(column)
    if _blank(raw):
        return None if model_field.null else ""
    if isinstance(model_field, models.CharField | models.TextField):
        return _convert_text(table, column, model_field, raw)
    if isinstance(model_field, models.DecimalField):
        number = _number(raw, column).quantize(
            Decimal(1).scaleb(-model_field.decimal_places), ROUND_HALF_UP
        )
        limit = COORDINATE_LIMITS.get(column)
        if limit is not None and abs(number) > limit:
            raise Invalid(f"{column} {_show(raw)} is outside -{limit} to {limit}")
        return _validated(model_field, column, raw, number)
    if isinstance(model_field, models.IntegerField):
        number = _number(raw, column)
        if number != number.to_integral_value():
            raise Invalid(f"{column} {_show(raw)} is not a whole number")
        return _validated(model_field, column, raw, int(number))
    if isinstance(model_field, models.FloatField):
        return float(_number(raw, column))
    if isinstance(model_field, models.DateTimeField):
        return _date_time(column, raw)
    if isinstance(model_field, models.DateField):
        try:
            value = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise Invalid(f"{column} {_show(raw)} is not a date (YYYY-MM-DD)") from None
        return _validated(model_field, column, raw, value)
    if isinstance(model_field, models.TimeField):
        try:
            value = time.fromisoformat(str(raw).strip())
        except ValueError:
            raise Invalid(f"{column} {_show(raw)} is not a time (HH:MM:SS)") from None
        if value.tzinfo is not None:
            raise Invalid(f"{column} {_show(raw)} has a time zone; give local time")
        return value
    raise AssertionError(f"no conversion for {model_field!r}")  # pragma: no cover


def _date_time(column: str, raw) -> datetime:
    """An ISO 8601 date and time; one without a time zone is taken as UTC."""
    try:
        value = datetime.fromisoformat(str(raw).strip())
    except ValueError:
        raise Invalid(
            f"{column} {_show(raw)} is not a date and time (YYYY-MM-DDTHH:MM:SSZ)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not 1900 <= value.year <= 9000:
        raise Invalid(f"{column} {_show(raw)} is outside the years 1900 to 9000")
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
            raise Invalid(f"{column} {_show(raw)} is not one of {', '.join(choices)}")
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
        raise Invalid(f"{column} {_show(raw)} is not valid ({message})") from None
    return value


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _show(value) -> str:
    text = value if isinstance(value, str) else repr(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _text(value, column: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{column} {_show(value)} is not text")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value, column: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid(f"{column} {_show(value)} is not a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(f"{column} {_show(value)} is not a number") from None
    if not number.is_finite():
        raise Invalid(f"{column} {_show(value)} is not a number")
    return number


def _uuid(value, column: str) -> uuid.UUID | None:
    if _blank(value):
        return None
    if not isinstance(value, str) or not UUID_PATTERN.match(value.strip()):
        raise Invalid(f"{column} {_show(value)} is not a UUID")
    return uuid.UUID(value.strip())


# ---------------------------------------------------------------- across rows


def existing_ids(table_name: str, ids) -> set:
    """Which of the ids are rows of the table in the database."""
    model = TABLES_BY_NAME[table_name].model
    ids = list(ids)
    found = set()
    if model is None:
        return found
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found.update(model.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def _label(table_name: str) -> str:
    return table_name.replace("_", " ")


def _missing(plan: Plan, column: str, table_name: str, value) -> str:
    where = plan.skipped[table_name].get(value)
    if where:
        return f"{column} {value} is a {_label(table_name)} that was skipped ({where})"
    return (
        f"{column} {value} matches no {_label(table_name)} in the file or the directory"
    )


def _check_refs(plan: Plan, table: Table) -> None:
    rows = plan.rows[table.name]
    failed = plan.failed[table.name]
    for ref in table.refs:
        wanted = {
            row.refs[ref.column]
            for row in [*rows.values(), *failed]
            if row.refs.get(ref.column)
        }
        known = set(plan.rows[ref.table]) & wanted
        known |= existing_ids(ref.table, wanted - known)
        for row in [*rows.values(), *failed]:
            value = row.refs.get(ref.column)
            if value is not None and value not in known:
                reason = _missing(plan, ref.column, ref.table, value)
                if row.failures:
                    # Already skipped: the reason is added so all is reported at once.
                    row.failures.append(reason)
                    continue
                if ref.required:
                    plan.skip(row, reason)
                    continue
                plan.drop(row, reason)
                del row.refs[ref.column]
            if ref.stored and ref.column in row.refs:
                row.values[ref.column] = row.refs[ref.column]


def _check_owners(plan: Plan, table: Table) -> None:
    """A phone, schedule or language must still belong to something."""
    rows = plan.rows[table.name]
    owners = [ref.column for ref in table.refs]
    stored = {}
    for start in range(0, len(rows), CHUNK):
        chunk = list(rows)[start : start + CHUNK]
        for current in table.model.objects.filter(pk__in=chunk).values("pk", *owners):
            stored[current["pk"]] = current
    for row in list(rows.values()):
        current = stored.get(row.id, {})
        if any(row.values.get(column, current.get(column)) for column in owners):
            continue
        not_held = NOT_HELD_OWNERS.get(table.name)
        if not_held and not _blank(row.record.data.get(not_held)):
            plan.rows[table.name].pop(row.id)
            plan.not_held[f"{table.name} of a contact"] += 1
            continue
        names = ", ".join(_label(column.removesuffix("_id")) for column in owners)
        plan.skip(row, f"belongs to nothing CareNav holds (give one of: {names})")


def _check_terms(plan: Plan, table: Table) -> None:
    """Terms of CareNav's detail taxonomy are not stored; codes must stay unique."""
    rows = plan.rows[table.name]
    for term_id in set(rows) & set(FACTS_BY_TERM_ID):
        rows.pop(term_id)
    in_database = existing_ids(table.name, rows)
    for row in rows.values():
        if not row.values.get("code") and (
            "code" in row.values or row.id not in in_database
        ):
            # CareNav finds terms by code; HSDS does not require one.
            row.values["code"] = str(row.id)
    first_with_code = {}
    for row in list(rows.values()):
        code = row.values.get("code")
        if code is None:
            continue
        first = first_with_code.setdefault(code, row)
        if first is not row:
            plan.skip(row, f"code {code!r} is also the code of {first.record.where}")
    codes = list(first_with_code)
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start : start + CHUNK]
        for code, other_id in TaxonomyTerm.objects.filter(code__in=chunk).values_list(
            "code", "pk"
        ):
            row = first_with_code[code]
            if other_id == row.id or row.id not in rows:
                continue
            other = rows.get(other_id)
            if other is not None and other.values.get("code", code) != code:
                continue  # that term takes another code in this import
            plan.skip(
                row, f"code {code!r} belongs to another taxonomy term ({other_id})"
            )


def _fill_taxonomy_names(plan: Plan) -> None:
    """A term that names its taxonomy only by taxonomy_id gets the taxonomy's name."""
    taxonomies = plan.rows["taxonomy"]
    max_length = TaxonomyTerm._meta.get_field("taxonomy").max_length
    for row in plan.rows["taxonomy_term"].values():
        taxonomy = taxonomies.get(row.refs.get("taxonomy_id"))
        if taxonomy is None or row.values.get("taxonomy"):
            continue
        name = taxonomy.values.get("name", "").strip()
        if name and len(name) <= max_length:
            row.values["taxonomy"] = name


def _check_service_locations(plan: Plan) -> None:
    rows = plan.rows["service_at_location"]
    first_with_pair = {}
    for row in list(rows.values()):
        pair = (row.values["service_id"], row.values["location_id"])
        first = first_with_pair.setdefault(pair, row)
        if first is not row:
            plan.skip(
                row, f"the service is already at this location ({first.record.where})"
            )
    service_ids = {service for service, _location in first_with_pair}
    location_ids = {location for _service, location in first_with_pair}
    if not first_with_pair:
        return
    in_database = ServiceAtLocation.objects.filter(
        service_id__in=service_ids, location_id__in=location_ids
    ).values_list("pk", "service_id", "location_id")
    for other_id, service_id, location_id in in_database:
        row = first_with_pair.get((service_id, location_id))
        if row is None or row.id == other_id or row.id not in rows:
            continue
        other = rows.get(other_id)
        if other is not None and (
            other.values["service_id"],
            other.values["location_id"],
        ) != (service_id, location_id):
            continue
        plan.skip(
            row,
            "the service is already at this location in the directory "
            f"(service at location {other_id})",
        )


def _check_attributes(plan: Plan, table: Table) -> None:
    rows = plan.rows[table.name]
    failed = plan.failed[table.name]
    service_ids = {row.refs.get("link_id") for row in [*rows.values(), *failed]}
    service_ids.discard(None)
    known_services = set(plan.rows["service"]) & service_ids
    known_services |= existing_ids("service", service_ids - known_services)
    term_ids = {row.refs.get("taxonomy_term_id") for row in [*rows.values(), *failed]}
    term_ids.discard(None)
    known_terms = (set(plan.rows["taxonomy_term"]) | set(FACTS_BY_TERM_ID)) & term_ids
    known_terms |= existing_ids("taxonomy_term", term_ids - known_terms)
    for row in [*rows.values(), *failed]:
        reasons = []
        entity = row.values.get("link_entity", "").strip().lower()
        if entity not in ("service", "services"):
            if entity in HSDS_TABLES or entity.removesuffix("s") in HSDS_TABLES:
                if not row.failures:
                    rows.pop(row.id)
                    plan.not_held[f"attribute of a {entity.removesuffix('s')}"] += 1
                continue
            reasons.append(f"link_entity {_show(entity)} is not an HSDS table")
        service_id = row.refs.get("link_id")
        if service_id is not None and service_id not in known_services:
            reasons.append(_missing(plan, "link_id", "service", service_id))
        term_id = row.refs.get("taxonomy_term_id")
        if term_id is not None and term_id not in known_terms:
            reasons.append(_missing(plan, "taxonomy_term_id", "taxonomy_term", term_id))
        if row.failures:
            row.failures.extend(reasons)
        elif reasons:
            plan.skip(row, "; ".join(reasons))
    fact_rows = plan.fact_rows
    for row in list(rows.values()):
        service_id = row.refs["link_id"]
        term_id = row.refs["taxonomy_term_id"]
        fact = FACTS_BY_TERM_ID.get(term_id)
        if fact is None:
            plan.links.add((service_id, term_id))
            continue
        try:
            value = _fact_value(fact, row.values.get("value", ""))
        except Invalid as error:
            plan.skip(row, str(error))
            continue
        facts = plan.facts[service_id]
        if fact.field == "diseases":
            if value not in facts.setdefault("diseases", []):
                facts["diseases"].append(value)
            continue
        if fact.field in facts and facts[fact.field] != value:
            first = fact_rows[(service_id, fact.field)]
            plan.skip(row, f"{fact.code} disagrees with {first.record.where}")
            continue
        facts[fact.field] = value
        fact_rows[(service_id, fact.field)] = row


def _fact_value(fact: Fact, raw):
    text = raw.strip() if isinstance(raw, str) else raw
    if _blank(text):
        raise Invalid(f"the value of {fact.code} is empty")
    if fact.kind == "bool":
        lowered = str(text).lower()
        if lowered not in ("true", "false"):
            raise Invalid(f"the value of {fact.code} {_show(raw)} is not true or false")
        return lowered == "true"
    if fact.kind == "disease":
        if text.lower() not in Service.Disease.values:
            raise Invalid(
                f"the value of {fact.code} {_show(raw)} is not one of "
                f"{', '.join(Service.Disease.values)}"
            )
        return text.lower()
    if fact.kind == "email":
        model_field = Service._meta.get_field(fact.field)
        if len(text) > model_field.max_length:
            raise Invalid(f"the value of {fact.code} is too long for an e-mail address")
        try:
            validate_email(text)
        except ValidationError:
            raise Invalid(
                f"the value of {fact.code} {_show(raw)} is not an e-mail address"
            ) from None
        return text
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"the value of {fact.code} {_show(raw)} is not a date") from None


def _check_referral_email(plan: Plan) -> None:
    """A service that accepts referrals needs somewhere to send them."""
    accepting = [
        sid for sid, facts in plan.facts.items() if facts.get("accepts_referrals")
    ]
    if not accepting:
        return
    stored = dict(
        Service.objects.filter(pk__in=accepting).values_list("pk", "referral_email")
    )
    for service_id in accepting:
        facts = plan.facts[service_id]
        if facts.get("referral_email") or stored.get(service_id):
            continue
        del facts["accepts_referrals"]
        row = plan.fact_rows[(service_id, "accepts_referrals")]
        plan.skip(row, "the service accepts referrals but has no referral e-mail")

"""Checking HSDS rows across rows and tables: references to rows of the file or of
the directory (required ones skip the row, optional ones are dropped), the
taxonomy's codes and names, services at locations, CareNav's detail attributes and
the referral e-mail of a service that accepts referrals."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from apps.directory.models import Service, ServiceAtLocation, TaxonomyTerm

from .mapping import (
    FACTS_BY_TERM_ID,
    HSDS_TABLES,
    NOT_HELD_OWNERS,
    TABLES_BY_NAME,
    Fact,
    Table,
)
from .plan import CHUNK, Invalid, Plan, blank, show


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


def check_refs(plan: Plan, table: Table) -> None:
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


def check_owners(plan: Plan, table: Table) -> None:
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
        if not_held and not blank(row.record.data.get(not_held)):
            plan.rows[table.name].pop(row.id)
            plan.not_held[f"{table.name} of a contact"] += 1
            continue
        names = ", ".join(_label(column.removesuffix("_id")) for column in owners)
        plan.skip(row, f"belongs to nothing CareNav holds (give one of: {names})")


def check_terms(plan: Plan, table: Table) -> None:
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


def fill_taxonomy_names(plan: Plan) -> None:
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


def check_service_locations(plan: Plan) -> None:
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


def check_attributes(plan: Plan, table: Table) -> None:
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
            reasons.append(f"link_entity {show(entity)} is not an HSDS table")
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
    if blank(text):
        raise Invalid(f"the value of {fact.code} is empty")
    if fact.kind == "bool":
        lowered = str(text).lower()
        if lowered not in ("true", "false"):
            raise Invalid(f"the value of {fact.code} {show(raw)} is not true or false")
        return lowered == "true"
    if fact.kind == "disease":
        if text.lower() not in Service.Disease.values:
            raise Invalid(
                f"the value of {fact.code} {show(raw)} is not one of "
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
                f"the value of {fact.code} {show(raw)} is not an e-mail address"
            ) from None
        return text
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"the value of {fact.code} {show(raw)} is not a date") from None


def check_referral_email(plan: Plan) -> None:
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

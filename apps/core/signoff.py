"""Clinical sign-off of content (articles, comparisons, checklist items).

A reviewer signs the version that is saved now: its public fields and the rows that
belong to it are copied into ``signed_version``. Public pages render that copy, so
an edit after the sign-off waits for the next one. Content never signed is shown as
it is, labelled "Not yet clinically reviewed"; publishing it needs a sign-off.
"""

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import prefetch_related_objects
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.formats import date_format

from .caching import forget_public_pages
from .models import ClinicallySignedOff

SIGN_OFF_FIELDS = frozenset(
    field.name for field in ClinicallySignedOff._meta.local_fields
)


def _signed_fields(model) -> list[models.Field]:
    exempt = SIGN_OFF_FIELDS | set(model.sign_off_exempt)
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in exempt
    ]


def _child_fields(model, related_name: str) -> tuple[type[models.Model], list, str]:
    relation = model._meta.get_field(related_name)
    child = relation.related_model
    parent_key = relation.field.attname
    fields = [
        field
        for field in child._meta.concrete_fields
        if field.editable and not field.primary_key and field.attname != parent_key
    ]
    return child, fields, parent_key


def _as_json(values: dict) -> dict:
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def _row_values(obj, fields) -> dict:
    return _as_json({field.attname: getattr(obj, field.attname) for field in fields})


def _child_rows(obj, related_name: str, related: tuple[str, ...] = ()) -> list:
    rows = getattr(obj, related_name).all()
    if related:
        rows = rows.select_related(*related)
    return sorted(rows, key=lambda row: (getattr(row, "order", 0) or 0, row.pk))


def current_version(obj: ClinicallySignedOff) -> dict:
    """The public fields and signed rows of the object as saved now."""
    model = type(obj)
    children = {}
    for name in model.sign_off_children:
        _, fields, _ = _child_fields(model, name)
        children[name] = [_row_values(row, fields) for row in _child_rows(obj, name)]
    return {"fields": _row_values(obj, _signed_fields(model)), "children": children}


def _same_rows(signed: list[dict], current: list[dict]) -> bool:
    if len(signed) != len(current):
        return False
    return all(
        all(now.get(key) == value for key, value in then.items())
        for then, now in zip(signed, current, strict=True)
    )


def is_changed_since_review(obj: ClinicallySignedOff) -> bool:
    """Whether the saved version differs from the signed one. Fields added to the
    model after the sign-off do not count as a change."""
    signed = obj.signed_version
    if signed is None:
        return False
    current = current_version(obj)
    if any(
        current["fields"].get(key) != value for key, value in signed["fields"].items()
    ):
        return True
    return any(
        not _same_rows(rows, current["children"].get(name, []))
        for name, rows in signed.get("children", {}).items()
    )


def apply_signed_version(obj: ClinicallySignedOff) -> ClinicallySignedOff:
    """The object with its signed fields in place of the current ones (in memory
    only: never save it). Unsigned objects are returned as they are."""
    signed = obj.signed_version
    if signed is None:
        return obj
    by_attname = {field.attname: field for field in _signed_fields(type(obj))}
    for attname, value in signed["fields"].items():
        field = by_attname.get(attname)
        if field is None:
            continue
        value = field.to_python(value)
        if field.is_relation and getattr(obj, attname) != value:
            # A related object loaded with select_related is the current one.
            if field.is_cached(obj):
                field.delete_cached_value(obj)
        setattr(obj, attname, value)
    return obj


def public_children(
    obj: ClinicallySignedOff, related_name: str, *, related: tuple[str, ...] = ()
) -> list:
    """The rows the public reads (unsaved copies when the object is signed), with
    the objects they point at through `related` loaded: one query either way."""
    signed = obj.signed_version
    if signed is None or related_name not in signed.get("children", {}):
        return _child_rows(obj, related_name, related)
    child, fields, parent_key = _child_fields(type(obj), related_name)
    by_attname = {field.attname: field for field in fields}
    rows = []
    for values in signed["children"][related_name]:
        row = child(**{parent_key: obj.pk})
        for attname, value in values.items():
            if attname in by_attname:
                setattr(row, attname, by_attname[attname].to_python(value))
        rows.append(row)
    if related:
        prefetch_related_objects(rows, *related)
    return rows


class PublicVersionIterable(ModelIterable):
    def __iter__(self):
        for obj in super().__iter__():
            yield apply_signed_version(obj)


class SignOffError(ValueError):
    pass


@transaction.atomic
def sign_off(
    *,
    obj: ClinicallySignedOff,
    reviewer,
    name: str,
    credentials: str,
    next_review: datetime.date,
    today: datetime.date | None = None,
) -> None:
    """Sign the saved version of obj as clinically reviewed, by reviewer."""
    today = today or timezone.localdate()
    if not reviewer.is_staff or not reviewer.has_perm(obj.sign_off_permission):
        raise SignOffError("Only a clinical reviewer can sign off content.")
    if not name.strip() or not credentials.strip():
        raise SignOffError("A sign-off needs the reviewer's name and credentials.")
    if next_review <= today:
        raise SignOffError("The next review must be after today.")
    obj.refresh_from_db()
    obj.signed_version = current_version(obj)
    obj.last_reviewed = today
    obj.next_review = next_review
    obj.reviewed_by = reviewer
    obj.reviewer_name = name.strip()
    obj.reviewer_credentials = credentials.strip()
    obj.save(update_fields=[*sorted(SIGN_OFF_FIELDS)])
    transaction.on_commit(forget_public_pages)


def review_faults(obj: ClinicallySignedOff) -> list[str]:
    """What stops the object from being published, as sentences about it."""
    faults = []
    if obj.signed_version is None:
        faults.append("it has not been signed off by a clinical reviewer")
    elif is_changed_since_review(obj):
        faults.append(
            "it has changed since the sign-off of "
            f"{date_format(obj.last_reviewed)}: a clinical reviewer must sign off "
            "this version"
        )
    missing = [
        label
        for label, value in (
            ("signed off on", obj.last_reviewed),
            ("next review", obj.next_review),
        )
        if value is None
    ]
    if missing:
        faults.append("it has no review date (" + " and ".join(missing) + ")")
    content_faults = getattr(obj, "content_faults", None)
    if content_faults is not None:
        faults.extend(content_faults())
    return faults

"""Clinical sign-off of content (articles, comparisons, checklist items).

A reviewer signs the version that is saved now: its public fields and the rows that
belong to it are copied into ``signed_version``. Public pages render that copy, so
an edit after the sign-off waits for the next one. Content never signed is shown as
it is, labelled "Not yet clinically reviewed"; publishing it needs a sign-off.

Each language is signed on its own. The English sign-off covers the English text
(the ``_en`` columns) and everything that is not text (order, timing, sources); the
Spanish sign-off covers the ``_es`` columns, with a record of its own
(``last_reviewed_es``, ``reviewer_name_es``, ``signed_version_es``...). Editing the
Spanish text leaves the English sign-off as it is, and the other way round.
"""

import datetime
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import prefetch_related_objects
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from modeltranslation.fields import TranslationField
from modeltranslation.translator import NotRegistered, translator

from .caching import forget_public_pages
from .models import ClinicallySignedOff

SIGN_OFF_FIELDS = frozenset(
    field.name for field in ClinicallySignedOff._meta.local_fields
)
ENGLISH = "en"
SPANISH = "es"
SIGNED_LANGUAGES = (ENGLISH, SPANISH)
# The fields of one language's sign-off record, by their English names.
RECORD_FIELDS = (
    "last_reviewed",
    "next_review",
    "reviewed_by",
    "reviewer_name",
    "reviewer_credentials",
    "signed_version",
)


def record_field(name: str, language: str) -> str:
    """The name of a sign-off record field for a language: next_review_es."""
    return name if language == ENGLISH else f"{name}_{language}"


def page_language() -> str:
    """The signed language a page in the active language reads."""
    language = (get_language() or ENGLISH).split("-")[0]
    return language if language in SIGNED_LANGUAGES else ENGLISH


def _language_of(field: models.Field) -> str:
    """The language a field's value is written in: a translation column's own, or
    English for everything else (it is signed with the English text)."""
    return field.language if isinstance(field, TranslationField) else ENGLISH


def _translated_names(model) -> set[str]:
    """The original names of the translated fields (title, not title_en): their
    column follows whatever language was active when saved, so it is never signed."""
    try:
        return set(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return set()


def _language_fields(model, fields, language: str) -> list[models.Field]:
    untranslated = _translated_names(model)
    return [
        field
        for field in fields
        if field.name not in untranslated and _language_of(field) == language
    ]


def _signed_fields(model, language: str = ENGLISH) -> list[models.Field]:
    exempt = SIGN_OFF_FIELDS | set(model.sign_off_exempt)
    fields = [
        field
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in exempt
    ]
    return _language_fields(model, fields, language)


def _child_fields(
    model, related_name: str, language: str = ENGLISH
) -> tuple[type[models.Model], list, str]:
    relation = model._meta.get_field(related_name)
    child = relation.related_model
    parent_key = relation.field.attname
    fields = [
        field
        for field in child._meta.concrete_fields
        if field.editable and not field.primary_key and field.attname != parent_key
    ]
    return child, _language_fields(child, fields, language), parent_key


def _as_json(values: dict) -> dict:
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def _row_values(obj, fields, *, with_pk: bool = False) -> dict:
    values = {field.attname: getattr(obj, field.attname) for field in fields}
    if with_pk:
        # Rows are matched by it across the two languages' signed copies.
        values["pk"] = obj.pk
    return _as_json(values)


def _child_rows(obj, related_name: str, related: tuple[str, ...] = ()) -> list:
    rows = getattr(obj, related_name).all()
    if related:
        rows = rows.select_related(*related)
    return sorted(rows, key=lambda row: (getattr(row, "order", 0) or 0, row.pk))


def current_version(obj: ClinicallySignedOff, language: str = ENGLISH) -> dict:
    """The public fields and signed rows of the object as saved now, in a language."""
    model = type(obj)
    children = {}
    for name in model.sign_off_children:
        _, fields, _ = _child_fields(model, name, language)
        children[name] = [
            _row_values(row, fields, with_pk=True) for row in _child_rows(obj, name)
        ]
    return {
        "fields": _row_values(obj, _signed_fields(model, language)),
        "children": children,
    }


def signed_version(obj: ClinicallySignedOff, language: str = ENGLISH) -> dict | None:
    return getattr(obj, record_field("signed_version", language))


def _same_rows(signed: list[dict], current: list[dict]) -> bool:
    if len(signed) != len(current):
        return False
    return all(
        all(now.get(key) == value for key, value in then.items())
        for then, now in zip(signed, current, strict=True)
    )


def is_changed_since_review(obj: ClinicallySignedOff, language: str = ENGLISH) -> bool:
    """Whether the saved version of a language's text differs from the signed one.
    Fields added to the model after the sign-off do not count as a change."""
    signed = signed_version(obj, language)
    if signed is None:
        return False
    current = current_version(obj, language)
    if any(
        current["fields"].get(key) != value for key, value in signed["fields"].items()
    ):
        return True
    return any(
        not _same_rows(rows, current["children"].get(name, []))
        for name, rows in signed.get("children", {}).items()
    )


def _set_values(obj, values: dict, by_attname: dict) -> None:
    for attname, value in values.items():
        field = by_attname.get(attname)
        if field is None:
            continue
        value = field.to_python(value)
        if field.is_relation and getattr(obj, attname) != value:
            # A related object loaded with select_related is the current one.
            if field.is_cached(obj):
                field.delete_cached_value(obj)
        setattr(obj, attname, value)


def apply_signed_version(obj: ClinicallySignedOff) -> ClinicallySignedOff:
    """The object with each language's signed fields in place of the current ones
    (in memory only: never save it). A language not signed keeps its saved text."""
    for language in SIGNED_LANGUAGES:
        signed = signed_version(obj, language)
        if signed is not None:
            by_attname = {
                field.attname: field for field in _signed_fields(type(obj), language)
            }
            _set_values(obj, signed["fields"], by_attname)
    return obj


def _signed_rows(obj, related_name: str, language: str) -> list[dict] | None:
    signed = signed_version(obj, language)
    if signed is None or related_name not in signed.get("children", {}):
        return None
    return signed["children"][related_name]


def public_children(
    obj: ClinicallySignedOff, related_name: str, *, related: tuple[str, ...] = ()
) -> list:
    """The rows the public reads (unsaved copies when the object is signed), with
    the objects they point at through `related` loaded: one query in English;
    in Spanish, one more when only the English is signed (for the Spanish text)."""
    english = _signed_rows(obj, related_name, ENGLISH)
    spanish = _signed_rows(obj, related_name, SPANISH)
    if english is None:
        rows = _child_rows(obj, related_name, related)
    else:
        child, fields, parent_key = _child_fields(type(obj), related_name)
        by_attname = {field.attname: field for field in fields}
        rows = []
        for values in english:
            row = child(**{parent_key: obj.pk})
            row.pk = values.get("pk")
            _set_values(row, values, by_attname)
            rows.append(row)
        if related:
            prefetch_related_objects(rows, *related)
        if spanish is None and page_language() == SPANISH:
            _copy_spanish(rows, _child_rows(obj, related_name))
    if spanish is not None:
        _, fields, _ = _child_fields(type(obj), related_name, SPANISH)
        by_attname = {field.attname: field for field in fields}
        by_pk = {values.get("pk"): values for values in spanish}
        for row in rows:
            if row.pk in by_pk:
                _set_values(row, by_pk[row.pk], by_attname)
    return rows


def _copy_spanish(rows: list, saved: list) -> None:
    """Put the saved Spanish text of each row on the signed English copies."""
    by_pk = {row.pk: row for row in saved}
    for row in rows:
        saved_row = by_pk.get(row.pk)
        if saved_row is None:
            continue
        for field in type(row)._meta.concrete_fields:
            if isinstance(field, TranslationField) and field.language == SPANISH:
                setattr(row, field.attname, getattr(saved_row, field.attname))


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
    language: str = ENGLISH,
) -> None:
    """Sign the saved version of obj's text in a language as clinically reviewed,
    by reviewer. The other language's sign-off stays as it is."""
    today = today or timezone.localdate()
    if not reviewer.is_staff or not reviewer.has_perm(obj.sign_off_permission):
        raise SignOffError("Only a clinical reviewer can sign off content.")
    if not name.strip() or not credentials.strip():
        raise SignOffError("A sign-off needs the reviewer's name and credentials.")
    if next_review <= today:
        raise SignOffError("The next review must be after today.")
    obj.refresh_from_db()
    version = current_version(obj, language)
    if language != ENGLISH and not any(version["fields"].values()):
        raise SignOffError("There is no text in this language to sign off yet.")
    values = {
        "signed_version": version,
        "last_reviewed": today,
        "next_review": next_review,
        "reviewed_by": reviewer,
        "reviewer_name": name.strip(),
        "reviewer_credentials": credentials.strip(),
    }
    for field, value in values.items():
        setattr(obj, record_field(field, language), value)
    obj.save(update_fields=[record_field(field, language) for field in RECORD_FIELDS])
    transaction.on_commit(forget_public_pages)


@dataclass(frozen=True)
class Review:
    """One language's clinical sign-off of an object, as pages and the admin show it."""

    obj: ClinicallySignedOff
    language: str

    def _value(self, name: str):
        return getattr(self.obj, record_field(name, self.language))

    @property
    def is_signed_off(self) -> bool:
        return self._value("signed_version") is not None

    @property
    def is_changed_since_review(self) -> bool:
        return is_changed_since_review(self.obj, self.language)

    @property
    def last_reviewed(self) -> datetime.date | None:
        return self._value("last_reviewed")

    @property
    def next_review(self) -> datetime.date | None:
        return self._value("next_review")

    @property
    def reviewer_name(self) -> str:
        return self._value("reviewer_name")

    @property
    def reviewer_credentials(self) -> str:
        return self._value("reviewer_credentials")


def review_of(obj: ClinicallySignedOff, language: str | None = None) -> Review:
    """The sign-off of obj's text in a language (the page's language when None)."""
    return Review(obj, language or page_language())


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

"""The change history of content, read from django-pghistory's events.

Every content and directory model is tracked by database triggers, so imports, bulk
actions and admin edits are all there. This module turns events into what an editor
can read: the record by name, each changed field with its label, related records by
name rather than by id, choices by their label, and long text as a word-level diff.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils import formats
from pghistory.models import Event, Events

ACTION_LABELS = {"insert": "Created", "update": "Changed", "delete": "Deleted"}
# Bookkeeping that the history does not show: the search index, save times, and the
# signed copy (the sign-off itself shows as its date, reviewer and credentials).
HIDDEN_FIELDS = {
    "search_vector",
    "search_vector_es",
    "updated_at",
    "signed_version",
    "signed_version_es",
}
# Text at least this long, or any TextField, is shown as a word-level difference.
LONG_TEXT = 120
WORDS = re.compile(r"\s+|[^\s]+")
EMPTY = "(empty)"


@dataclass
class Change:
    label: str
    old: str = ""
    new: str = ""
    # For long text: [(kind, text)], kind one of "same", "removed", "added".
    diff: list[tuple[str, str]] | None = None


@dataclass
class HistoryRow:
    when: object
    who: str
    action: str
    what: str
    name: str
    changes: list[Change] = field(default_factory=list)


def event_models_of(app_label: str) -> list[type[Event]]:
    """The history tables of one app (a record's own rows live in its app)."""
    return [
        model
        for model in apps.get_app_config(app_label).get_models()
        if issubclass(model, Event)
    ]


def events_about(obj: models.Model):
    """Every event of the object and of the rows that point at it, newest first."""
    return (
        Events.objects.across(*event_models_of(obj._meta.app_label))
        .references(obj)
        .order_by("-pgh_created_at", "-pgh_id")
    )


def events_of_app(app_label: str):
    return Events.objects.across(*event_models_of(app_label)).order_by(
        "-pgh_created_at", "-pgh_id"
    )


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The two texts as runs of unchanged, removed and added words."""
    before, after = WORDS.findall(old), WORDS.findall(new)
    runs = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", "".join(before[a1:a2])))
            continue
        if a2 > a1:
            runs.append(("removed", "".join(before[a1:a2])))
        if b2 > b1:
            runs.append(("added", "".join(after[b1:b2])))
    return runs


class _Names:
    """Related records by name, loaded in one query per related model."""

    def __init__(self, wanted: dict[type[models.Model], set]):
        self.found = {}
        for model, ids in wanted.items():
            ids = {value for value in ids if value is not None}
            manager = model._base_manager.select_related()
            self.found[model] = manager.in_bulk(ids) if ids else {}

    def get(self, model, value):
        return self.found.get(model, {}).get(value)

    def describe(self, model, value) -> str:
        if value is None:
            return EMPTY
        obj = self.get(model, value)
        if obj is None:
            return f"{model._meta.verbose_name} #{value} (deleted)"
        return str(obj)


def _python_value(model_field, raw):
    try:
        return model_field.to_python(raw)
    except (ValidationError, TypeError, ValueError):
        return raw


def _describe(model_field, raw, names: _Names) -> str:
    if raw is None or raw == "":
        return EMPTY
    if model_field.is_relation and model_field.many_to_one:
        return names.describe(model_field.related_model, raw)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(raw, raw))
    value = _python_value(model_field, raw)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(model_field, models.DateTimeField):
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(model_field, models.DateField):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or EMPTY
    return str(value)


def is_long_text(model_field, old: str, new: str) -> bool:
    return isinstance(model_field, models.TextField) or max(len(old), len(new)) > (
        LONG_TEXT
    )


def _record_name(tracked, data: dict, names: _Names) -> str:
    """What the record is called, as its own __str__ says (related records filled
    in from the names already loaded, so no query per row)."""
    instance = tracked()
    for model_field in tracked._meta.concrete_fields:
        if model_field.attname not in data:
            continue
        value = _python_value(model_field, data[model_field.attname])
        setattr(instance, model_field.attname, value)
        if model_field.is_relation and model_field.many_to_one:
            related = names.get(model_field.related_model, value)
            if related is not None:
                model_field.set_cached_value(instance, related)
    try:
        return str(instance)
    except (ObjectDoesNotExist, AttributeError, TypeError):
        return f"#{data.get('id', '?')}"


def history_rows(events) -> list[HistoryRow]:
    """The events of one page of history, ready for core/admin/history.html."""
    events = list(events)
    wanted: dict[type[models.Model], set] = {get_user_model(): set()}
    for event in events:
        wanted[get_user_model()].add((event.pgh_context or {}).get("user"))
        tracked = apps.get_model(event.pgh_obj_model)
        values = [event.pgh_data or {}]
        values += [
            {key: pair[0] for key, pair in (event.pgh_diff or {}).items()},
        ]
        for model_field in tracked._meta.concrete_fields:
            if model_field.is_relation and model_field.many_to_one:
                ids = wanted.setdefault(model_field.related_model, set())
                for data in values:
                    ids.add(data.get(model_field.attname))
    names = _Names(wanted)
    return [_history_row(event, names) for event in events]


def _history_row(event, names: _Names) -> HistoryRow:
    tracked = apps.get_model(event.pgh_obj_model)
    fields = {
        model_field.attname: model_field
        for model_field in tracked._meta.concrete_fields
        if not model_field.primary_key and model_field.name not in HIDDEN_FIELDS
    }
    context = event.pgh_context or {}
    user = names.get(get_user_model(), context.get("user"))
    who = (
        (f"{user.full_name} ({user.email})" if user.full_name else user.email)
        if user
        else ""
    )
    if context.get("provider"):
        # A change the service made to its own listing (apps/directory/verification).
        source = f"{context['provider']}, for the service"
        who = f"{source} (approved by {who})" if who else source
    row = HistoryRow(
        when=event.pgh_created_at,
        who=who,
        action=ACTION_LABELS.get(event.pgh_label, event.pgh_label),
        what=tracked._meta.verbose_name,
        name=_record_name(tracked, event.pgh_data or {}, names),
    )
    if event.pgh_label == "update":
        pairs = (event.pgh_diff or {}).items()
    elif event.pgh_label == "insert":
        pairs = [(key, (None, value)) for key, value in (event.pgh_data or {}).items()]
    else:
        pairs = []
    for attname, (old_raw, new_raw) in pairs:
        model_field = fields.get(attname)
        if model_field is None:
            continue
        old, new = (_describe(model_field, raw, names) for raw in (old_raw, new_raw))
        if event.pgh_label == "insert" and new == EMPTY:
            continue
        change = Change(label=str(model_field.verbose_name), old=old, new=new)
        if event.pgh_label == "update" and is_long_text(model_field, old, new):
            change.diff = word_diff(old if old != EMPTY else "", new)
        if event.pgh_label == "insert":
            change.old = ""
        row.changes.append(change)
    return row

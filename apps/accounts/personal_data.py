"""Everything CareNav holds about a patient, gathered from every app, in one place.

Each app that keeps personal records registers a Section in its AppConfig.ready()
(so this module needs no import of theirs, and dependencies keep pointing one way).
A section says how to read the records (through visible_to, as the patient sees
them) and what deleting the account does to them. The export pages (JSON and a
readable page) and the account deletion page are built from the same list, so a
new kind of record is exported and explained the day it is registered.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from .models import PatientProfile

Record = dict[str, Any]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    # The records as plain label -> value pairs (str, bool, int, date, datetime);
    # labels are English (the JSON file's keys), marked with gettext_noop so the
    # readable page can show them translated.
    collect: Callable[[HttpRequest], list[Record]]
    # What deleting the account does to these records, in a sentence.
    on_delete: str
    # Whether deleting the account deletes them (False: someone else keeps them).
    is_deleted: bool = True
    order: int = 100


_sections: dict[str, Section] = {}


def register(section: Section) -> None:
    _sections[section.key] = section


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def collect(request: HttpRequest) -> list[tuple[Section, list[Record]]]:
    return [(section, section.collect(request)) for section in sections()]


def as_json(request: HttpRequest) -> dict[str, Any]:
    return {
        "exported_at": timezone.now(),
        **{section.key: records for section, records in collect(request)},
    }


def display(value: Any) -> str:
    """A value for the readable page, dates in the site's one format."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def _account(request) -> list[Record]:
    user = request.user
    return [
        {
            gettext_noop("e-mail address"): user.email,
            gettext_noop("name"): user.full_name,
            gettext_noop("joined"): user.date_joined,
            gettext_noop("last signed in"): user.last_login,
        }
    ]


def _profile(request) -> list[Record]:
    profile = PatientProfile.objects.visible_to(request.user).first()
    if profile is None:
        return []
    return [
        {
            gettext_noop("condition"): profile.get_disease_display(),
            gettext_noop("date of diagnosis"): profile.diagnosis_date,
            gettext_noop("when symptoms started"): profile.symptom_onset_date,
            gettext_noop("where symptoms started"): profile.get_onset_site_display(),
            gettext_noop("family history"): profile.get_family_history_display(),
            gettext_noop("ZIP code"): profile.zip_code,
            gettext_noop("preferred language"): (
                profile.get_preferred_language_display()
            ),
            gettext_noop("weekly reminder e-mails"): profile.email_reminders,
            gettext_noop("last reminder sent"): profile.reminder_sent_on,
            gettext_noop("last changed"): profile.updated_at,
        }
    ]


register(
    Section(
        key="account",
        title=gettext_lazy("Your account"),
        collect=_account,
        on_delete=gettext_lazy("Deleted: you can no longer sign in with this address."),
        order=10,
    )
)
register(
    Section(
        key="profile",
        title=gettext_lazy("Your profile"),
        collect=_profile,
        on_delete=gettext_lazy("Deleted."),
        order=20,
    )
)

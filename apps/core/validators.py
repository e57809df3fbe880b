"""Validators shared by every app's model fields, so ModelForms, the admin, the APIs
and imports (which all call `full_clean` or the field validators) apply them alike.

- Names that reach an e-mail header or subject refuse control characters.
- Every date or date-time people enter is bounded to a range that fits its meaning.
  The database adds its own floor and ceiling (`readable_years_constraint`), so a
  value that Python cannot read back (year 10000 once converted to UTC) is never
  stored.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# C0 controls (CR, LF, TAB ...), DEL, C1 controls and the Unicode line separators.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

# What the database accepts in any date or date-time column people can set: wide
# enough for every real value, narrow enough that every value reads back in any
# time zone.
EARLIEST_YEAR = 1900
LATEST_YEAR = 9000


def validate_no_control_characters(value: str) -> None:
    if CONTROL_CHARACTERS.search(value or ""):
        raise ValidationError(
            _("Remove line breaks, tabs and other control characters."),
            code="control_characters",
        )


@deconstructible
class DateRangeValidator:
    """Refuse a date (or date-time, compared by its local date) outside a range
    counted from today: `past_years` back and `future_years` ahead (None: no bound
    but the floor of 1900-01-01 and the ceiling of LATEST_YEAR)."""

    def __init__(self, *, past_years: int | None = None, future_years: int | None):
        self.past_years = past_years
        self.future_years = future_years

    def __call__(self, value) -> None:
        if value is None:
            return
        day = value
        if isinstance(value, datetime.datetime):
            day = value.date()
            if timezone.is_aware(value):
                try:
                    day = timezone.localdate(value)
                except OverflowError:  # beyond year 9999 (or before 1) in local time
                    pass
        earliest, latest = self.bounds()
        if day < earliest:
            raise ValidationError(
                _("Enter a date on or after %(date)s."),
                code="date_too_early",
                params={"date": earliest.isoformat()},
            )
        if day > latest:
            if self.future_years == 0:
                message = _("This date is in the future. Enter a date up to today.")
            else:
                message = _("Enter a date on or before %(date)s.")
            raise ValidationError(
                message, code="date_too_late", params={"date": latest.isoformat()}
            )

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        earliest = datetime.date(EARLIEST_YEAR, 1, 1)
        if self.past_years is not None:
            earliest = max(earliest, _years_from(today, -self.past_years))
        latest = datetime.date(LATEST_YEAR, 12, 31)
        if self.future_years is not None:
            latest = min(latest, _years_from(today, self.future_years))
        return earliest, latest

    def __eq__(self, other):
        return (
            isinstance(other, DateRangeValidator)
            and self.past_years == other.past_years
            and self.future_years == other.future_years
        )


def _years_from(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# What each kind of date means, and so which range it may take.
validate_past_date = DateRangeValidator(future_years=0)  # birth, diagnosis, done
validate_appointment = DateRangeValidator(past_years=5, future_years=5)
validate_follow_up = DateRangeValidator(past_years=5, future_years=5)
# A search bound or anything else with no meaning of its own: only readable.
validate_readable_date = DateRangeValidator(future_years=None)
# Next review, a schedule's dates: planned ahead, but not decades ahead.
validate_planning_date = DateRangeValidator(future_years=10)


def readable_years_constraint(model_label: str, field: str) -> models.CheckConstraint:
    """The database's guard on one date or date-time column: a year it and Python
    can both read, named `<app>_<model>_<field>_readable`."""
    lookup = f"{field}__year"
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True})
        | models.Q(**{f"{lookup}__gte": EARLIEST_YEAR, f"{lookup}__lte": LATEST_YEAR}),
        name=f"{model_label}_{field}_readable",
    )


class UnreadableDatesFound(Exception):
    """Rows hold dates the new database constraints would refuse."""


def report_unreadable_dates(apps, columns: dict[str, list[str]]) -> None:
    """For a migration about to add `readable_years_constraint`s: list every row
    that would break one, and stop before the constraint fails obscurely.

    Nothing is repaired: such a value was entered by someone and means something;
    a person decides what it should have been. Rows are named by id only.
    """
    problems = []
    for label, fields in columns.items():
        model = apps.get_model(label)
        table = model._meta.db_table
        for field in fields:
            lookup = f"{field}__year"
            readable = models.Q(**{f"{field}__isnull": True}) | models.Q(
                **{f"{lookup}__gte": EARLIEST_YEAR, f"{lookup}__lte": LATEST_YEAR}
            )
            ids = list(
                model._default_manager.exclude(readable)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if ids:
                shown = ", ".join(str(pk) for pk in ids[:50])
                more = f" and {len(ids) - 50} more" if len(ids) > 50 else ""
                problems.append(f"  {table}.{field}: rows {shown}{more}")
    if problems:
        report = (
            f"These rows hold a date outside {EARLIEST_YEAR}-{LATEST_YEAR}, which "
            "pages cannot show; correct them (for example set the column to NULL "
            "with SQL) and migrate again:\n" + "\n".join(problems)
        )
        print(report)  # noqa: T201 (the operator running the migration reads it)
        raise UnreadableDatesFound(report)

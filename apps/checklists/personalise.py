"""Personalisation rules of the checklists, in one place.

Pure functions: they read attributes of stages, items and profiles but never touch
the database, so every rule can be tested with plain objects.

Who an item is for
------------------
- Items belong to a stage, and a stage to a disease. When the profile names a
  disease (ALS or MS), only that disease's items apply; "not sure yet" rules none out.
- An item for one onset site (limb or bulbar) applies when the profile's onset site
  is that site, or is "I don't know": nothing is hidden until the patient tells us.
  "Somewhere else" rules out both limb-only and bulbar-only items.
- An item for people with a family history applies when the family history is "yes"
  or "I don't know" (genetic counselling helps people find out); "no" rules it out.
Hidden items can always be shown ("show all items").

Suggested stage
---------------
- No diagnosis date yet: the disease's first stage ("getting answers").
- Diagnosed: the stage with the highest ``suggested_from_month`` that is not above the
  whole months since diagnosis. Stages without that number are never suggested by
  time (they follow events, such as needing breathing support). When none fits, the
  second stage ("just diagnosed"), or the first if there is only one.
The patient can always choose another stage; the choice wins over the suggestion.

Timing from the diagnosis date
------------------------------
Due dates and closing dates are the diagnosis date plus N calendar months, clamped to
the end of a shorter month (31 January + 1 month is 28 February, or 29 in a leap
year). The day itself still counts: an item is "due today" on its due date and
overdue the day after; a window "closes today" on its closing date and is closed the
day after. "Due soon" is within 30 days; "closing soon" is less than 3 months away.
"""

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

DUE_SOON_DAYS = 30
CLOSING_SOON_MONTHS = 3

# Values of PatientProfile and ChecklistItem, spelled out so this module needs no
# models (it would work the same with the TextChoices).
ONSET_UNKNOWN = "unknown"
FAMILY_HISTORY_RULED_OUT = "no"
DISEASES_WITH_CHECKLISTS = ("als", "ms")
TIMING_DUE_WITHIN = "due_within"
TIMING_WINDOW_CLOSES = "window_closes"


def add_months(start: date, months: int) -> date:
    """start plus a number of calendar months, clamped to the end of a short month."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def months_between(start: date, end: date) -> int:
    """Whole calendar months from start to end (0 when end is before start)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def format_date(value: date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def duration_in_words(days: int) -> str:
    """A span of days, rounded down to what a person would say."""
    if days < 14:
        return _plural(days, "day")
    if days < 63:
        return _plural(days // 7, "week")
    return _plural(days // 30, "month")


# Who an item is for ------------------------------------------------------------


def hidden_reason(item, profile) -> str:
    """Why the item does not apply to this profile, or "" when it applies.

    item needs only_for_onset_site, only_with_family_history and stage.disease.slug;
    profile needs disease, onset_site and family_history.
    """
    disease = profile.disease
    if disease in DISEASES_WITH_CHECKLISTS and item.stage.disease.slug != disease:
        return "This item is for another condition."
    site = item.only_for_onset_site
    if site and profile.onset_site not in (site, ONSET_UNKNOWN):
        if site == "bulbar":
            return (
                "Usually for people whose first symptoms were in speech or swallowing."
            )
        return "Usually for people whose first symptoms were in the arms or legs."
    if (
        item.only_with_family_history
        and profile.family_history == FAMILY_HISTORY_RULED_OUT
    ):
        return "Usually for people with a family history of the condition."
    return ""


def applies_to(item, profile) -> bool:
    return not hidden_reason(item, profile)


def audience_label(item) -> str:
    """Who the item is for, as a short phrase for the public list ("" = everyone)."""
    parts = []
    if item.only_for_onset_site == "bulbar":
        parts.append("if symptoms started in speech or swallowing")
    elif item.only_for_onset_site == "limb":
        parts.append("if symptoms started in the arms or legs")
    if item.only_with_family_history:
        parts.append("if there is a family history")
    return "For people " + " and ".join(parts) if parts else ""


# Suggested stage -----------------------------------------------------------------


def suggest_stage(stages: Sequence, *, diagnosis_date: date | None, today: date):
    """The stage to suggest for a profile, per the rule in the module docstring.

    stages: one disease's stages (order, suggested_from_month), in any order.
    """
    ordered = sorted(stages, key=lambda stage: stage.order)
    if not ordered:
        return None
    if diagnosis_date is None:
        return ordered[0]
    months = months_between(diagnosis_date, today)
    timed = [
        stage
        for stage in ordered
        if stage.suggested_from_month is not None
        and stage.suggested_from_month <= months
    ]
    if timed:
        # max() keeps the first of equals; the later stage wins a tie.
        return max(reversed(timed), key=lambda stage: stage.suggested_from_month)
    return ordered[1] if len(ordered) > 1 else ordered[0]


def suggestion_reason(*, diagnosis_date: date | None, today: date) -> str:
    if diagnosis_date is None:
        return "You have not added a diagnosis date."
    months = months_between(diagnosis_date, today)
    if months == 0:
        return "You were diagnosed less than a month ago."
    return f"You were diagnosed about {_plural(months, 'month')} ago."


# Timing -----------------------------------------------------------------------


class TimingState:
    NONE = "none"  # the item has no timing
    NO_DATE = "no_date"  # timed, but the profile has no diagnosis date yet
    DUE = "due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    OPEN = "open"  # a window that is open, with months left
    CLOSING_SOON = "closing_soon"
    CLOSED = "closed"


URGENT_STATES = (
    TimingState.OVERDUE,
    TimingState.DUE_SOON,
    TimingState.CLOSING_SOON,
)


@dataclass(frozen=True)
class Timing:
    state: str
    date: datetime.date | None = None
    text: str = ""
    # A word or two for a badge; the full sentence is in text.
    label: str = ""

    @property
    def is_urgent(self) -> bool:
        return self.state in URGENT_STATES

    @property
    def is_dated(self) -> bool:
        return self.date is not None


NO_TIMING = Timing(TimingState.NONE)


def describe_rule(item) -> str:
    """The timing rule itself, for people without a diagnosis date (public list)."""
    months = item.timing_months
    if item.timing == TIMING_DUE_WITHIN:
        return f"Within {_plural(months, 'month')} of diagnosis."
    if item.timing == TIMING_WINDOW_CLOSES:
        return (
            f"Time-limited: best done within {_plural(months, 'month')} of diagnosis."
        )
    return ""


def timing_for(item, *, diagnosis_date: date | None, today: date) -> Timing:
    """Where an item stands in time for a patient diagnosed on diagnosis_date."""
    if item.timing not in (TIMING_DUE_WITHIN, TIMING_WINDOW_CLOSES):
        return NO_TIMING
    if diagnosis_date is None:
        if item.timing == TIMING_DUE_WITHIN:
            text = "Add your diagnosis date to your profile to see when this is due."
        else:
            text = (
                "Add your diagnosis date to your profile to see how long this "
                "stays open."
            )
        return Timing(TimingState.NO_DATE, None, f"{describe_rule(item)} {text}", "")
    deadline = add_months(diagnosis_date, item.timing_months)
    days = (deadline - today).days
    when = format_date(deadline)
    if item.timing == TIMING_DUE_WITHIN:
        if days < 0:
            return Timing(
                TimingState.OVERDUE,
                deadline,
                f"Overdue: it was due by {when}, {duration_in_words(-days)} ago. "
                "It may still be worth doing.",
                "Overdue",
            )
        if days == 0:
            return Timing(
                TimingState.DUE_SOON, deadline, f"Due today ({when}).", "Due today"
            )
        if days <= DUE_SOON_DAYS:
            return Timing(
                TimingState.DUE_SOON,
                deadline,
                f"Due soon: in {duration_in_words(days)}, by {when}.",
                "Due soon",
            )
        return Timing(
            TimingState.DUE,
            deadline,
            f"Due in {duration_in_words(days)}, by {when}.",
            "Due",
        )
    # A window that closes.
    if days < 0:
        return Timing(
            TimingState.CLOSED,
            deadline,
            f"Window closed on {when}.",
            "Window closed",
        )
    if days == 0:
        return Timing(
            TimingState.CLOSING_SOON,
            deadline,
            f"Closing soon: the window closes today ({when}).",
            "Closes today",
        )
    months_left = months_between(today, deadline)
    if deadline < add_months(today, CLOSING_SOON_MONTHS):
        left = _plural(months_left, "month") if months_left else duration_in_words(days)
        return Timing(
            TimingState.CLOSING_SOON,
            deadline,
            f"Closing soon: {left} left (closes on {when}).",
            "Closing soon",
        )
    return Timing(
        TimingState.OPEN,
        deadline,
        f"Window open: {_plural(months_left, 'month')} left (closes on {when}).",
        f"{_plural(months_left, 'month')} left",
    )


def coming_up(rows: Iterable, *, limit: int | None = None) -> list:
    """Rows (with .timing and .is_open) still to do that have a date, soonest first.

    Closed windows are left out: nothing can be done about them any more.
    """
    dated = [
        row
        for row in rows
        if row.is_open
        and row.timing.is_dated
        and row.timing.state != TimingState.CLOSED
    ]
    dated.sort(key=lambda row: (row.timing.date, row.item.order))
    return dated[:limit] if limit else dated

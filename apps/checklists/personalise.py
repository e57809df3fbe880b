"""Personalisation rules of the checklists, in one place.

Pure functions: they read attributes of stages, items and profiles but never touch
the database, so every rule can be tested with plain objects.

Who an item is for
------------------
- Items belong to a stage, and a stage to a disease. When the profile names a
  disease (ALS or MS), only that disease's items apply; "not sure yet" rules none out.
- Where the illness started never hides an item. ALS spreads, so an item that is
  often needed sooner after limb onset (falls, hand splints) or bulbar onset (saliva,
  voice banking) is for everyone. For a profile whose onset site matches, the item
  comes first in its stage with a note that it often matters sooner; everyone else
  sees it in its usual place, and its guidance is written to read right for them
  ("If your hands get weaker..."). "I don't know" and "somewhere else" match no site.
- An item for people with a family history applies when the family history is "yes"
  or "I don't know"; "no" rules it out. Genetic counselling and testing do not use
  this rule: they are offered to everyone with ALS (Roggenbuck et al. 2023).
Hidden items can always be shown ("show all items").

Suggested stage
---------------
- No diagnosis date yet: the disease's first stage ("getting answers").
- Diagnosed: the stage with the highest ``suggested_from_month`` that is not above the
  whole months since diagnosis. Stages without that number are never suggested by
  time (they follow events, such as needing breathing support). When none fits, the
  second stage ("just diagnosed"), or the first if there is only one.
The patient can always choose another stage; the choice wins over the suggestion.

Timing
------
Each timed item counts its months from one of two dates, chosen per item:
- "from diagnosis": the profile's diagnosis date;
- "from first symptoms": the profile's symptom onset date. Clinical trials count
  from first symptoms, and a diagnosis often comes a year or more later, so counting
  from diagnosis would show a window as open long after it closed. When the onset
  date is unknown, the diagnosis date stands in, and the page says so (the real
  window may close sooner).
Due dates and closing dates are that date plus N calendar months, clamped to the end
of a shorter month (31 January + 1 month is 28 February, or 29 in a leap year). The
day itself still counts: an item is "due today" on its due date and overdue the day
after; a window "closes today" on its closing date and is closed the day after.
"Due soon" is within 30 days; "closing soon" is less than 3 months away.
"""

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import formats

DUE_SOON_DAYS = 30
CLOSING_SOON_MONTHS = 3

# Values of PatientProfile and ChecklistItem, spelled out so this module needs no
# models (it would work the same with the TextChoices).
ONSET_UNKNOWN = "unknown"
FAMILY_HISTORY_RULED_OUT = "no"
DISEASES_WITH_CHECKLISTS = ("als", "ms")
TIMING_DUE_WITHIN = "due_within"
TIMING_WINDOW_CLOSES = "window_closes"
FROM_DIAGNOSIS = "diagnosis"
FROM_FIRST_SYMPTOMS = "first_symptoms"
ONSET_SITE_WORDS = {
    "bulbar": "in speech or swallowing",
    "limb": "in the arms or legs",
}


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
    """The site's date format, in the language being written (carenav/formats)."""
    return formats.date_format(value)


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

    item needs only_with_family_history and stage.disease.slug; profile needs
    disease and family_history. The onset site is not a reason: see sooner_note.
    """
    disease = profile.disease
    if disease in DISEASES_WITH_CHECKLISTS and item.stage.disease.slug != disease:
        return "This item is for another condition."
    if (
        item.only_with_family_history
        and profile.family_history == FAMILY_HISTORY_RULED_OUT
    ):
        return "Usually for people with a family history of the condition."
    return ""


def applies_to(item, profile) -> bool:
    return not hidden_reason(item, profile)


def sooner_note(item, profile) -> str:
    """A note when the item often matters sooner for this profile's onset site."""
    site = item.sooner_for_onset_site
    if site and profile.onset_site == site:
        return (
            f"This often matters sooner when the first symptoms were "
            f"{ONSET_SITE_WORDS[site]}, as yours were."
        )
    return ""


def audience_label(item) -> str:
    """Who the item is for, as a short phrase for the public list ("" = everyone)."""
    parts = []
    if item.sooner_for_onset_site in ONSET_SITE_WORDS:
        parts.append(
            "Often needed sooner if symptoms started "
            + ONSET_SITE_WORDS[item.sooner_for_onset_site]
        )
    if item.only_with_family_history:
        parts.append("For people with a family history")
    return "; ".join(parts)


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
    # Which date the months are counted from, when that needs saying.
    note: str = ""

    @property
    def is_urgent(self) -> bool:
        return self.state in URGENT_STATES

    @property
    def is_dated(self) -> bool:
        return self.date is not None


NO_TIMING = Timing(TimingState.NONE)


def counts_from_first_symptoms(item) -> bool:
    return item.timing_from == FROM_FIRST_SYMPTOMS


def describe_rule(item) -> str:
    """The timing rule itself, for people without dates (public list)."""
    months = item.timing_months
    start = "first symptoms" if counts_from_first_symptoms(item) else "diagnosis"
    if item.timing == TIMING_DUE_WITHIN:
        return f"Within {_plural(months, 'month')} of {start}."
    if item.timing == TIMING_WINDOW_CLOSES:
        return f"Time-limited: best done within {_plural(months, 'month')} of {start}."
    return ""


def _start_date(
    item, *, diagnosis_date: date | None, symptom_onset_date: date | None
) -> tuple[date | None, str]:
    """The date an item's months count from, and a note when that needs saying."""
    if not counts_from_first_symptoms(item):
        return diagnosis_date, ""
    if symptom_onset_date is not None:
        return (
            symptom_onset_date,
            "Counted from when your first symptoms began "
            f"({format_date(symptom_onset_date)}).",
        )
    if diagnosis_date is not None:
        return (
            diagnosis_date,
            "Counted from your diagnosis, because we don't know when your first "
            "symptoms began. The window counts from first symptoms, so it may "
            "close sooner than this. You can add that date to your profile.",
        )
    return None, ""


def _no_date(item) -> Timing:
    if counts_from_first_symptoms(item):
        text = (
            "This counts from when your first symptoms began. Add that date (or "
            "your diagnosis date) to your profile to see how long this stays open."
        )
    elif item.timing == TIMING_DUE_WITHIN:
        text = "Add your diagnosis date to your profile to see when this is due."
    else:
        text = (
            "Add your diagnosis date to your profile to see how long this stays open."
        )
    return Timing(TimingState.NO_DATE, None, f"{describe_rule(item)} {text}", "")


def timing_for(
    item,
    *,
    diagnosis_date: date | None,
    today: date,
    symptom_onset_date: date | None = None,
) -> Timing:
    """Where an item stands in time for a patient with these dates."""
    if item.timing not in (TIMING_DUE_WITHIN, TIMING_WINDOW_CLOSES):
        return NO_TIMING
    start, note = _start_date(
        item, diagnosis_date=diagnosis_date, symptom_onset_date=symptom_onset_date
    )
    if start is None:
        return _no_date(item)
    deadline = add_months(start, item.timing_months)
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
                note,
            )
        if days == 0:
            return Timing(
                TimingState.DUE_SOON,
                deadline,
                f"Due today ({when}).",
                "Due today",
                note,
            )
        if days <= DUE_SOON_DAYS:
            return Timing(
                TimingState.DUE_SOON,
                deadline,
                f"Due soon: in {duration_in_words(days)}, by {when}.",
                "Due soon",
                note,
            )
        return Timing(
            TimingState.DUE,
            deadline,
            f"Due in {duration_in_words(days)}, by {when}.",
            "Due",
            note,
        )
    # A window that closes.
    if days < 0:
        return Timing(
            TimingState.CLOSED,
            deadline,
            f"Window closed on {when}. Some limits are longer, so it can still be "
            "worth asking.",
            "Window closed",
            note,
        )
    if days == 0:
        return Timing(
            TimingState.CLOSING_SOON,
            deadline,
            f"Closing soon: the window closes today ({when}).",
            "Closes today",
            note,
        )
    months_left = months_between(today, deadline)
    if deadline < add_months(today, CLOSING_SOON_MONTHS):
        left = _plural(months_left, "month") if months_left else duration_in_words(days)
        return Timing(
            TimingState.CLOSING_SOON,
            deadline,
            f"Closing soon: {left} left (closes on {when}).",
            "Closing soon",
            note,
        )
    return Timing(
        TimingState.OPEN,
        deadline,
        f"Window open: {_plural(months_left, 'month')} left (closes on {when}).",
        f"{_plural(months_left, 'month')} left",
        note,
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

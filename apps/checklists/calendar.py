"""iCalendar (RFC 5545) export of a patient's dated checklist items.

Written by hand: a handful of properties, each escaped (3.3.11), lines ended with
CRLF and folded at 75 octets without splitting a UTF-8 character (3.1).
"""

from datetime import UTC, date, datetime, timedelta

from django.utils.translation import gettext as _

from apps.diseases.rendering import CITATION_MARK

from .personalise import TimingState, describe_rule

PRODID = "-//CareNav//Checklist//EN"
MAX_OCTETS = 75
# The alarm of each event goes off this many days before it.
ALARM_DAYS_BEFORE = 3


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, joined by CRLF + space."""
    parts = []
    current = ""
    limit = MAX_OCTETS
    for char in line:
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = char
            limit = MAX_OCTETS - 1  # continuation lines start with a space
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def item_uid(*, item_id: int, patient_id: int) -> str:
    """Stable per item and person, so a re-import updates rather than duplicates."""
    return f"checklist-item-{item_id}-{patient_id}@carenav"


def _alarm(*, summary: str, days_ahead: int) -> list[str]:
    """A reminder a few days before; for a step due sooner, on the morning itself
    (an all-day event starts at midnight, so PT9H is 9 a.m. that day)."""
    trigger = f"-P{ALARM_DAYS_BEFORE}D" if days_ahead >= ALARM_DAYS_BEFORE else "PT9H"
    return [
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{escape_text(summary)}",
        f"TRIGGER:{trigger}",
        "END:VALARM",
    ]


def checklist_calendar(
    checklist,
    *,
    checklist_url: str,
    now: datetime,
    stage_urls: dict[int, str] | None = None,
) -> str:
    """One all-day event per dated item still to do, each with an alarm.

    Upcoming dates only: a step already overdue is dated on the day of the
    download (it is still worth doing), never in the past. Left out: items done
    or set aside, items that do not apply, windows already closed, and private
    notes (calendars are often synced to other services).
    stage_urls: the page of each stage (by stage id) the events link to.
    """
    today = checklist.today
    stage_urls = stage_urls or {}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:My CareNav checklist",
    ]
    for row in checklist.rows:
        timing = row.timing
        if (
            not row.applies
            or not row.is_open
            or not timing.is_dated
            or timing.state == TimingState.CLOSED
        ):
            continue
        item = row.item
        day = max(timing.date, today)
        if timing.state == TimingState.OVERDUE:
            summary = _("Overdue: %(title)s") % {"title": item.title}
        elif timing.state in (TimingState.OPEN, TimingState.CLOSING_SOON):
            summary = _("Last day: %(title)s") % {"title": item.title}
        else:
            summary = _("Due: %(title)s") % {"title": item.title}
        url = f"{stage_urls.get(item.stage_id, checklist_url)}#item-{item.pk}"
        guidance = CITATION_MARK.sub("", item.guidance)
        description = "\n\n".join(
            part for part in (timing.text, describe_rule(item), guidance, url) if part
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{item_uid(item_id=item.pk, patient_id=checklist.patient.pk)}",
            f"DTSTAMP:{_timestamp(now)}",
            f"DTSTART;VALUE=DATE:{_date(day)}",
            f"DTEND;VALUE=DATE:{_date(day + timedelta(days=1))}",
            f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{escape_text(description)}",
            f"URL:{url}",
            "TRANSP:TRANSPARENT",
            *_alarm(summary=summary, days_ahead=(day - today).days),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)

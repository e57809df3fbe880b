"""iCalendar (RFC 5545) export of a patient's dated checklist items.

Written by hand: a handful of properties, each escaped (3.3.11), lines ended with
CRLF and folded at 75 octets without splitting a UTF-8 character (3.1).
"""

from datetime import UTC, date, datetime, timedelta

from apps.diseases.rendering import CITATION_MARK

from .personalise import TimingState, describe_rule

PRODID = "-//CareNav//Checklist//EN"
MAX_OCTETS = 75


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


def checklist_calendar(checklist, *, checklist_url: str, now: datetime) -> str:
    """One all-day event per dated item still to do.

    Left out: items done or set aside, items that do not apply, windows already
    closed, and private notes (calendars are often synced to other services).
    """
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
        if timing.state in (TimingState.OPEN, TimingState.CLOSING_SOON):
            summary = f"Last day: {item.title}"
        else:
            summary = f"Due: {item.title}"
        guidance = CITATION_MARK.sub("", item.guidance)
        description = "\n\n".join(
            part for part in (describe_rule(item), guidance, checklist_url) if part
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{item_uid(item_id=item.pk, patient_id=checklist.patient.pk)}",
            f"DTSTAMP:{_timestamp(now)}",
            f"DTSTART;VALUE=DATE:{_date(timing.date)}",
            f"DTEND;VALUE=DATE:{_date(timing.date + timedelta(days=1))}",
            f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{escape_text(description)}",
            f"URL:{checklist_url}#item-{item.pk}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)

"""What a referral report shows: its tables, charts and summaries, with small counts
protected.

Privacy rule: a report holds counts and times only, never a client. When a figure
leaves the team (an administrator's view, which spans teams, and every CSV
download, which can travel anywhere) a count from 1 to 4 is shown as "fewer than 5",
with whatever would give it away: its share of the total, a median or percentile
of fewer than 5 referrals, and within a table whose rows add up to a total shown,
one more count ("not shown") when a single one is hidden. Zero stays zero: it
names nobody. A team's own supervisor and a caseworker reading their own referrals
see the exact figures. (Breakdowns by service, need, caseworker and month are
protected cell by cell only.)

Both the page and the CSV are made from the same Table objects, so what a
download says can never differ from what the page says. Labels are lazy
translations, read in the language of the page or download that shows them; the
outcome labels also key the counts, which works because a lazy string hashes and
compares as its text in the active language.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from .charts import grouped_columns, horizontal_bars
from .models import DeclineReason
from .reports import NOT_RECORDED, Figures, Report, Row

SMALL_COUNT = 5
FEWER_THAN = gettext_lazy("fewer than 5")
# A count that is not small but would give a small one away (see protected_counts).
NOT_SHOWN = gettext_lazy("not shown")
TOO_FEW = gettext_lazy("too few to show")
NO_DATA = gettext_lazy("no data")

# The outcomes of the referrals sent, as the report names them.
SENT = pgettext_lazy("referral outcome", "Sent")
ACCEPTED = pgettext_lazy("referral outcome", "Accepted by the service")
SCHEDULED = pgettext_lazy("referral outcome", "Given an appointment")
COMPLETED = pgettext_lazy("referral outcome", "Completed")
DECLINED = pgettext_lazy("referral outcome", "Declined by the service")
CANCELLED = pgettext_lazy("referral outcome", "Cancelled")
NO_RESPONSE = pgettext_lazy("referral outcome", "No response")
STILL_OPEN = pgettext_lazy("referral outcome", "Still open")

TIME_COLUMNS = [
    gettext_lazy("Median days to first answer"),
    gettext_lazy("90th percentile days to first answer"),
    gettext_lazy("Median days to completion"),
    gettext_lazy("90th percentile days to completion"),
]
COUNT_COLUMNS = [
    pgettext_lazy("referral outcome", "Sent"),
    pgettext_lazy("referral outcome", "Accepted"),
    pgettext_lazy("referral outcome", "Scheduled"),
    pgettext_lazy("referral outcome", "Completed"),
    pgettext_lazy("referral outcome", "Declined"),
    pgettext_lazy("referral outcome", "Cancelled"),
    pgettext_lazy("referral outcome", "No response"),
]


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[list]
    # Rows left out of the page (the download has them all).
    more: int = 0
    # Rows named by what people called them (services, needs, caseworkers), shown
    # as written, not translated.
    names_rows: bool = False

    @property
    def all_rows(self) -> int:
        return len(self.rows) + self.more


@dataclass
class Section:
    slug: str
    title: str
    summary: str
    table: Table
    chart: object | None = None

    @property
    def is_wide(self) -> bool:
        """Too many columns to sit beside its chart: shown below it instead."""
        return len(self.table.columns) > 4


def is_hidden(count: int, suppress: bool) -> bool:
    return suppress and 0 < count < SMALL_COUNT


def count_cell(count: int, suppress: bool) -> int | str:
    return FEWER_THAN if is_hidden(count, suppress) else count


def share_cell(count: int, total: int, suppress: bool) -> str:
    if is_hidden(count, suppress) or not total:
        return "" if not total else FEWER_THAN
    return f"{round(100 * count / total)}%"


def month_label(key: str) -> str:
    """A month of the report ("2026-11") as the page's language abbreviates it."""
    year, month = key.split("-")
    return date_format(date(int(year), int(month), 1), "M Y")


def decline_label(reason: str) -> str:
    return DeclineReason(reason).label if reason else NOT_RECORDED


def days_cell(value: float | None, basis: int, suppress: bool) -> float | str | None:
    """Days to one decimal; hidden when fewer than 5 referrals were measured."""
    if value is None:
        return None
    if is_hidden(basis, suppress):
        return TOO_FEW
    return round(value, 1)


def _times(figures: Figures, suppress: bool) -> list:
    return [
        days_cell(figures.answer_median, figures.answered, suppress),
        days_cell(figures.answer_p90, figures.answered, suppress),
        days_cell(figures.completion_median, figures.completed, suppress),
        days_cell(figures.completion_p90, figures.completed, suppress),
    ]


def breakdown_row(label: str, figures: Figures, suppress: bool) -> list:
    counts = [
        figures.sent,
        figures.accepted,
        figures.scheduled,
        figures.completed,
        figures.declined,
        figures.cancelled,
        figures.no_response,
    ]
    return [
        label,
        *(count_cell(n, suppress) for n in counts),
        *_times(figures, suppress),
    ]


def _breakdown(
    slug: str, title: str, first: str, rows: list[Row], suppress: bool, shown
) -> Table:
    kept = rows if shown is None else rows[:shown]
    return Table(
        slug=slug,
        title=title,
        columns=[first, *COUNT_COLUMNS, *TIME_COLUMNS],
        rows=[breakdown_row(row.label, row.figures, suppress) for row in kept],
        names_rows=True,
    )


def outcome_rows(total: Figures) -> list[tuple[str, int]]:
    return [
        (SENT, total.sent),
        (ACCEPTED, total.accepted),
        (SCHEDULED, total.scheduled),
        (COMPLETED, total.completed),
        (DECLINED, total.declined),
        (CANCELLED, total.cancelled),
        (NO_RESPONSE, total.no_response),
        (STILL_OPEN, total.still_open),
    ]


def _text(cell) -> str:
    """A count with the thousands separator of the page's language."""
    return (
        number_format(cell, force_grouping=True) if isinstance(cell, int) else str(cell)
    )


def _days(value: float) -> str:
    """Days as few digits as they need ("2.5", "3"), in the page's language."""
    return number_format(f"{value:g}")


def protected_counts(
    counts: dict[str, int], *, suppress: bool, parts: tuple[str, ...] = ()
) -> dict[str, int | str]:
    """Each count as it may be shown. `parts` are counts that add up to a total
    shown elsewhere: when exactly one of them is hidden, the smallest other one is
    hidden too, or subtracting the rest from the total would give it away."""
    shown = {label: count_cell(n, suppress) for label, n in counts.items()}
    hidden = [label for label in parts if shown[label] == FEWER_THAN]
    if len(hidden) == 1:
        others = sorted(
            (counts[label], label)
            for label in parts
            if label not in hidden and counts[label] > 0
        )
        if others:
            shown[others[0][1]] = NOT_SHOWN
    return shown


def _bar_items(counts: dict[str, int], shown: dict[str, int | str]) -> list:
    """Bars for counts; a hidden count gets no bar, only its words."""
    return [
        (
            label,
            shown[label] if isinstance(shown[label], int) else None,
            _text(shown[label]),
        )
        for label in counts
    ]


# The outcomes that split the referrals sent: each referral is in one of them.
OUTCOME_PARTS = (COMPLETED, DECLINED, CANCELLED, NO_RESPONSE, STILL_OPEN)


def _outcomes(report: Report, suppress: bool) -> Section:
    total = report.total
    counts = dict(outcome_rows(total))
    shown = protected_counts(counts, suppress=suppress, parts=OUTCOME_PARTS)

    def share(label: str) -> str:
        if not isinstance(shown[label], int):
            return str(shown[label])
        return share_cell(counts[label], total.sent, suppress)

    table = Table(
        slug="outcomes",
        title=_("What happened to the referrals sent"),
        columns=[_("Outcome"), _("Referrals"), _("Share of those sent")],
        rows=[[label, shown[label], share(label)] for label in counts],
    )
    if total.sent:
        summary = _(
            "%(sent)s referrals were sent in this period. %(accepted)s were accepted "
            "(%(accepted_share)s), %(completed)s completed (%(completed_share)s) and "
            "%(declined)s declined (%(declined_share)s); %(open)s are still open."
        ) % {
            "sent": _text(shown[SENT]),
            "accepted": _text(shown[ACCEPTED]),
            "accepted_share": share(ACCEPTED),
            "completed": _text(shown[COMPLETED]),
            "completed_share": share(COMPLETED),
            "declined": _text(shown[DECLINED]),
            "declined_share": share(DECLINED),
            "open": _text(shown[STILL_OPEN]),
        }
    else:
        summary = _("No referrals were sent in this period.")
    chart = horizontal_bars(
        slug="outcomes",
        title=table.title,
        summary=summary,
        items=_bar_items(counts, shown),
    )
    return Section("outcomes", table.title, summary, table, chart)


def _declines(report: Report, suppress: bool) -> Section:
    # Labelled here, not in the kept report, so each reader gets their language.
    counts = {decline_label(reason): n for reason, _label, n in report.declines}
    # The reasons add up to the declines shown in the outcomes.
    shown = protected_counts(counts, suppress=suppress, parts=tuple(counts))
    table = Table(
        slug="declines",
        title=_("Why services declined"),
        columns=[_("Reason"), _("Referrals declined")],
        rows=[[label, shown[label]] for label in counts],
    )
    if counts:
        label = next(iter(counts))
        summary = _(
            "The most common reason was “%(reason)s”: %(count)s of %(total)s declines."
        ) % {
            "reason": label,
            "count": _text(shown[label]),
            "total": _text(count_cell(report.total.declined, suppress)),
        }
    else:
        summary = _("No service declined a referral sent in this period.")
    chart = horizontal_bars(
        slug="declines",
        title=table.title,
        summary=summary,
        items=_bar_items(counts, shown),
        style=1,
    )
    return Section("declines", table.title, summary, table, chart if counts else None)


def _times_section(report: Report, suppress: bool) -> Section:
    total = report.total
    measures = [
        (_("First answer"), total.answered, total.answer_median, total.answer_p90),
        (
            _("Completion"),
            total.completed,
            total.completion_median,
            total.completion_p90,
        ),
    ]
    table = Table(
        slug="times",
        title=_("How long referrals took, in days"),
        columns=[
            _("From sending to"),
            _("Referrals measured"),
            _("Median"),
            _("90th percentile"),
        ],
        rows=[
            [
                label,
                count_cell(n, suppress),
                days_cell(median, n, suppress),
                days_cell(p90, n, suppress),
            ]
            for label, n, median, p90 in measures
        ],
    )
    answer = table.rows[0]
    if isinstance(answer[2], float):
        summary = _(
            "Half of the services' first answers came within %(median)s days of "
            "sending, and 9 in 10 within %(p90)s days."
        ) % {"median": _days(answer[2]), "p90": _days(answer[3])}
        done = table.rows[1]
        if isinstance(done[2], float):
            summary += " " + _(
                "Half of the completed referrals were completed within %(median)s "
                "days, and 9 in 10 within %(p90)s days."
            ) % {"median": _days(done[2]), "p90": _days(done[3])}
    elif answer[2] == TOO_FEW:
        summary = _("Too few referrals were answered to show how long answers took.")
    else:
        summary = _("No service has answered a referral sent in this period yet.")
    items = []
    for label, n, median, p90 in measures:
        for name, value in ((_("median"), median), (_("90th percentile"), p90)):
            cell = days_cell(value, n, suppress)
            drawn = cell if isinstance(cell, float) else None
            text = str(NO_DATA) if cell is None else _text(cell)
            if drawn:
                text = _("%(days)s days") % {"days": number_format(cell)}
            items.append((f"{label}: {name}", drawn, text))
    chart = horizontal_bars(
        slug="times", title=table.title, summary=summary, items=items, style=2
    )
    return Section("times", table.title, summary, table, chart)


def _months(report: Report, suppress: bool) -> Section:
    table = Table(
        slug="months",
        title=_("Month by month"),
        columns=[_("Month"), *COUNT_COLUMNS, *TIME_COLUMNS],
        rows=[
            breakdown_row(month_label(row.key), row.figures, suppress)
            for row in report.by_month
        ],
    )
    months = len(report.by_month)
    busiest = max(report.by_month, key=lambda row: row.figures.sent, default=None)
    if busiest is None or not busiest.figures.sent:
        summary = ngettext(
            "No referrals were sent in the %(months)s month.",
            "No referrals were sent in the %(months)s months.",
            months,
        ) % {"months": months}
    else:
        summary = ngettext(
            "Referrals sent, completed and declined in each of the %(months)s "
            "month. The busiest month was %(busiest)s, with %(sent)s sent.",
            "Referrals sent, completed and declined in each of the %(months)s "
            "months. The busiest month was %(busiest)s, with %(sent)s sent.",
            months,
        ) % {
            "months": months,
            "busiest": month_label(busiest.key),
            "sent": _text(count_cell(busiest.figures.sent, suppress)),
        }

    def drawn(attribute: str) -> list[float | None]:
        values = []
        for row in report.by_month:
            n = getattr(row.figures, attribute)
            values.append(None if is_hidden(n, suppress) else n)
        return values

    chart = grouped_columns(
        slug="months",
        title=table.title,
        summary=summary,
        categories=[month_label(row.key) for row in report.by_month],
        series=[
            (pgettext_lazy("referral outcome", "Sent"), drawn("sent")),
            (pgettext_lazy("referral outcome", "Completed"), drawn("completed")),
            (pgettext_lazy("referral outcome", "Declined"), drawn("declined")),
        ],
    )
    return Section("months", table.title, summary, table, chart)


def report_sections(
    report: Report,
    *,
    suppress: bool,
    with_caseworkers: bool,
    rows_shown: int | None = None,
) -> list[Section]:
    """Every part of the report, in the order the page shows them."""
    sections = [
        _outcomes(report, suppress),
        _declines(report, suppress),
        _times_section(report, suppress),
        _months(report, suppress),
    ]
    breakdowns = [
        ("services", _("By service"), _("Service")),
        ("needs", _("By type of need"), _("Type of need")),
    ]
    if with_caseworkers:
        breakdowns.append(("caseworkers", _("By caseworker"), _("Caseworker")))
    for slug, title, first in breakdowns:
        rows = getattr(report, f"by_{slug.removesuffix('s')}")
        table = _breakdown(slug, title, first, rows, suppress, rows_shown)
        table.more = max(report.breakdown_sizes.get(slug, 0) - len(table.rows), 0)
        if not rows:
            summary = _("No referrals were sent in this period.")
        elif table.more:
            summary = _breakdown_top(slug, len(table.rows), table.more)
        else:
            summary = _breakdown_all(slug, len(table.rows))
        sections.append(Section(slug, table.title, summary, table))
    return sections


def _breakdown_top(slug: str, shown: int, more: int) -> str:
    """The summary of a breakdown cut short on the page (one sentence per
    breakdown, so that each language can phrase its own nouns)."""
    numbers = {"shown": shown, "more": _text(more)}
    if slug == "services":
        return (
            _(
                "The %(shown)s services with the most referrals sent in this period; "
                "the %(more)s others are in the download."
            )
            % numbers
        )
    if slug == "needs":
        return (
            _(
                "The %(shown)s types of need with the most referrals sent in this "
                "period; the %(more)s others are in the download."
            )
            % numbers
        )
    return (
        _(
            "The %(shown)s caseworkers with the most referrals sent in this period; "
            "the %(more)s others are in the download."
        )
        % numbers
    )


def _breakdown_all(slug: str, shown: int) -> str:
    if slug == "services":
        message = ngettext(
            "Every one of the %(shown)s service, most referrals first.",
            "Every one of the %(shown)s services, most referrals first.",
            shown,
        )
    elif slug == "needs":
        message = ngettext(
            "Every one of the %(shown)s type of need, most referrals first.",
            "Every one of the %(shown)s types of need, most referrals first.",
            shown,
        )
    else:
        message = ngettext(
            "Every one of the %(shown)s caseworker, most referrals first.",
            "Every one of the %(shown)s caseworkers, most referrals first.",
            shown,
        )
    return message % {"shown": shown}

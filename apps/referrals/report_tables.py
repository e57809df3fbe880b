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
download says can never differ from what the page says.
"""

import csv
import io
from dataclasses import dataclass

from .charts import grouped_columns, horizontal_bars
from .reports import Figures, Report, Row

SMALL_COUNT = 5
FEWER_THAN = "fewer than 5"
# A count that is not small but would give a small one away (see protected_counts).
NOT_SHOWN = "not shown"
TOO_FEW = "too few to show"

TIME_COLUMNS = [
    "Median days to first answer",
    "90th percentile days to first answer",
    "Median days to completion",
    "90th percentile days to completion",
]
COUNT_COLUMNS = [
    "Sent",
    "Accepted",
    "Scheduled",
    "Completed",
    "Declined",
    "Cancelled",
    "No response",
]


@dataclass
class Table:
    slug: str
    title: str
    columns: list[str]
    rows: list[list]
    # Rows left out of the page (the download has them all).
    more: int = 0

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
    )


def outcome_rows(total: Figures) -> list[tuple[str, int]]:
    return [
        ("Sent", total.sent),
        ("Accepted by the service", total.accepted),
        ("Given an appointment", total.scheduled),
        ("Completed", total.completed),
        ("Declined by the service", total.declined),
        ("Cancelled", total.cancelled),
        ("No response", total.no_response),
        ("Still open", total.still_open),
    ]


def _text(cell) -> str:
    return f"{cell:,}" if isinstance(cell, int) else str(cell)


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
OUTCOME_PARTS = (
    "Completed",
    "Declined by the service",
    "Cancelled",
    "No response",
    "Still open",
)


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
        title="What happened to the referrals sent",
        columns=["Outcome", "Referrals", "Share of those sent"],
        rows=[[label, shown[label], share(label)] for label in counts],
    )
    if total.sent:
        summary = (
            f"{_text(shown['Sent'])} referrals were sent in this period. "
            f"{_text(shown['Accepted by the service'])} were accepted "
            f"({share('Accepted by the service')}), "
            f"{_text(shown['Completed'])} completed ({share('Completed')}) and "
            f"{_text(shown['Declined by the service'])} declined "
            f"({share('Declined by the service')}); "
            f"{_text(shown['Still open'])} are still open."
        )
    else:
        summary = "No referrals were sent in this period."
    chart = horizontal_bars(
        slug="outcomes",
        title=table.title,
        summary=summary,
        items=_bar_items(counts, shown),
    )
    return Section("outcomes", table.title, summary, table, chart)


def _declines(report: Report, suppress: bool) -> Section:
    counts = {label: n for _, label, n in report.declines}
    # The reasons add up to the declines shown in the outcomes.
    shown = protected_counts(counts, suppress=suppress, parts=tuple(counts))
    table = Table(
        slug="declines",
        title="Why services declined",
        columns=["Reason", "Referrals declined"],
        rows=[[label, shown[label]] for label in counts],
    )
    if counts:
        label = next(iter(counts))
        summary = (
            f"The most common reason was “{label}”: {_text(shown[label])} "
            f"of {_text(count_cell(report.total.declined, suppress))} declines."
        )
    else:
        summary = "No service declined a referral sent in this period."
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
        ("First answer", total.answered, total.answer_median, total.answer_p90),
        ("Completion", total.completed, total.completion_median, total.completion_p90),
    ]
    table = Table(
        slug="times",
        title="How long referrals took, in days",
        columns=["From sending to", "Referrals measured", "Median", "90th percentile"],
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
        summary = (
            f"Half of the services' first answers came within {answer[2]:g} days of "
            f"sending, and 9 in 10 within {answer[3]:g} days."
        )
        done = table.rows[1]
        if isinstance(done[2], float):
            summary += (
                f" Half of the completed referrals were completed within "
                f"{done[2]:g} days, and 9 in 10 within {done[3]:g} days."
            )
    elif answer[2] == TOO_FEW:
        summary = "Too few referrals were answered to show how long answers took."
    else:
        summary = "No service has answered a referral sent in this period yet."
    items = []
    for label, n, median, p90 in measures:
        for name, value in (("median", median), ("90th percentile", p90)):
            cell = days_cell(value, n, suppress)
            drawn = cell if isinstance(cell, float) else None
            text = "no data" if cell is None else _text(cell)
            items.append((f"{label}: {name}", drawn, f"{text} days" if drawn else text))
    chart = horizontal_bars(
        slug="times", title=table.title, summary=summary, items=items, style=2
    )
    return Section("times", table.title, summary, table, chart)


def _months(report: Report, suppress: bool) -> Section:
    table = Table(
        slug="months",
        title="Month by month",
        columns=["Month", *COUNT_COLUMNS, *TIME_COLUMNS],
        rows=[
            breakdown_row(row.label, row.figures, suppress) for row in report.by_month
        ],
    )
    busiest = max(report.by_month, key=lambda row: row.figures.sent, default=None)
    if busiest is None or not busiest.figures.sent:
        summary = f"No referrals were sent in the {len(report.by_month)} months."
    else:
        summary = (
            f"Referrals sent, completed and declined in each of the "
            f"{len(report.by_month)} months. The busiest month was {busiest.label}, "
            f"with {_text(count_cell(busiest.figures.sent, suppress))} sent."
        )

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
        categories=[row.label for row in report.by_month],
        series=[
            ("Sent", drawn("sent")),
            ("Completed", drawn("completed")),
            ("Declined", drawn("declined")),
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
        ("services", "service", "services"),
        ("needs", "type of need", "types of need"),
    ]
    if with_caseworkers:
        breakdowns.append(("caseworkers", "caseworker", "caseworkers"))
    for slug, one, many in breakdowns:
        rows = getattr(report, f"by_{slug.removesuffix('s')}")
        table = _breakdown(
            slug, f"By {one}", one.capitalize(), rows, suppress, rows_shown
        )
        table.more = max(report.breakdown_sizes.get(slug, 0) - len(table.rows), 0)
        if not rows:
            summary = "No referrals were sent in this period."
        elif table.more:
            summary = (
                f"The {len(table.rows)} {many} with the most referrals sent in this "
                f"period; the {table.more:,} others are in the download."
            )
        else:
            summary = (
                f"Every one of the {len(table.rows)} {many}, most referrals first."
            )
        sections.append(Section(slug, table.title, summary, table))
    return sections


# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(cell) -> str:
    if cell is None:
        return ""
    text = str(cell)
    if isinstance(cell, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_value(cell) for cell in row])
    return out.getvalue()

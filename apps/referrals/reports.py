"""Referral outcome reports: what happened to the referrals sent in a period.

Every figure comes from the referrals' timelines (ReferralEvent: each status change
with its time), aggregated in PostgreSQL in ONE statement whatever the number of
referrals: the referrals in scope are folded to one row each (when they were sent,
first answered, completed; how they ended), then counted and measured for the
whole set, by service, by caseworker, by month, by decline reason (GROUPING SETS)
and by type of need (the service's taxonomy terms).

The rules, so that the figures mean the same thing everywhere:

- A referral belongs to the period in which it was SENT (its draft -> sent event).
  Drafts never sent are not counted, nor are drafts cancelled before sending.
- "Accepted" counts every referral the service said yes to: accepted, or given an
  appointment straight away (sent -> scheduled). "Scheduled", "completed",
  "declined", "cancelled" and "no response" count referrals that reached that
  status at any time, whenever that was (a referral sent in March and completed
  in May counts as completed for March).
- The service's first answer is its first accept, appointment or decline after
  sending; cancelling and "no response" are not answers. Times are in days
  (fractional), from sending; medians and 90th percentiles (percentile_cont) leave
  out referrals not answered or not completed yet.
- A referral counts for the caseworker who holds the client NOW (Client.caseworker):
  when a supervisor reassigns a client, the whole history of their referrals moves
  with them, as the caseload does. The team is the client's team.
- Months are calendar months in the site's time zone (settings.TIME_ZONE).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from apps.accounts.models import User
from apps.directory.models import Service, TaxonomyTerm

from .models import DeclineReason, ReferralEvent, ReferralStatus

S = ReferralStatus
# The service's answers to a sent referral (see the module's rules).
ANSWERS = (S.ACCEPTED, S.SCHEDULED, S.DECLINED)
NOT_RECORDED = "Reason not recorded"
# A report is worked out at most this often per scope and period: its one query
# folds every timeline in scope (a team's year is thousands of referrals), and
# figures a few minutes old serve a supervisor's review as well as live ones.
REPORT_CACHE_SECONDS = 5 * 60


@dataclass(frozen=True)
class Period:
    """Whole days, from start to end inclusive, in the site's time zone."""

    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_default_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    def months(self) -> list[date]:
        """The first day of every calendar month the period touches."""
        month, last = self.start.replace(day=1), self.end.replace(day=1)
        months = []
        while month <= last:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months


@dataclass
class Figures:
    """Counts and times for one set of referrals (all, one service, one month...)."""

    sent: int = 0
    accepted: int = 0
    scheduled: int = 0
    completed: int = 0
    declined: int = 0
    cancelled: int = 0
    no_response: int = 0
    answered: int = 0
    answer_median: float | None = None
    answer_p90: float | None = None
    completion_median: float | None = None
    completion_p90: float | None = None

    @property
    def still_open(self) -> int:
        return self.sent - (
            self.completed + self.declined + self.cancelled + self.no_response
        )


FIGURE_FIELDS = [name for name in Figures.__dataclass_fields__]


@dataclass
class Row:
    key: str
    label: str
    figures: Figures


@dataclass
class Report:
    period: Period
    computed_at: datetime | None = None
    total: Figures = field(default_factory=Figures)
    declines: list[tuple[str, str, int]] = field(default_factory=list)
    by_month: list[Row] = field(default_factory=list)
    by_service: list[Row] = field(default_factory=list)
    by_need: list[Row] = field(default_factory=list)
    by_caseworker: list[Row] = field(default_factory=list)
    # How many services, needs and caseworkers there are in all, whether or not
    # every row was kept (see rows_per_breakdown).
    breakdown_sizes: dict[str, int] = field(default_factory=dict)


# The figures of one group of per-referral rows; the same for every breakdown.
METRICS = """
    count(*) AS sent,
    count(*) FILTER (WHERE is_accepted) AS accepted,
    count(*) FILTER (WHERE is_scheduled) AS scheduled,
    count(*) FILTER (WHERE completed_at IS NOT NULL) AS completed,
    count(*) FILTER (WHERE is_declined) AS declined,
    count(*) FILTER (WHERE is_cancelled) AS cancelled,
    count(*) FILTER (WHERE is_no_response) AS no_response,
    count(answer_days) AS answered,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY answer_days) AS answer_median,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY answer_days) AS answer_p90,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY completion_days)
        AS completion_median,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY completion_days) AS completion_p90
"""

REPORT_SQL = """
WITH per_referral AS MATERIALIZED (
    -- One row per referral in scope sent in the period: its timeline, folded.
    SELECT
        s.referral_id,
        s.service_id,
        s.caseworker_id,
        min(e.at) FILTER (WHERE e.to_status = 'sent') AS sent_at,
        min(e.at) FILTER (WHERE e.to_status IN {answers}) AS answered_at,
        min(e.at) FILTER (WHERE e.to_status = 'completed') AS completed_at,
        bool_or(e.to_status IN ('accepted', 'scheduled')) AS is_accepted,
        bool_or(e.to_status = 'scheduled') AS is_scheduled,
        bool_or(e.to_status = 'declined') AS is_declined,
        bool_or(e.to_status = 'cancelled') AS is_cancelled,
        bool_or(e.to_status = 'no_response') AS is_no_response,
        max(e.decline_reason) FILTER (WHERE e.to_status = 'declined')
            AS decline_reason
    -- The referrals the reader may see, with what the breakdowns need.
    FROM ({scope}) AS s (referral_id, service_id, caseworker_id)
    JOIN {event} e ON e.referral_id = s.referral_id
    GROUP BY s.referral_id, s.service_id, s.caseworker_id
    HAVING min(e.at) FILTER (WHERE e.to_status = 'sent') >= %s
       AND min(e.at) FILTER (WHERE e.to_status = 'sent') < %s
),
measured AS (
    SELECT
        *,
        extract(epoch FROM answered_at - sent_at) / 86400.0 AS answer_days,
        extract(epoch FROM completed_at - sent_at) / 86400.0 AS completion_days,
        date_trunc('month', sent_at AT TIME ZONE %s)::date AS month
    FROM per_referral
),
grouped AS (
    SELECT
        CASE
            WHEN grouping(service_id) = 0 THEN 'service'
            WHEN grouping(caseworker_id) = 0 THEN 'caseworker'
            WHEN grouping(month) = 0 THEN 'month'
            WHEN grouping(decline_reason) = 0 THEN 'decline'
            ELSE 'total'
        END AS dimension,
        service_id, caseworker_id, NULL::uuid AS term_id, month, decline_reason,
        {metrics}
    FROM measured
    GROUP BY GROUPING SETS (
        (), (service_id), (caseworker_id), (month), (decline_reason)
    )
    UNION ALL
    -- A service can meet several needs: its referrals count under each. (OFFSET 0
    -- keeps the look-up per service on the index, whatever the planner expects.)
    SELECT 'need', NULL, NULL, terms.taxonomyterm_id, NULL, NULL, {metrics}
    FROM measured
    CROSS JOIN LATERAL (
        SELECT st.taxonomyterm_id FROM {service_terms} st
        WHERE st.service_id = measured.service_id OFFSET 0
    ) terms
    GROUP BY terms.taxonomyterm_id
),
ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY dimension
            ORDER BY sent DESC, service_id, caseworker_id, term_id
        ) AS place,
        count(*) OVER (PARTITION BY dimension) AS rows_in_dimension
    FROM grouped
)
-- Names only for the rows kept: one index look-up each.
SELECT
    ranked.*,
    CASE dimension
        WHEN 'service' THEN (SELECT name FROM {service} WHERE id = service_id)
        WHEN 'caseworker' THEN (
            SELECT coalesce(nullif(full_name, ''), email) FROM {user}
            WHERE id = caseworker_id
        )
        WHEN 'need' THEN (SELECT name FROM {term} WHERE id = term_id)
    END AS label
FROM ranked
WHERE place <= %s OR dimension NOT IN ('service', 'caseworker', 'need')
"""


def _report_sql(scope: QuerySet) -> tuple[str, list]:
    scope_sql, scope_params = (
        scope.order_by()
        .values_list("pk", "service_id", "client__caseworker_id")
        .query.sql_with_params()
    )
    terms = Service.taxonomy_terms.through
    sql = REPORT_SQL.format(
        event=ReferralEvent._meta.db_table,
        service=Service._meta.db_table,
        user=User._meta.db_table,
        term=TaxonomyTerm._meta.db_table,
        service_terms=terms._meta.db_table,
        answers="(" + ", ".join(f"'{status}'" for status in ANSWERS) + ")",
        metrics=METRICS,
        scope=scope_sql,
    )
    return sql, list(scope_params)


def build_report(
    referrals: QuerySet, period: Period, *, rows_per_breakdown: int | None = None
) -> Report:
    """The report of the referrals in `referrals` (already scoped to what the
    reader may see) sent during `period`, in one database query.

    rows_per_breakdown keeps only the services, needs and caseworkers with the most
    referrals (a page shows the top ones; a download gets them all).
    """
    start, end = period.bounds()
    sql, scope_params = _report_sql(referrals)
    limit = rows_per_breakdown if rows_per_breakdown is not None else 2**31 - 1
    params = [*scope_params, start, end, settings.TIME_ZONE, limit]
    with connections[referrals.db].cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        rows = [dict(zip(columns, values, strict=True)) for values in cursor]
    report = _assemble(period, rows)
    report.computed_at = timezone.now()
    return report


def cached_report(
    referrals: QuerySet,
    period: Period,
    *,
    scope_key: str,
    rows_per_breakdown: int | None = None,
) -> Report:
    """build_report, kept for REPORT_CACHE_SECONDS under scope_key: the same for
    everyone who may see the same referrals (a team, a caseworker's own)."""
    # By language too: the breakdowns' labels are read in the page's language.
    key = ":".join(
        ["referrals:report:v2", get_language(), scope_key, period.start.isoformat()]
        + [period.end.isoformat(), str(rows_per_breakdown)]
    )
    report = cache.get(key)
    if report is None:
        report = build_report(referrals, period, rows_per_breakdown=rows_per_breakdown)
        cache.set(key, report, REPORT_CACHE_SECONDS)
    return report


def _figures(row: dict) -> Figures:
    return Figures(**{name: row[name] for name in FIGURE_FIELDS})


def _by_sent(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: (-row.figures.sent, row.label.lower()))


def _assemble(period: Period, rows: list[dict]) -> Report:
    report = Report(period=period)
    months = {}
    for row in rows:
        dimension = row["dimension"]
        if dimension == "total":
            report.total = _figures(row)
        elif dimension == "month":
            months[row["month"]] = _figures(row)
        elif dimension == "decline":
            if row["declined"]:  # the other group is the referrals not declined
                reason = row["decline_reason"]
                label = DeclineReason(reason).label if reason else NOT_RECORDED
                report.declines.append((reason, label, row["declined"]))
        else:
            report.breakdown_sizes[f"{dimension}s"] = row["rows_in_dimension"]
            key = row["service_id"] or row["caseworker_id"] or row["term_id"]
            target = {
                "service": report.by_service,
                "caseworker": report.by_caseworker,
                "need": report.by_need,
            }[dimension]
            target.append(Row(str(key), row["label"] or "", _figures(row)))
    report.declines.sort(key=lambda item: (-item[2], item[1]))
    # Every month of the period, with nothing sent shown as nothing.
    report.by_month = [
        Row(
            month.strftime("%Y-%m"),
            month.strftime("%b %Y"),
            months.get(month, Figures()),
        )
        for month in period.months()
    ]
    report.by_service = _by_sent(report.by_service)
    report.by_need = _by_sent(report.by_need)
    report.by_caseworker = _by_sent(report.by_caseworker)
    return report

"""When a service is open, kept on its row as minutes of the week, so that "open now"
is one test of the service row instead of a search through every weekly schedule.

A service's weekly opening hours (its own WEEKLY schedule rows and those of its
service-at-locations) are stored in ``Service.open_minutes`` as a PostgreSQL
``int4multirange`` of minutes since Monday 00:00 (0 to 10,080), local time:
Monday 9:00 to 17:00 is [540, 1020). Hours that close at or before they open run
overnight into the next day (Sunday's into Monday's morning); hours without a
closing time run to midnight. ``refresh_search_index`` keeps the column, like the
other search columns, on every path that writes services or their schedules.

Reading all weekly schedules for each search cost 300-500 ms of SQL at 100,000
services (two hashed subplans over every schedule row); the row test costs
microseconds.
"""

from datetime import datetime

from django.db import models
from django.db.models import Lookup

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
# HSDS BYDAY codes and their day of the week, Monday first (datetime.weekday()).
DAY_NUMBERS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


class MinutesOfWeekField(models.Field):
    """Ranges of minutes of the week (PostgreSQL int4multirange); psycopg reads and
    writes them as ``psycopg.types.range.Multirange``."""

    description = "Minutes of the week (int4multirange)"

    def db_type(self, connection):
        return "int4multirange"


@MinutesOfWeekField.register_lookup
class IncludesMinute(Lookup):
    """``open_minutes__includes=minute``: the ranges hold this minute of the week."""

    lookup_name = "includes"

    def get_db_prep_lookup(self, value, connection):
        return "%s", [int(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @> {rhs}::integer", [*lhs_params, *rhs_params]


def minute_of_week(moment: datetime) -> int:
    """Minutes since Monday 00:00 of this moment's own (local) clock."""
    return moment.weekday() * MINUTES_PER_DAY + moment.hour * 60 + moment.minute


def _minutes(column: str) -> str:
    return f"(extract(hour FROM {column}) * 60 + extract(minute FROM {column}))::int"


_DAYS = ", ".join(f"('{code}', {number})" for code, number in DAY_NUMBERS.items())


def open_minutes_lateral(service_id: str) -> str:
    """A LATERAL subquery giving the open minutes of the service whose id is the
    SQL expression ``service_id`` (fixed SQL, such as ``src.id``): one row with one
    column, ``minutes``, NULL without weekly hours. Each service's schedules are
    found through their indexes. For cursor.execute() with parameters, hence the
    doubled per cent signs."""
    return f"""
    LATERAL (
        SELECT range_agg(int4range(piece.lower, piece.upper)) AS minutes
        FROM (
            SELECT h.byday, h.opens_at, h.closes_at
            FROM directory_schedule h
            WHERE h.service_id = {service_id}
              AND upper(h.freq) = 'WEEKLY' AND h.opens_at IS NOT NULL
            UNION ALL
            SELECT h.byday, h.opens_at, h.closes_at
            FROM directory_schedule h
            JOIN directory_serviceatlocation sl ON sl.id = h.service_at_location_id
            WHERE sl.service_id = {service_id}
              AND upper(h.freq) = 'WEEKLY' AND h.opens_at IS NOT NULL
        ) h
        JOIN (VALUES {_DAYS}) AS day(code, number)
          ON upper(h.byday) LIKE '%%' || day.code || '%%'
        CROSS JOIN LATERAL (
            SELECT day.number * {MINUTES_PER_DAY} + {_minutes("h.opens_at")} AS opens,
                   day.number * {MINUTES_PER_DAY} + CASE
                       WHEN h.closes_at IS NULL THEN {MINUTES_PER_DAY}
                       WHEN h.closes_at > h.opens_at THEN {_minutes("h.closes_at")}
                       ELSE {MINUTES_PER_DAY} + {_minutes("h.closes_at")}
                   END AS closes
        ) span
        -- Past Sunday midnight, the week starts again at Monday 00:00.
        CROSS JOIN LATERAL (
            VALUES (span.opens, least(span.closes, {MINUTES_PER_WEEK})),
                   (0, span.closes - {MINUTES_PER_WEEK})
        ) AS piece(lower, upper)
        WHERE piece.upper > piece.lower
    )
    """  # nosec B608: fixed SQL only

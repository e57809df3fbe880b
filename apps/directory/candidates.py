"""The candidate query of a directory search, composed from fixed SQL fragments.

Compiling a search's QuerySet through the ORM cost about 10 ms of Python per ZIP code
search (the distance expression, the Min() aggregate and the rank resolved and
compiled, twice when the inner circle was tried first), more than the database took
to answer. Here the same query is a few string joins.

Each filter method of ServiceQuerySet filters with a :class:`ServiceSQL` fragment
and records that same fragment in a :class:`CandidateQuery`, so the composed SQL and
the QuerySet's own SQL cannot mean different things. A QuerySet changed any other
way (a plain ``filter()``, ``exclude()``, ``order_by()``...) is a new query that no
CandidateQuery describes: ServiceSearch then compiles it through the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db.models import BooleanField, Expression, FloatField

from .geo import ZipCentroid, box_bounds, distance_sql

SERVICE_TABLE = '"directory_service"'


class ServiceSQL(Expression):
    """A fixed SQL fragment about the service row, ``{table}`` standing for the
    service table: its alias when the query is a subquery of another one."""

    def __init__(self, sql: str, params=(), output_field=None, *, indexed=False):
        super().__init__(output_field=output_field or BooleanField())
        self.sql = sql
        self.params = list(params)
        # A condition with an index of its own, that may find few services.
        self.indexed = indexed

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        return self.sql.format(table=table), self.params

    def resolve_expression(self, *args, **kwargs):
        return self

    def get_group_by_cols(self):
        return [self]

    def composed(self) -> tuple[str, list]:
        return self.sql.format(table=SERVICE_TABLE), self.params


def ts_query(text: str, config: str) -> tuple[str, list]:
    return "to_tsquery(%s::regconfig, %s)", [config, text]


def words_condition(text: str, config: str) -> ServiceSQL:
    sql, params = ts_query(text, config)
    return ServiceSQL(f'{{table}}."search_vector" @@ {sql}', params, indexed=True)


def words_rank(text: str, config: str) -> ServiceSQL:
    sql, params = ts_query(text, config)
    return ServiceSQL(
        f'ts_rank({{table}}."search_vector", {sql})', params, FloatField()
    )


@dataclass(frozen=True)
class Near:
    centre: ZipCentroid
    miles: float
    beyond: float = 0

    def distance(self, table: str) -> tuple[str, list]:
        centre = self.centre
        return distance_sql(
            f'{table}."latitude"',
            f'{table}."longitude"',
            centre.latitude,
            centre.longitude,
        )

    def in_circle(self, table: str) -> tuple[str, list]:
        """The locations of ``table`` in the box around the circle (the coordinate
        index), then in the circle."""
        distance, params = self.distance(table)
        sql = (
            f'{table}."latitude" BETWEEN %s AND %s'
            f' AND {table}."longitude" BETWEEN %s AND %s AND {distance} <= %s'
        )
        centre = self.centre
        box = box_bounds(centre.latitude, centre.longitude, self.miles)
        return sql, [*box, *params, self.miles]

    def nearest_first(self) -> tuple[str, list]:
        """(service_id, distance) of the services with a location in the circle,
        nearest first: computed from the coordinate index and the service-location
        index alone, so that the services are then read in this order and reading
        stops at the limit (an incremental sort orders equal distances by name)."""
        distance, params = self.distance("l")
        in_circle, in_circle_params = self.in_circle("l")
        having = " HAVING min(" + distance + ") > %s" if self.beyond else ""
        sql = (
            # Fixed fragments only; every value is a parameter.
            f"SELECT sal.service_id, min({distance}) AS distance"  # nosec B608
            ' FROM "directory_location" l JOIN "directory_serviceatlocation" sal'
            f' ON sal."location_id" = l."id" WHERE {in_circle}'
            f" GROUP BY sal.service_id{having} ORDER BY 2"
        )
        params = [*params, *in_circle_params]
        if self.beyond:
            params += [*self.distance("l")[1], self.beyond]
        return sql, params


@dataclass(frozen=True)
class CandidateQuery:
    """What a ServiceQuerySet's filter methods asked for, for the QuerySet whose
    ``query`` is ``query`` (and no other)."""

    query: Any
    conditions: tuple[ServiceSQL, ...] = ()
    rank: ServiceSQL | None = None
    near: Near | None = None

    def describes(self, query) -> bool:
        return self.query is query

    def narrowed(self, query, condition: ServiceSQL | None = None, **changes):
        conditions = self.conditions + ((condition,) if condition else ())
        return replace(self, query=query, conditions=conditions, **changes)

    def within(self, miles: float) -> CandidateQuery:
        """The same search in a smaller circle."""
        return replace(self, near=replace(self.near, miles=miles))

    def sql(self, order: list[str], limit: int) -> tuple[str, list]:
        """The ids and names of the first ``limit`` matches with their rank and
        distance (as far as asked for), in ``order`` unless it starts with
        "-rank": then any ``limit`` matches, to be ranked by the caller.

        Nearest first, the services in the circle are read nearest first until
        the limit, unless a condition has an index of its own (words, types,
        language, disease): then the services it finds may be far fewer than
        those in the circle, and the planner chooses where to start."""
        select = [f'{SERVICE_TABLE}."id" AS id', f'{SERVICE_TABLE}."name" AS name']
        select_params: list = []
        if self.rank is not None:
            rank_sql, rank_params = self.rank.composed()
            select.append(f"{rank_sql} AS rank")
            select_params += rank_params
        source, source_params = SERVICE_TABLE, []
        where, where_params = [], []
        for condition in self.conditions:
            sql, condition_params = condition.composed()
            where.append(sql)
            where_params += condition_params
        group, group_params = "", []
        distance_key = "n.distance"
        near = self.near
        if near is not None and order[0] == "distance" and not self._indexed():
            near_sql, source_params = near.nearest_first()
            select.append("n.distance AS distance")
            source = (
                f"({near_sql}) AS n JOIN {SERVICE_TABLE}"
                f' ON {SERVICE_TABLE}."id" = n.service_id'
            )
        elif near is not None:
            distance, distance_params = near.distance("l")
            select.append(f"min({distance}) AS distance")
            select_params += distance_params
            source = (
                f'{SERVICE_TABLE} JOIN "directory_serviceatlocation" sal'
                f' ON sal."service_id" = {SERVICE_TABLE}."id"'
                ' JOIN "directory_location" l ON l."id" = sal."location_id"'
            )
            in_circle, in_circle_params = near.in_circle("l")
            where.append(in_circle)
            where_params += in_circle_params
            group = f' GROUP BY {SERVICE_TABLE}."id"'
            if near.beyond:
                group += f" HAVING min({distance}) > %s"
                group_params = [*distance_params, near.beyond]
            distance_key = "distance"
        # Fixed fragments only (ServiceSQL and the columns above); values are params.
        sql = f"SELECT {', '.join(select)} FROM {source}"  # nosec B608
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += group
        if order[0] != "-rank":
            columns = {**_ORDER_COLUMNS, "distance": f"{distance_key} ASC"}
            sql += " ORDER BY " + ", ".join(columns[key] for key in order)
        params = [*select_params, *source_params, *where_params, *group_params]
        return f"{sql} LIMIT %s", [*params, limit]

    def _indexed(self) -> bool:
        return self.rank is not None or any(c.indexed for c in self.conditions)


_ORDER_COLUMNS = {
    "name": f'{SERVICE_TABLE}."name" ASC',
    "id": f'{SERVICE_TABLE}."id" ASC',
}

"""The candidate query of a directory search, composed from fixed SQL fragments.

Compiling a search's QuerySet through the ORM cost about 10 ms of Python per ZIP code
search (the distance expression, the Min() aggregate and the rank resolved and
compiled, twice when the inner circle was tried first), more than the database took
to answer. Here the same query is a few string joins.

Each filter method of ServiceQuerySet filters with a :class:`ServiceSQL` fragment
and records that same fragment in a :class:`CandidateQuery`, so the composed SQL and
the QuerySet's own SQL cannot mean different things. A QuerySet changed any other
way (a plain ``filter()``, ``exclude()``, ``order_by()``...) is a new query that no
CandidateQuery describes: ServiceSearch then compiles it through the ORM (which
joins the services to their locations instead of reading their places).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db.models import BooleanField, Expression, FloatField

from .geo import ZipCentroid, box_bounds, distance_sql

SERVICE_TABLE = '"directory_service"'
# The output field of every condition: one instance, as making a field per
# condition cost more than the rest of the fragment (a search makes a dozen).
_CONDITION = BooleanField()
_RANK = FloatField()


class ServiceSQL(Expression):
    """A fixed SQL fragment about the service row, ``{table}`` standing for the
    service table: its alias when the query is a subquery of another one."""

    def __init__(self, sql: str, params=(), output_field=None):
        super().__init__(output_field=output_field or _CONDITION)
        self.sql = sql
        self.params = list(params)

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        return self.sql.format(table=table), self.params

    def resolve_expression(self, *args, **kwargs):
        return self

    def get_group_by_cols(self):
        return [self]

    def composed(self, table: str = SERVICE_TABLE) -> tuple[str, list]:
        return self.sql.format(table=table), self.params


def ts_query(text: str, config: str) -> tuple[str, list]:
    return "to_tsquery(%s::regconfig, %s)", [config, text]


def words_condition(text: str, config: str) -> ServiceSQL:
    sql, params = ts_query(text, config)
    return ServiceSQL(f'{{table}}."search_vector" @@ {sql}', params)


def words_rank(text: str, config: str) -> ServiceSQL:
    sql, params = ts_query(text, config)
    return ServiceSQL(f'ts_rank({{table}}."search_vector", {sql})', params, _RANK)


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
        """The places of ``table`` (apps.directory.places) in the box around the
        circle, then in the circle. Their coordinates are floats: compared with
        floats, they keep their index."""
        distance, params = self.distance(table)
        centre = self.centre
        box = box_bounds(centre.latitude, centre.longitude, self.miles)
        sql = (
            f'{table}."latitude" BETWEEN %s AND %s'
            f' AND {table}."longitude" BETWEEN %s AND %s AND {distance} <= %s'
        )
        return sql, [*(float(edge) for edge in box), *params, self.miles]


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

        Within a distance, the search reads the services' places (one narrow
        table with the coordinates and the conditions' columns): the planner
        starts from the box or from a condition's index, whichever finds fewer.
        Without one, it reads their narrow search rows (apps.directory.places)."""
        if self.near is not None:
            return self._places_sql(order, limit)
        # Without a distance, the services' narrow search rows (places.py).
        select = [f'{ROW}."service_id" AS id', f'{ROW}."name" AS name']
        select_params: list = []
        if self.rank is not None:
            rank_sql, rank_params = self.rank.composed(ROW)
            select.append(f"{rank_sql} AS rank")
            select_params += rank_params
        where, where_params = [], []
        for condition in self.conditions:
            sql, condition_params = condition.composed(ROW)
            where.append(sql)
            where_params += condition_params
        # Fixed fragments only (ServiceSQL and the columns above); values are params.
        sql = (
            f"SELECT {', '.join(select)}"  # nosec B608
            f' FROM "directory_servicesearchrow" {ROW}'
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        if order[0] != "-rank":
            sql += " ORDER BY " + ", ".join(_ORDER_COLUMNS[key] for key in order)
        return f"{sql} LIMIT %s", [*select_params, *where_params, limit]

    def _places_sql(self, order: list[str], limit: int) -> tuple[str, list]:
        """The same search read from the services' places (apps.directory.places):
        one narrow table holds the coordinates and every column the conditions
        name, so the box and the words or types meet as bitmaps of one table."""
        near = self.near
        distance, distance_params = near.distance(PLACE)
        select = [f'{PLACE}."service_id" AS id', f'min({PLACE}."name") AS name']
        select_params: list = []
        if self.rank is not None:
            rank_sql, rank_params = self.rank.composed(PLACE)
            # The same vector on each place of a service: any one gives its rank.
            select.append(f"max({rank_sql}) AS rank")
            select_params += rank_params
        select.append(f"min({distance}) AS distance")
        select_params += distance_params
        where, where_params = [], []
        for condition in self.conditions:
            sql, condition_params = condition.composed(PLACE)
            where.append(sql)
            where_params += condition_params
        in_box, in_box_params = near.in_circle(PLACE)
        where.append(in_box)
        where_params += in_box_params
        # Fixed fragments only (ServiceSQL and the columns above); values are params.
        sql = (
            f"SELECT {', '.join(select)}"  # nosec B608
            f' FROM "directory_serviceplace" {PLACE} WHERE {" AND ".join(where)}'
            f' GROUP BY {PLACE}."service_id"'
        )
        group_params: list = []
        if near.beyond:
            sql += f" HAVING min({distance}) > %s"
            group_params = [*distance_params, near.beyond]
        if order[0] != "-rank":
            sql += " ORDER BY " + ", ".join(_PLACE_ORDER[key] for key in order)
        params = [*select_params, *where_params, *group_params, limit]
        return f"{sql} LIMIT %s", params


# The places' query is grouped by service: it orders by its output columns.
PLACE = "p"
_PLACE_ORDER = {"name": "name ASC", "id": "id ASC", "distance": "distance ASC"}
# The services' search rows (places.py), without a distance.
ROW = "r"
_ORDER_COLUMNS = {"name": f'{ROW}."name" ASC', "id": f'{ROW}."service_id" ASC'}

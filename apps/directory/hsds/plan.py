"""What checking HSDS rows produces: each row's values and failures, and the plan
of an import (the rows it will write, those it skips and the links it drops), with
the helpers that the checks of one row (validation.py) and across rows
(references.py) share."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from .readers import Record

SKIPPED = "row skipped"
DROPPED = "link dropped, row kept"
# Ids looked up in the database per query.
CHUNK = 5000


class Invalid(Exception):
    pass


@dataclass
class Problem:
    where: str
    reason: str
    outcome: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}; {self.outcome}."


@dataclass
class Row:
    record: Record
    id: uuid.UUID | None
    # Model attribute name -> value, for the columns the file gives.
    values: dict = field(default_factory=dict)
    # Reference column -> id (None when the column is there but empty).
    refs: dict = field(default_factory=dict)
    # Why the row is skipped (all reasons found), and which links were dropped.
    failures: list[str] = field(default_factory=list)
    drops: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """What an import will write, and what it passed over."""

    rows: dict[str, dict[uuid.UUID, Row]] = field(default_factory=dict)
    failed: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    # (service id, taxonomy term id) pairs for Service.taxonomy_terms.
    links: set = field(default_factory=set)
    # Service id -> CareNav field -> value, from CareNav's detail attributes.
    facts: dict = field(default_factory=lambda: defaultdict(dict))
    # (service id, CareNav field) -> the attribute row that set it.
    fact_rows: dict = field(default_factory=dict)
    not_held: dict = field(default_factory=lambda: defaultdict(int))
    # Table -> id -> where, of rows skipped, so that rows referring to them say so.
    skipped: dict = field(default_factory=lambda: defaultdict(dict))

    def skip(self, row: Row, reason: str = "") -> None:
        if reason:
            row.failures.append(reason)
        table = row.record.table
        if row.id is not None and self.rows[table].get(row.id) is row:
            del self.rows[table][row.id]
        if row not in self.failed[table]:
            self.failed[table].append(row)
        if row.id is not None:
            self.skipped[table].setdefault(row.id, row.record.where)

    def drop(self, row: Row, reason: str) -> None:
        row.drops.append(reason)

    @property
    def problems(self) -> list[Problem]:
        rows = [row for failed in self.failed.values() for row in failed]
        rows += [
            row for table in self.rows.values() for row in table.values() if row.drops
        ]
        problems = []
        for row in sorted(rows, key=lambda row: row.record.seq):
            if row.failures:
                reasons, outcome = row.failures + row.drops, SKIPPED
            else:
                plural = "s" if len(row.drops) > 1 else ""
                reasons, outcome = row.drops, f"link{plural} dropped, row kept"
            problems.append(Problem(row.record.where, "; ".join(reasons), outcome))
        return problems

    @property
    def rows_skipped(self) -> int:
        return sum(len(failed) for failed in self.failed.values())

    @property
    def links_dropped(self) -> int:
        return sum(
            len(row.drops) for table in self.rows.values() for row in table.values()
        )


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def show(value) -> str:
    text = value if isinstance(value, str) else repr(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")

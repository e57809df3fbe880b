"""The narrow tables that searches read: where each listed service can be found,
for distance searches, and one row per service for the others.

A search near a ZIP code with keywords or filters used to join services to their
service-at-location links and locations, then check each service row found in the
box: a 150-mile ring around a town with two words and "open now" checked 4,300
service rows one by one (86 ms). A ``ServicePlace`` row is one service at one
located place, carrying the service's search columns (the same names as on
``Service``), so the same SQL fragments filter it: the database combines the box
(the coordinates' index) with the words, types, languages or diseases (GIN
indexes) as bitmaps, and reads a few narrow rows (4 ms for the same search). See
``apps.directory.candidates``.

A search without a distance reads ``ServiceSearchRow``: the same columns, one row
per service. A service row is 1.3 KB (its description, stored card, covering
indexes' columns), about four to a page, so the 2,400 matches of "family hospice"
were 2,200 pages to read and check against the filters. Narrow rows hold twelve to
a page, and both tables are written in an order that keeps together what one
search reads: the places by latitude band, then longitude (a box is a few runs of
pages), the services by their types, then name (most words people type belong to
one type's vocabulary). The same search reads 490 pages; "speech therapy" 22
instead of 172.

Like the service's own search columns, the rows are derived: ``refresh_search_index``
rebuilds them for the services it is given, and every path that changes a service,
its links to locations or a location's coordinates calls it. Rows rebuilt one
service at a time go where there is room; ``refresh_narrow_tables()`` (for all
services: seeding, ``manage.py refresh_search_index``) writes them in order again.
"""

from collections.abc import Sequence

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models, transaction

from .opening import MinutesOfWeekField

# The columns the search filters test (querysets.py): kept in the service's covering
# indexes (models.py imports them from here) and copied to its narrow rows.
SEARCH_FILTER_COLUMNS = [
    "status",
    "telehealth",
    "accepts_referrals",
    "last_verified",
    "diseases",
    "search_terms",
    "search_languages",
    "open_minutes",
]
# The service columns a narrow row carries: those the search filters and ranks on.
COPIED_COLUMNS = ("name", *SEARCH_FILTER_COLUMNS, "search_vector")


class SearchColumns(models.Model):
    """Copies of the service's columns (COPIED_COLUMNS), kept with it."""

    name = models.CharField(max_length=255)
    status = models.CharField(max_length=20)
    telehealth = models.BooleanField()
    accepts_referrals = models.BooleanField()
    last_verified = models.DateField(null=True)
    diseases = ArrayField(models.CharField(max_length=20), default=list)
    search_terms = ArrayField(models.UUIDField(), default=list)
    search_languages = ArrayField(models.CharField(max_length=100), default=list)
    open_minutes = MinutesOfWeekField(null=True)
    search_vector = SearchVectorField(null=True)

    class Meta:
        abstract = True


class ServicePlace(SearchColumns):
    """One service at one place with coordinates, for distance searches only."""

    # By name: models.py imports this module (and search.py, which uses it).
    service = models.ForeignKey(
        "directory.Service", on_delete=models.CASCADE, related_name="+", editable=False
    )
    location = models.ForeignKey(
        "directory.Location", on_delete=models.CASCADE, related_name="+", editable=False
    )
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        indexes = [
            # A B-tree, not GiST on a point: PostgreSQL estimates how many places
            # a box holds from the coordinates' statistics (for a point in a box,
            # it assumes 0.1% of the table), and so chooses well between the box
            # and the other conditions' indexes. Read with the conditions'
            # indexes as bitmaps: 1-3 ms where a 500-mile box with GiST took 57.
            models.Index(
                fields=["latitude", "longitude"], name="directory_place_point"
            ),
            GinIndex(fields=["search_vector"], name="directory_place_search"),
            GinIndex(fields=["search_terms"], name="directory_place_terms"),
            GinIndex(fields=["search_languages"], name="directory_place_languages"),
            GinIndex(fields=["diseases"], name="directory_place_diseases"),
        ]

    def __str__(self):
        return f"{self.name} ({self.latitude}, {self.longitude})"


class ServiceSearchRow(SearchColumns):
    """One service's search columns, for searches without a distance."""

    service = models.OneToOneField(
        "directory.Service",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        indexes = [
            GinIndex(fields=["search_vector"], name="directory_row_search"),
            GinIndex(fields=["search_terms"], name="directory_row_terms"),
            GinIndex(fields=["search_languages"], name="directory_row_languages"),
            GinIndex(fields=["diseases"], name="directory_row_diseases"),
            # Browsing by filters alone walks the names in order until it has
            # enough, and reads the filters from this index, not the rows.
            models.Index(
                fields=["name", "service"],
                include=SEARCH_FILTER_COLUMNS,
                name="directory_row_name",
            ),
        ]

    def __str__(self):
        return self.name


# The order each table is written in (see the module's docstring): places by
# half-degree band of latitude (about 35 miles), then longitude; services by their
# types (ids with their ancestors', sorted), then name.
PLACE_ORDER = "floor(l.latitude * 2), l.longitude"
ROW_ORDER = "s.search_terms, s.name"


def refresh_narrow_rows(cursor, service_ids: Sequence[str] | None) -> None:
    """Rebuild the narrow rows (places and search rows) of the given services (all
    when None), after their search columns: called by refresh_search_index, in its
    transaction."""
    columns = ", ".join(f'"{name}"' for name in COPIED_COLUMNS)
    copied = ", ".join(f's."{name}"' for name in COPIED_COLUMNS)
    only = "" if service_ids is None else "s.id = ANY(%s::uuid[])"
    params = [] if service_ids is None else [list(service_ids)]
    for table in ("directory_serviceplace", "directory_servicesearchrow"):
        if service_ids is None:
            cursor.execute(f"DELETE FROM {table}")  # nosec B608: fixed names
        else:
            cursor.execute(
                f"DELETE FROM {table} WHERE service_id = ANY(%s::uuid[])",  # nosec B608
                params,
            )
    located = "l.latitude IS NOT NULL AND l.longitude IS NOT NULL"
    # Fixed column names and orders only; the ids are a parameter.
    cursor.execute(
        f"""
        INSERT INTO directory_serviceplace
            (service_id, location_id, latitude, longitude, {columns})
        SELECT s.id, l.id, l.latitude, l.longitude, {copied}
          FROM directory_service s
          JOIN directory_serviceatlocation sal ON sal.service_id = s.id
          JOIN directory_location l ON l.id = sal.location_id
         WHERE {located}{" AND " + only if only else ""}
         ORDER BY {PLACE_ORDER}
        """,  # nosec B608: see the comment above
        params,
    )
    cursor.execute(
        f"""
        INSERT INTO directory_servicesearchrow (service_id, {columns})
        SELECT s.id, {copied} FROM directory_service s
        {"WHERE " + only if only else ""}
        ORDER BY {ROW_ORDER}
        """,  # nosec B608: see the comment above
        params,
    )


def refresh_narrow_tables() -> None:
    """Write every service's narrow rows again, in their order: after indexing the
    services in chunks (each chunk's rows would otherwise sit together, in the
    order of the chunks). One transaction: searches read the old rows until it
    commits."""
    with transaction.atomic(), connection.cursor() as cursor:
        refresh_narrow_rows(cursor, None)

"""Where each listed service can be found, in one narrow table for distance searches.

A search near a ZIP code with keywords or filters used to join services to their
service-at-location links and locations, then check each service row found in the
box: a 150-mile ring around a town with two words and "open now" checked 4,300
service rows one by one (86 ms). A ``ServicePlace`` row is one service at one
located place, carrying the service's search columns (the same names as on
``Service``), so the same SQL fragments filter it: the database combines the box
(the coordinates' index) with the words, types, languages or diseases (GIN
indexes) as bitmaps, and reads a few narrow rows (4 ms for the same search). See
``apps.directory.candidates``.

Like the service's own search columns, the rows are derived: ``refresh_search_index``
rebuilds them for the services it is given, and every path that changes a service,
its links to locations or a location's coordinates calls it.
"""

from collections.abc import Sequence

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from .opening import MinutesOfWeekField

# The columns the search filters test (querysets.py): kept in the service's covering
# indexes (models.py imports them from here) and copied to its places.
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
# The service columns a place carries: those the search filters and ranks on.
COPIED_COLUMNS = ("name", *SEARCH_FILTER_COLUMNS, "search_vector")


class ServicePlace(models.Model):
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
    # Copies of the service's columns (COPIED_COLUMNS), kept with it.
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


def refresh_places(cursor, service_ids: Sequence[str] | None) -> None:
    """Rebuild the places of the given services (all when None), after their
    search columns: called by refresh_search_index, in its transaction."""
    columns = ", ".join(f'"{name}"' for name in COPIED_COLUMNS)
    copied = ", ".join(f's."{name}"' for name in COPIED_COLUMNS)
    only = "" if service_ids is None else " AND s.id = ANY(%s::uuid[])"
    params = [] if service_ids is None else [list(service_ids)]
    if service_ids is None:
        cursor.execute("DELETE FROM directory_serviceplace")
    else:
        cursor.execute(
            "DELETE FROM directory_serviceplace WHERE service_id = ANY(%s::uuid[])",
            params,
        )
    cursor.execute(
        # Fixed column names only; the ids are a parameter.
        f"""
        INSERT INTO directory_serviceplace
            (service_id, location_id, latitude, longitude, {columns})
        SELECT s.id, l.id, l.latitude, l.longitude, {copied}
          FROM directory_service s
          JOIN directory_serviceatlocation sal ON sal.service_id = s.id
          JOIN directory_location l ON l.id = sal.location_id
         WHERE l.latitude IS NOT NULL AND l.longitude IS NOT NULL{only}
        """,  # nosec B608: see the comment above
        params,
    )

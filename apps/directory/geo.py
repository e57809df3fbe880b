"""Places and distances for the directory: the one ZIP lookup and the one distance
formula that the search page, the HSDS API and the demo data share.

Distances are great-circle miles (haversine) computed in SQL; the API converts them
to metres at its edge, because HSDS speaks metres.
"""

import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal

import zipcodes
from django.db.models import F, FloatField, Func

EARTH_RADIUS_MILES = 3958.8
METRES_PER_MILE = 1609.344
MILES_PER_DEGREE_LATITUDE = 69.0


@dataclass(frozen=True)
class ZipCentroid:
    zip_code: str
    city: str
    state: str
    latitude: float
    longitude: float


_ZIP_FORM = re.compile(r"^(\d{5})(?:-?\d{4})?$")


@functools.cache
def zip_index() -> dict[str, ZipCentroid]:
    """Every US ZIP code with a centre, by its five digits (from the zipcodes
    package, no network). Built once per process: the package loads its data on
    first use (about 2 s) and then scans all 42,000 codes on each lookup, so the
    web server builds this before it forks its workers (carenav/wsgi.py)."""
    index = {}
    for match in zipcodes.list_all():
        if match.get("lat") and match.get("long"):
            index.setdefault(
                match["zip_code"],
                ZipCentroid(
                    zip_code=match["zip_code"],
                    city=match.get("city", ""),
                    state=match.get("state", ""),
                    latitude=float(match["lat"]),
                    longitude=float(match["long"]),
                ),
            )
    return index


def find_zip(zip_code: str) -> ZipCentroid | None:
    """The centre of a US ZIP code (ZIP+4 accepted); None when there is no such
    ZIP code."""
    found = _ZIP_FORM.match((zip_code or "").strip())
    return zip_index().get(found.group(1)) if found else None


def distance_sql(
    latitude_sql: str, longitude_sql: str, latitude: float, longitude: float
) -> tuple[str, list]:
    """The one distance formula: great-circle miles (haversine) from a point to the
    coordinates that ``latitude_sql`` and ``longitude_sql`` name (SQL without
    parameters, e.g. ``l."latitude"``), as SQL text and its parameters. The text
    is the same for every point, so building it costs nothing per search."""
    sql = (
        f"(2 * {EARTH_RADIUS_MILES} * asin(sqrt(least(1.0, "
        f"power(sin(radians({latitude_sql}::float8 - %s) / 2), 2)"
        f" + cos(radians(%s)) * cos(radians({latitude_sql}::float8))"
        f" * power(sin(radians({longitude_sql}::float8 - %s) / 2), 2)))))"
    )
    # least() guards asin() against a rounding error just above 1.
    return sql, [latitude, latitude, longitude]


class DistanceMiles(Func):
    """:func:`distance_sql` as an ORM expression over two coordinate fields."""

    output_field = FloatField()

    def __init__(self, latitude_field, longitude_field, *, origin: tuple):
        super().__init__(latitude_field, longitude_field)
        self.origin = origin

    def as_sql(self, compiler, connection, **extra):
        (lat_sql, lat_params), (lng_sql, lng_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        if lat_params or lng_params:
            raise ValueError("DistanceMiles takes plain coordinate columns.")
        return distance_sql(lat_sql, lng_sql, *self.origin)


def distance_miles(latitude: float, longitude: float, prefix: str = "") -> Func:
    """Great-circle miles from a point to the latitude/longitude fields ``prefix``
    names (e.g. ``"location__"``)."""
    return DistanceMiles(
        F(f"{prefix}latitude"),
        F(f"{prefix}longitude"),
        origin=(float(latitude), float(longitude)),
    )


def box_bounds(
    latitude: float, longitude: float, miles: float
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(south, north, west, east) of a box around a circle, so that the coordinate
    index narrows a distance search before any distance is computed. Decimals:
    compared with a float, the numeric coordinate columns would lose their index."""
    dlat = miles / MILES_PER_DEGREE_LATITUDE
    dlng = miles / (
        MILES_PER_DEGREE_LATITUDE * max(math.cos(math.radians(latitude)), 0.01)
    )
    return (
        Decimal(f"{max(latitude - dlat, -90):.6f}"),
        Decimal(f"{min(latitude + dlat, 90):.6f}"),
        Decimal(f"{max(longitude - dlng, -180):.6f}"),
        Decimal(f"{min(longitude + dlng, 180):.6f}"),
    )


def bounding_box(
    latitude: float, longitude: float, miles: float, prefix: str = ""
) -> dict:
    """:func:`box_bounds` as lookups for ``filter()``."""
    south, north, west, east = box_bounds(latitude, longitude, miles)
    return {
        f"{prefix}latitude__range": (south, north),
        f"{prefix}longitude__range": (west, east),
    }


def openstreetmap_directions(latitude, longitude) -> str:
    """A plain link to OpenStreetMap's route planner, ending at this point."""
    return (
        "https://www.openstreetmap.org/directions?route=%3B"
        f"{float(latitude):.6f}%2C{float(longitude):.6f}"
    )

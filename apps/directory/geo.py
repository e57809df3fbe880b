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
from django.db.models import F, FloatField, Func, Value
from django.db.models.functions import ASin, Cast, Cos, Least, Power, Radians, Sin, Sqrt

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


def distance_miles(latitude: float, longitude: float, prefix: str = "") -> Func:
    """Great-circle miles from a point to the latitude/longitude fields ``prefix``
    names (e.g. ``"location__"``)."""
    lat = Cast(F(f"{prefix}latitude"), FloatField())
    lng = Cast(F(f"{prefix}longitude"), FloatField())
    origin_lat = Value(latitude, output_field=FloatField())
    origin_lng = Value(longitude, output_field=FloatField())
    half_dlat = Radians(lat - origin_lat) / 2
    half_dlng = Radians(lng - origin_lng) / 2
    a = Power(Sin(half_dlat), 2) + Cos(Radians(origin_lat)) * Cos(Radians(lat)) * Power(
        Sin(half_dlng), 2
    )
    # least() guards asin() against a rounding error just above 1.
    return 2 * EARTH_RADIUS_MILES * ASin(Sqrt(Least(a, Value(1.0))))


def bounding_box(
    latitude: float, longitude: float, miles: float, prefix: str = ""
) -> dict:
    """Lookups for the points inside a box around a circle, so that the coordinate
    index narrows a distance search before any distance is computed."""
    dlat = miles / MILES_PER_DEGREE_LATITUDE
    dlng = miles / (
        MILES_PER_DEGREE_LATITUDE * max(math.cos(math.radians(latitude)), 0.01)
    )
    return {
        f"{prefix}latitude__range": (
            Decimal(f"{max(latitude - dlat, -90):.6f}"),
            Decimal(f"{min(latitude + dlat, 90):.6f}"),
        ),
        f"{prefix}longitude__range": (
            Decimal(f"{max(longitude - dlng, -180):.6f}"),
            Decimal(f"{min(longitude + dlng, 180):.6f}"),
        ),
    }


def openstreetmap_directions(latitude, longitude) -> str:
    """A plain link to OpenStreetMap's route planner, ending at this point."""
    return (
        "https://www.openstreetmap.org/directions?route=%3B"
        f"{float(latitude):.6f}%2C{float(longitude):.6f}"
    )

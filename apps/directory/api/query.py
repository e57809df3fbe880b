"""Query parameters, filters, paging and rate limiting of the HSDS API."""

import json
import math
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from apps.core.validators import validate_readable_date
from apps.directory.geo import (
    METRES_PER_MILE,
    ZipCentroid,
    bounding_box,
    distance_miles,
    find_zip,
)
from apps.directory.models import TaxonomyTerm

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25
MAX_PAGE = 100_000
# The longest proximity accepted, in metres (about the width of the United States).
MAX_PROXIMITY = 5_000_000
NDJSON_CHUNK = 200
DEFAULT_RATE = "120/minute"


class BadQuery(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The query parameters are not valid."
    default_code = "invalid"

    def __init__(
        self, errors: dict, detail: str = "The query parameters are not valid."
    ):
        super().__init__({"detail": detail, "errors": errors})


class HSDSRateThrottle(SimpleRateThrottle):
    """Requests per client address, whoever is signed in (or not)."""

    scope = "hsds"

    def get_rate(self):
        # Read on every request, so a changed setting applies without a restart.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or DEFAULT_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class JSONOnlyNegotiation(BaseContentNegotiation):
    """Always JSON. ``format`` is an HSDS parameter here (json or ndjson), read by the
    view, not DRF's renderer switch; and no Accept header earns a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ListParams(serializers.Serializer):
    search = serializers.CharField(
        required=False, max_length=200, help_text="Words to look for."
    )
    page = serializers.IntegerField(
        required=False,
        default=1,
        min_value=1,
        max_value=MAX_PAGE,
        help_text="Page number, from 1.",
    )
    per_page = serializers.IntegerField(
        required=False,
        default=DEFAULT_PER_PAGE,
        min_value=1,
        max_value=MAX_PER_PAGE,
        help_text=f"Results per page, at most {MAX_PER_PAGE}.",
    )
    format = serializers.ChoiceField(
        choices=["json", "ndjson"],
        required=False,
        default="json",
        help_text="ndjson streams every matching result, one JSON object per line, "
        "without paging.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # DRF would let a blank value through as "", or fail on it as a number;
        # a parameter sent empty counts as not sent.
        if hasattr(self, "initial_data"):
            self.initial_data = {k: v for k, v in self.initial_data.items() if v != ""}


class ServiceListParams(ListParams):
    taxonomy_term_id = serializers.UUIDField(
        required=False,
        help_text="Only services with this taxonomy term or one below it.",
    )
    organization_id = serializers.UUIDField(
        required=False, help_text="Only services of this organization."
    )
    modified_after = serializers.DateTimeField(
        required=False,
        validators=[validate_readable_date],
        help_text="Only services changed on or after this date and time (ISO 8601).",
    )
    full = serializers.BooleanField(
        required=False, default=False, help_text="Fully nested services."
    )


class ServiceAtLocationListParams(ServiceListParams):
    full = None
    postcode = serializers.CharField(
        required=False,
        max_length=10,
        help_text="A US ZIP code: results are sorted by distance from its centre.",
    )
    proximity = serializers.FloatField(
        required=False,
        min_value=1,
        max_value=MAX_PROXIMITY,
        help_text="With postcode: only results within this many metres of its centre.",
    )

    def validate_postcode(self, value):
        centre = find_zip(value)
        if centre is None:
            raise serializers.ValidationError(f"Unknown US ZIP code: {value}.")
        return centre

    def validate(self, attrs):
        if "proximity" in attrs and "postcode" not in attrs:
            raise serializers.ValidationError(
                {"proximity": "proximity needs a postcode to measure from."}
            )
        return attrs


class TaxonomyTermListParams(ListParams):
    taxonomy_id = serializers.UUIDField(
        required=False, help_text="Only terms of this taxonomy."
    )
    parent_id = serializers.UUIDField(
        required=False, help_text="Only the children of this term."
    )
    top_only = serializers.BooleanField(
        required=False, default=False, help_text="Only terms without a parent."
    )


def parse(params_class: type[serializers.Serializer], request) -> dict:
    params = params_class(data=request.query_params.dict())
    if not params.is_valid():
        raise BadQuery(params.errors)
    return params.validated_data


def filter_services(services: QuerySet, params: dict) -> QuerySet:
    """The filters /services and /service_at_locations share, through the
    directory's search core (apps/directory/querysets.py)."""
    if text := params.get("search"):
        services = services.matching(text)
    if term_id := params.get("taxonomy_term_id"):
        services = services.of_types(TaxonomyTerm.objects.descendant_ids(ids=[term_id]))
    if organization_id := params.get("organization_id"):
        services = services.filter(organization_id=organization_id)
    if modified_after := params.get("modified_after"):
        services = services.filter(last_modified__gte=modified_after)
    return services


def with_distance(rows: QuerySet, centre: ZipCentroid) -> QuerySet:
    """Annotate service-at-location rows with metres from a ZIP code's centre."""
    miles = distance_miles(centre.latitude, centre.longitude, prefix="location__")
    return rows.filter(
        location__latitude__isnull=False, location__longitude__isnull=False
    ).annotate(distance_m=miles * METRES_PER_MILE)


def within(rows: QuerySet, centre: ZipCentroid, metres: float) -> QuerySet:
    """Rows with a location inside a box around the circle (so the coordinate
    index narrows the search), then inside the circle itself."""
    box = bounding_box(
        centre.latitude, centre.longitude, metres / METRES_PER_MILE, "location__"
    )
    return rows.filter(**box, distance_m__lte=metres)


def envelope(page: int, per_page: int, total: int, contents: list) -> Response:
    """The HSDS Page envelope around one page of objects."""
    total_pages = max(1, math.ceil(total / per_page))
    return Response(
        {
            "total_items": total,
            "total_pages": total_pages,
            "page_number": page,
            "size": len(contents),
            "first_page": page == 1,
            "last_page": page >= total_pages,
            "empty": not contents,
            "contents": contents,
        }
    )


def page_response(
    queryset: QuerySet, params: dict, to_object: Callable[[Any], dict]
) -> Response:
    """One page of rows: a count, then the rows of the page."""
    page, per_page = params["page"], params["per_page"]
    total = queryset.count()
    rows = queryset[(page - 1) * per_page : page * per_page]
    return envelope(page, per_page, total, [to_object(row) for row in rows])


def page_of_list(items: list, params: dict) -> Response:
    """One page of objects already held in memory."""
    page, per_page = params["page"], params["per_page"]
    rows = items[(page - 1) * per_page : page * per_page]
    return envelope(page, per_page, len(items), rows)


def ndjson_lines(objects: Iterable[dict]) -> StreamingHttpResponse:
    return StreamingHttpResponse(
        (json.dumps(item, ensure_ascii=False) + "\n" for item in objects),
        content_type="application/x-ndjson",
    )


def ndjson_response(
    queryset: QuerySet, to_object: Callable[[Any], dict]
) -> StreamingHttpResponse:
    """Every row, one JSON object per line, fetched in chunks with their prefetches."""
    return ndjson_lines(
        to_object(row) for row in queryset.iterator(chunk_size=NDJSON_CHUNK)
    )

"""The HSDS 3.0 read API: public, read-only, rate limited.

Each list answers with a fixed number of queries however long its page is: a count,
the page itself, and one query per prefetched list when results are fully nested.
"""

import uuid
from itertools import chain

from django.db.models import Prefetch, Q
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from apps.directory.hsds.mapping import taxonomy_id
from apps.directory.models import (
    Address,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)

from . import objects
from . import serializers as hsds
from .query import (
    BadQuery,
    HSDSRateThrottle,
    JSONOnlyNegotiation,
    ListParams,
    ServiceAtLocationListParams,
    ServiceListParams,
    TaxonomyTermListParams,
    envelope,
    filter_services,
    ndjson_lines,
    ndjson_response,
    page_of_list,
    page_response,
    parse,
    with_distance,
    within,
)

HSDS_VERSION = "3.0"
HSDS_PROFILE = "https://github.com/openreferral/specification/tree/3.0"


def hsds_view(func):
    """A public GET endpoint: no sign-in, throttled per address, JSON whatever the
    client asks for. Writes get a 405 from DRF."""
    func.permission_classes = [AllowAny]
    func.authentication_classes = []
    func.throttle_classes = [HSDSRateThrottle]
    func.content_negotiation_class = JSONOnlyNegotiation
    return api_view(["GET"])(func)


def page_serializer(name: str, item) -> serializers.Serializer:
    """The HSDS Page envelope around a list of ``item``, for the OpenAPI document."""
    return inline_serializer(
        name=name,
        fields={
            "total_items": serializers.IntegerField(),
            "total_pages": serializers.IntegerField(),
            "page_number": serializers.IntegerField(),
            "size": serializers.IntegerField(),
            "first_page": serializers.BooleanField(),
            "last_page": serializers.BooleanField(),
            "empty": serializers.BooleanField(),
            "contents": item(many=True),
        },
    )


ERROR = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(),
        "errors": serializers.DictField(required=False),
    },
)
LIST_ERRORS = {400: ERROR, 429: ERROR}
DETAIL_ERRORS = {400: ERROR, 404: ERROR, 429: ERROR}
ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)
NDJSON_NOTE = (
    " With format=ndjson, every matching result is streamed as one JSON object per "
    "line (application/x-ndjson), without paging."
)


def parse_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise BadQuery(
            {"id": ["Ids are UUIDs, such as 3f7b145d-84af-42d7-8fae-eaca714b02b2."]},
            detail="This is not an id.",
        ) from None


def phones(path: str) -> list:
    """A list of phones, and the languages spoken on them."""
    return [
        Prefetch(path, queryset=Phone.objects.order_by("number", "id")),
        Prefetch(
            f"{path}__languages", queryset=Language.objects.order_by("name", "id")
        ),
    ]


def service_prefetches(prefix: str = "") -> list:
    """Everything a fully nested service shows, in one query per list."""
    sal = f"{prefix}service_at_locations"
    return [
        *phones(f"{prefix}phones"),
        Prefetch(f"{prefix}schedules", queryset=Schedule.objects.order_by("id")),
        Prefetch(
            f"{prefix}languages", queryset=Language.objects.order_by("name", "id")
        ),
        Prefetch(
            f"{prefix}taxonomy_terms", queryset=TaxonomyTerm.objects.order_by("name")
        ),
        Prefetch(
            sal,
            queryset=ServiceAtLocation.objects.select_related("location").order_by(
                "location__name", "id"
            ),
        ),
        *phones(f"{sal}__phones"),
        Prefetch(f"{sal}__schedules", queryset=Schedule.objects.order_by("id")),
        *location_prefetches(f"{sal}__location__"),
    ]


def location_prefetches(prefix: str) -> list:
    return [
        Prefetch(f"{prefix}addresses", queryset=Address.objects.order_by("id")),
        *phones(f"{prefix}phones"),
        Prefetch(f"{prefix}schedules", queryset=Schedule.objects.order_by("id")),
        Prefetch(
            f"{prefix}languages", queryset=Language.objects.order_by("name", "id")
        ),
    ]


@extend_schema(
    operation_id="getAPIMetaInformation",
    summary="About this API",
    responses=inline_serializer(
        name="APIMeta",
        fields={
            "version": serializers.CharField(),
            "profile": serializers.URLField(),
            "openapi_url": serializers.URLField(),
        },
    ),
)
@hsds_view
def api_root(request):
    return Response(
        {
            "version": HSDS_VERSION,
            "profile": HSDS_PROFILE,
            "openapi_url": request.build_absolute_uri(reverse("hsds_api:openapi")),
        }
    )


@extend_schema(
    operation_id="getPaginatedListOfServices",
    summary="Services",
    description="Services with their organization, a page at a time. With full=true, "
    "each service is fully nested as /services/{id} shows it." + NDJSON_NOTE,
    parameters=[ServiceListParams],
    responses={
        200: page_serializer("ServicePage", hsds.ServiceListSerializer),
        **LIST_ERRORS,
    },
)
@hsds_view
def service_list(request):
    params = parse(ServiceListParams, request)
    services = filter_services(Service.objects.all(), params)
    services = services.select_related("organization").order_by("name", "id")
    to_object = objects.service_list_object
    if params["full"]:
        services = services.prefetch_related(*service_prefetches())
        to_object = objects.service_object
    if params["format"] == "ndjson":
        return ndjson_response(services, to_object)
    return page_response(services, params, to_object)


@extend_schema(
    operation_id="getFullyNestedServiceById",
    summary="One service, fully nested",
    parameters=[ID_PARAMETER],
    responses={200: hsds.ServiceSerializer, **DETAIL_ERRORS},
)
@hsds_view
def service_detail(request, id):
    service = (
        Service.objects.select_related("organization")
        .prefetch_related(*service_prefetches())
        .filter(pk=parse_id(id))
        .first()
    )
    if service is None:
        raise NotFound("No service has this id.")
    return Response(objects.service_object(service))


@extend_schema(
    operation_id="getPaginatedListOfServiceAtLocation",
    summary="Services at locations",
    description="Each place a service is offered, with the location and the service. "
    "With postcode (a US ZIP code), results come nearest first, measured from the "
    "centre of that ZIP code, and locations without coordinates are left out; "
    "proximity (metres) then keeps only those within that distance." + NDJSON_NOTE,
    parameters=[ServiceAtLocationListParams],
    responses={
        200: page_serializer(
            "ServiceAtLocationPage", hsds.ServiceAtLocationListSerializer
        ),
        **LIST_ERRORS,
    },
)
@hsds_view
def service_at_location_list(request):
    params = parse(ServiceAtLocationListParams, request)
    rows = ServiceAtLocation.objects.select_related("location", "service__organization")
    services = filter_services(Service.objects.all(), params)
    if services.query.where:
        rows = rows.filter(service__in=services.values("pk"))
    if "postcode" in params:
        centre = params["postcode"]
        rows = with_distance(rows, centre)
        if "proximity" in params:
            rows = within(rows, centre, params["proximity"])
        rows = rows.order_by("distance_m", "service__name", "id")
    else:
        rows = rows.order_by("service__name", "location__name", "id")
    if params["format"] == "ndjson":
        return ndjson_response(rows, objects.service_at_location_list_object)
    return page_response(rows, params, objects.service_at_location_list_object)


@extend_schema(
    operation_id="getPaginatedListOfOrganizations",
    summary="Organizations",
    description="Organizations' own fields, a page at a time." + NDJSON_NOTE,
    parameters=[ListParams],
    responses={
        200: page_serializer("OrganizationPage", hsds.OrganizationListSerializer),
        **LIST_ERRORS,
    },
)
@hsds_view
def organization_list(request):
    params = parse(ListParams, request)
    organizations = Organization.objects.order_by("name", "id")
    if text := params.get("search"):
        organizations = organizations.filter(
            Q(name__icontains=text)
            | Q(alternate_name__icontains=text)
            | Q(description__icontains=text)
        )
    if params["format"] == "ndjson":
        return ndjson_response(organizations, objects.organization_list_object)
    return page_response(organizations, params, objects.organization_list_object)


@extend_schema(
    operation_id="getOrganizationById",
    summary="One organization, with its phones, locations and services",
    parameters=[ID_PARAMETER],
    responses={200: hsds.OrganizationSerializer, **DETAIL_ERRORS},
)
@hsds_view
def organization_detail(request, id):
    organization = (
        Organization.objects.prefetch_related(
            *phones("phones"),
            Prefetch("locations", queryset=Location.objects.order_by("name", "id")),
            *location_prefetches("locations__"),
            Prefetch("services", queryset=Service.objects.order_by("name", "id")),
            *service_prefetches("services__"),
        )
        .filter(pk=parse_id(id))
        .first()
    )
    if organization is None:
        raise NotFound("No organization has this id.")
    return Response(objects.organization_object(organization))


def taxonomy_names() -> list[str]:
    return sorted(
        TaxonomyTerm.objects.order_by().values_list("taxonomy", flat=True).distinct()
    )


@extend_schema(
    operation_id="getPaginatedListOfTaxonomies",
    summary="Taxonomies",
    description="The taxonomies the directory's terms come from." + NDJSON_NOTE,
    parameters=[ListParams],
    responses={
        200: page_serializer("TaxonomyPage", hsds.TaxonomySerializer),
        **LIST_ERRORS,
    },
)
@hsds_view
def taxonomy_list(request):
    params = parse(ListParams, request)
    items = objects.taxonomy_objects(taxonomy_names())
    if text := params.get("search"):
        text = text.casefold()
        items = [
            item
            for item in items
            if text in item["name"].casefold() or text in item["description"].casefold()
        ]
    if params["format"] == "ndjson":
        return ndjson_lines(items)
    return page_of_list(items, params)


@extend_schema(
    operation_id="getTaxonomyById",
    summary="One taxonomy",
    parameters=[ID_PARAMETER],
    responses={200: hsds.TaxonomySerializer, **DETAIL_ERRORS},
)
@hsds_view
def taxonomy_detail(request, id):
    wanted = str(parse_id(id))
    for taxonomy in objects.taxonomy_objects(taxonomy_names()):
        if taxonomy["id"] == wanted:
            return Response(taxonomy)
    raise NotFound("No taxonomy has this id.")


@extend_schema(
    operation_id="getPaginatedListOfTaxonomyTerms",
    summary="Taxonomy terms",
    description="The terms services are classified by." + NDJSON_NOTE,
    parameters=[TaxonomyTermListParams],
    responses={
        200: page_serializer("TaxonomyTermPage", hsds.TaxonomyTermSerializer),
        **LIST_ERRORS,
    },
)
@hsds_view
def taxonomy_term_list(request):
    params = parse(TaxonomyTermListParams, request)
    terms = TaxonomyTerm.objects.order_by("taxonomy", "name", "id")
    # After the rows come the terms naming CareNav's own service details.
    facts = objects.fact_term_objects()
    if text := params.get("search"):
        terms = terms.filter(
            Q(name__icontains=text)
            | Q(code__icontains=text)
            | Q(description__icontains=text)
        )
        folded = text.casefold()
        facts = [
            fact
            for fact in facts
            if any(folded in fact[key].casefold() for key in ("code", "name"))
            or folded in fact["description"].casefold()
        ]
    if wanted := params.get("taxonomy_id"):
        names = [n for n in taxonomy_names() if taxonomy_id(n) == wanted]
        terms = terms.filter(taxonomy__in=names)
        facts = [fact for fact in facts if fact["taxonomy_id"] == str(wanted)]
    if parent_id := params.get("parent_id"):
        terms = terms.filter(parent_id=parent_id)
        facts = []
    if params["top_only"]:
        terms = terms.filter(parent__isnull=True)
    if params["format"] == "ndjson":
        rows = (objects.term_object(term) for term in terms.iterator(chunk_size=200))
        return ndjson_lines(chain(rows, facts))
    page, per_page = params["page"], params["per_page"]
    start = (page - 1) * per_page
    total_rows = terms.count()
    contents = [objects.term_object(term) for term in terms[start : start + per_page]]
    if len(contents) < per_page:
        first_fact = max(0, start - total_rows)
        contents += facts[first_fact : first_fact + per_page - len(contents)]
    return envelope(page, per_page, total_rows + len(facts), contents)


@extend_schema(
    operation_id="getTaxonomyTermById",
    summary="One taxonomy term",
    parameters=[ID_PARAMETER],
    responses={200: hsds.TaxonomyTermSerializer, **DETAIL_ERRORS},
)
@hsds_view
def taxonomy_term_detail(request, id):
    wanted = parse_id(id)
    term = TaxonomyTerm.objects.filter(pk=wanted).first()
    if term is not None:
        return Response(objects.term_object(term))
    for fact in objects.fact_term_objects():
        if fact["id"] == str(wanted):
            return Response(fact)
    raise NotFound("No taxonomy term has this id.")

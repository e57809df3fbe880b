"""The HSDS 3.0 read API: public, read-only, rate limited.

Each list answers with a fixed number of queries however long its page is: a count,
the page itself, and one query per prefetched list when results are fully nested.
"""

import uuid
from functools import partial, wraps
from itertools import chain

from django.db.models import Q
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from apps.directory.hsds.exporter import json_value
from apps.directory.hsds.mapping import taxonomy_id
from apps.directory.models import (
    Organization,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)

from . import objects
from . import serializers as hsds
from .prefetches import (
    organization_prefetches,
    service_at_location_prefetches,
    service_prefetches,
)
from .query import (
    BadQuery,
    HSDSRateThrottle,
    JSONOnlyNegotiation,
    ListParams,
    NoParams,
    OrganizationDetailParams,
    OrganizationListParams,
    ServiceAtLocationListParams,
    ServiceListParams,
    TaxonomyTermListParams,
    envelope,
    filter_services,
    json_array,
    ndjson_lines,
    ndjson_response,
    page_of_list,
    page_response,
    parse,
    taxonomy_names,
    with_distance,
    within,
)

HSDS_VERSION = "3.0"
HSDS_PROFILE = "https://github.com/openreferral/specification/tree/3.0"


def allow_any_origin(view):
    """The public read API may be read from any web page (Open Referral's
    compliance rules ask for it); no personal endpoint is ever wrapped in this."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


def hsds_view(func):
    """A public GET (and HEAD) endpoint: no sign-in, throttled per address, JSON
    whatever the client asks for, readable from any origin. Writes get a 405."""
    func.permission_classes = [AllowAny]
    func.authentication_classes = []
    func.throttle_classes = [HSDSRateThrottle]
    func.content_negotiation_class = JSONOnlyNegotiation
    return allow_any_origin(api_view(["GET", "HEAD"])(func))


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
DETAIL_ERRORS = {400: ERROR, 404: ERROR, 429: ERROR}
ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)
NDJSON_NOTE = (
    " With format=ndjson, every matching result is streamed as one JSON object per "
    "line (application/x-ndjson), without paging."
)


def list_responses(name: str, item, also=()) -> dict:
    """A list's answers: the JSON Page, or with format=ndjson one object a line."""
    return {
        (200, "application/json"): page_serializer(name, item),
        (200, "application/x-ndjson"): OpenApiResponse(
            response=item,
            description="With format=ndjson: every matching "
            + name.removesuffix("Page").lower()
            + " object, one per line, without paging.",
        ),
        **{(code, "application/json"): ERROR for code in (400, 429)},
        **dict(also),
    }


def parse_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise BadQuery(
            {"id": ["Ids are UUIDs, such as 3f7b145d-84af-42d7-8fae-eaca714b02b2."]},
            detail="This is not an id.",
        ) from None


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
    parse(NoParams, request)
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
    responses=list_responses("ServicePage", hsds.ServiceListSerializer),
)
@hsds_view
def service_list(request):
    params = parse(ServiceListParams, request)
    services = filter_services(Service.objects.all(), params)
    if params["minimal"]:
        stamps = (
            {"id": str(pk), "last_modified": json_value(modified)}
            for pk, modified in services.order_by("id")
            .values_list("id", "last_modified")
            .iterator(chunk_size=2000)
        )
        if params["format"] == "ndjson":
            return ndjson_lines(stamps)
        return json_array(stamps)
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
    parse(NoParams, request)
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
    responses=list_responses(
        "ServiceAtLocationPage", hsds.ServiceAtLocationListSerializer
    ),
)
@hsds_view
def service_at_location_list(request):
    params = parse(ServiceAtLocationListParams, request)
    rows = ServiceAtLocation.objects.select_related("location", "service__organization")
    to_object = objects.service_at_location_list_object
    if params["full"]:
        rows = rows.prefetch_related(*service_at_location_prefetches())
        to_object = objects.service_at_location_object
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
        return ndjson_response(rows, to_object)
    return page_response(rows, params, to_object)


@extend_schema(
    operation_id="getServiceAtLocationById",
    summary="One service at a location, fully nested",
    parameters=[ID_PARAMETER],
    responses={200: hsds.ServiceAtLocationListSerializer, **DETAIL_ERRORS},
)
@hsds_view
def service_at_location_detail(request, id):
    parse(NoParams, request)
    link = (
        ServiceAtLocation.objects.select_related("location", "service__organization")
        .prefetch_related(*service_at_location_prefetches())
        .filter(pk=parse_id(id))
        .first()
    )
    if link is None:
        raise NotFound("No service at location has this id.")
    return Response(objects.service_at_location_object(link))


@extend_schema(
    operation_id="getPaginatedListOfOrganizations",
    summary="Organizations",
    description="Organizations' own fields, a page at a time; with full=true fully "
    "nested (phones, locations, services), with full_service=true their services "
    "fully nested too." + NDJSON_NOTE,
    parameters=[OrganizationListParams],
    responses=list_responses("OrganizationPage", hsds.OrganizationListSerializer),
)
@hsds_view
def organization_list(request):
    params = parse(OrganizationListParams, request)
    organizations = Organization.objects.order_by("name", "id")
    to_object = objects.organization_list_object
    if params["full"] or params["full_service"]:
        organizations = organizations.prefetch_related(
            *organization_prefetches(full_service=params["full_service"])
        )
        to_object = partial(
            objects.organization_object, full_service=params["full_service"]
        )
    if text := params.get("search"):
        organizations = organizations.filter(
            Q(name__icontains=text)
            | Q(alternate_name__icontains=text)
            | Q(description__icontains=text)
        )
    if params["format"] == "ndjson":
        return ndjson_response(organizations, to_object)
    return page_response(organizations, params, to_object)


@extend_schema(
    operation_id="getOrganizationById",
    summary="One organization, with its phones, locations and services",
    parameters=[ID_PARAMETER, OrganizationDetailParams],
    responses={200: hsds.OrganizationSerializer, **DETAIL_ERRORS},
)
@hsds_view
def organization_detail(request, id):
    params = parse(OrganizationDetailParams, request)
    organization = (
        Organization.objects.prefetch_related(
            *organization_prefetches(full_service=params["full_service"])
        )
        .filter(pk=parse_id(id))
        .first()
    )
    if organization is None:
        raise NotFound("No organization has this id.")
    return Response(
        objects.organization_object(organization, full_service=params["full_service"])
    )


@extend_schema(
    operation_id="getPaginatedListOfTaxonomies",
    summary="Taxonomies",
    description="The taxonomies the directory's terms come from." + NDJSON_NOTE,
    parameters=[ListParams],
    responses=list_responses("TaxonomyPage", hsds.TaxonomySerializer),
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
    parse(NoParams, request)
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
    responses=list_responses("TaxonomyTermPage", hsds.TaxonomyTermSerializer),
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
    parse(NoParams, request)
    wanted = parse_id(id)
    term = TaxonomyTerm.objects.filter(pk=wanted).first()
    if term is not None:
        return Response(objects.term_object(term))
    for fact in objects.fact_term_objects():
        if fact["id"] == str(wanted):
            return Response(fact)
    raise NotFound("No taxonomy term has this id.")

"""FHIR R4 read and search for referrals: ServiceRequest and Task.

Only caseworkers, supervisors and administrators get in (403 for other roles, 401
without a session), and only to the referrals their casework pages show them: the
queries go through Referral.objects.visible_to, so anyone else's referral is a 404.
Every resource read is written to the access log.
"""

from django.urls import reverse
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from apps.core.audit import record_access, record_accesses
from apps.core.models import AccessLog

from . import resources

ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    429: "throttled",
}


class FHIRJSONRenderer(JSONRenderer):
    media_type = "application/fhir+json"
    format = "json"


class FHIRNegotiation(BaseContentNegotiation):
    """FHIR JSON whatever the Accept header says (JSON is the only format served)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DoesCasework(BasePermission):
    message = "Only caseworkers, supervisors and administrators may read referrals."

    def has_permission(self, request, view):
        return request.user.is_superuser or request.user.does_casework


def fhir_exception_handler(exc, context):
    """DRF's errors, answered as a FHIR OperationOutcome."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    message = str(detail or "The request could not be answered.")
    response.data = resources.operation_outcome(
        ISSUE_CODES.get(response.status_code, "processing"), message
    )
    return response


class FHIRView(APIView):
    permission_classes = [IsAuthenticated, DoesCasework]
    renderer_classes = [FHIRJSONRenderer]
    content_negotiation_class = FHIRNegotiation
    schema = None  # Described by FHIR itself, not in the HSDS OpenAPI document.

    def get_exception_handler(self):
        return fhir_exception_handler

    def get_authenticate_header(self, request):
        # Without a session the answer is 401 (sign in), not 403 (not allowed).
        return 'Cookie realm="CareNav"'


def parse_reference(value: str, resource_type: str) -> int:
    """ "123" or "ResourceType/123" -> 123; anything else is a 400."""
    prefix = f"{resource_type}/"
    raw = value.removeprefix(prefix)
    if not raw.isdigit() or len(raw) > 18:
        raise exceptions.ParseError(
            f"Give a {resource_type} id, such as 42 or {resource_type}/42."
        )
    return int(raw)


def object_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 18 else None


class ServiceRequestSearch(FHIRView):
    """GET ServiceRequest?subject=<client id> (or patient=): a searchset Bundle."""

    def get(self, request):
        subject = request.query_params.get("subject") or request.query_params.get(
            "patient"
        )
        if not subject:
            raise exceptions.ParseError(
                "Search by subject (or patient): the client's id, e.g. subject=42."
            )
        referrals = resources.service_requests(request.user).filter(
            client_id=parse_reference(subject, "Patient")
        )
        return _search_bundle(
            request,
            referrals,
            "fhir_api:service_request_detail",
            resources.service_request,
        )


def _visible_referral(request, referrals, id, resource_type: str):
    """The referral behind a resource id, if this user may see it (read logged)."""
    pk = object_id(id)
    referral = referrals.filter(pk=pk).first() if pk is not None else None
    if referral is None:
        raise exceptions.NotFound(f"No {resource_type} has this id.")
    record_access(request, referral, AccessLog.Action.VIEW, subject=referral.client)
    return referral


def _search_bundle(request, referrals, detail_url_name: str, to_resource):
    """A searchset Bundle of the referrals as resources; every read is logged."""
    referrals = list(referrals)
    record_accesses(
        request, referrals, AccessLog.Action.VIEW, subject_of=lambda r: r.client
    )
    entries = [
        (
            request.build_absolute_uri(reverse(detail_url_name, args=[r.pk])),
            to_resource(r),
        )
        for r in referrals
    ]
    return Response(resources.bundle(entries, request.build_absolute_uri()))


class ServiceRequestDetail(FHIRView):
    def get(self, request, id):
        referral = _visible_referral(
            request, resources.service_requests(request.user), id, "ServiceRequest"
        )
        return Response(resources.service_request(referral))


class TaskSearch(FHIRView):
    """GET Task?focus=ServiceRequest/<id> and/or patient=<client id>: a Bundle."""

    def get(self, request):
        params = request.query_params
        focus = params.get("focus") or params.get("based-on")
        subject = params.get("patient") or params.get("subject")
        if not focus and not subject:
            raise exceptions.ParseError(
                "Search by focus (the ServiceRequest, e.g. focus=ServiceRequest/7) "
                "or by patient (the client's id)."
            )
        referrals = resources.tasks(request.user)
        if focus:
            referrals = referrals.filter(pk=parse_reference(focus, "ServiceRequest"))
        if subject:
            referrals = referrals.filter(client_id=parse_reference(subject, "Patient"))
        return _search_bundle(
            request, referrals, "fhir_api:task_detail", resources.task
        )


class TaskDetail(FHIRView):
    def get(self, request, id):
        referral = _visible_referral(request, resources.tasks(request.user), id, "Task")
        return Response(resources.task(referral))


class CapabilityStatementView(FHIRView):
    """GET metadata: what this server answers (public: it names no one)."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response(
            resources.capability_statement(
                request.build_absolute_uri(reverse("fhir_api:metadata")).removesuffix(
                    "/metadata"
                )
            )
        )

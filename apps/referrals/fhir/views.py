"""FHIR R4 read and search for referrals: ServiceRequest and Task, and the Patient,
practitioners, organisations and services they point to.

Caseworkers, supervisors and administrators signed in to CareNav, and partner
systems with a SMART Backend Services token (smart.py), get in (403 for other
roles, 401 with neither), and only to the referrals their casework pages show
them: the queries go through visible_to, so anyone else's record is a 404. Every
read of a client or referral is written to the access log.
"""

import uuid

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from apps.accounts.models import Team, User
from apps.directory.models import Organization, Service
from apps.referrals.models import Client

from . import participants, resources, search, smart

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
    authentication_classes = [smart.BackendTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, DoesCasework, smart.HasScope]
    renderer_classes = [FHIRJSONRenderer]
    content_negotiation_class = FHIRNegotiation
    schema = None  # Described by FHIR itself, not in the HSDS OpenAPI document.
    resource_type = ""
    interaction = "r"  # SMART permission: r(ead) or s(earch)

    def get_exception_handler(self):
        return fhir_exception_handler

    def base_url(self) -> str:
        return self.request.build_absolute_uri(
            reverse("fhir_api:metadata")
        ).removesuffix("/metadata")


def object_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 18 else None


def uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


class ReferralSearch(FHIRView):
    """GET ServiceRequest? or Task? with the parameters of search.SEARCH_PARAMS."""

    interaction = "s"
    detail_url_name = ""

    def referrals(self):
        raise NotImplementedError

    def filter(self, referrals, applied: dict[str, str]):
        if "status" in applied:
            referrals = referrals.filter(
                status__in=search.statuses(self.resource_type, applied["status"])
            )
        subject = applied.get("subject") or applied.get("patient")
        if subject:
            referrals = referrals.filter(
                client_id=search.parse_reference(subject, "Patient")
            )
        focus = applied.get("focus") or applied.get("based-on")
        if focus:
            referrals = referrals.filter(
                pk=search.parse_reference(focus, "ServiceRequest")
            )
        return referrals

    def get(self, request):
        applied = search.check_parameters(self.resource_type, request.query_params)
        count = search.page_size(request.query_params)
        page = search.page_number(request.query_params)
        referrals = self.filter(self.referrals(), applied)
        total = referrals.count()
        # Fetching the page logs each referral read (one INSERT per request).
        rows = list(referrals.logged(request)[(page - 1) * count : page * count])
        to_resource = (
            resources.service_request
            if self.resource_type == "ServiceRequest"
            else resources.task
        )
        base = self.base_url()
        entries = [
            (f"{base}/{self.resource_type}/{r.pk}", to_resource(r)) for r in rows
        ]
        return Response(
            search.bundle(
                entries,
                total=total,
                base_url=f"{base}/{self.resource_type}",
                applied=applied,
                count=count,
                page=page,
            )
        )


class ServiceRequestSearch(ReferralSearch):
    resource_type = "ServiceRequest"

    def referrals(self):
        return resources.service_requests(self.request.user)


class TaskSearch(ReferralSearch):
    resource_type = "Task"

    def referrals(self):
        return resources.tasks(self.request.user)


def _visible_referral(request, referrals, id, resource_type: str):
    """The referral behind a resource id, if this user may see it (read logged)."""
    pk = object_id(id)
    found = referrals.logged(request).filter(pk=pk) if pk is not None else None
    referral = found.first() if found is not None else None
    if referral is None:
        raise exceptions.NotFound(f"No {resource_type} has this id.")
    return referral


class ServiceRequestDetail(FHIRView):
    resource_type = "ServiceRequest"

    def get(self, request, id):
        referral = _visible_referral(
            request, resources.service_requests(request.user), id, "ServiceRequest"
        )
        return Response(resources.service_request(referral))


class TaskDetail(FHIRView):
    resource_type = "Task"

    def get(self, request, id):
        referral = _visible_referral(request, resources.tasks(request.user), id, "Task")
        return Response(resources.task(referral))


class PatientDetail(FHIRView):
    """GET Patient/<client id>: the client, as US Core Patient (read logged)."""

    resource_type = "Patient"

    def get(self, request, id):
        pk = object_id(id)
        client = (
            Client.objects.visible_to(request.user)
            .logged(request)
            .filter(pk=pk)
            .first()
            if pk is not None
            else None
        )
        if client is None:
            raise exceptions.NotFound("No Patient has this id.")
        return Response(participants.patient(client))


def visible_staff(user):
    """Staff whose practitioner records this reader may fetch: their own team's."""
    staff = User.objects.filter(
        role__in=[User.Role.CASEWORKER, User.Role.SUPERVISOR],
        backend_client__isnull=True,
    ).select_related("team")
    return staff if user.is_superuser else staff.filter(team_id=user.team_id)


class PractitionerDetail(FHIRView):
    resource_type = "Practitioner"

    def get(self, request, id):
        pk = object_id(id)
        staff = visible_staff(request.user).filter(pk=pk).first() if pk else None
        if staff is None:
            raise exceptions.NotFound("No Practitioner has this id.")
        return Response(participants.practitioner(staff))


class PractitionerRoleDetail(FHIRView):
    resource_type = "PractitionerRole"

    def get(self, request, id):
        pk = object_id(id)
        staff = visible_staff(request.user).filter(pk=pk).first() if pk else None
        if staff is None:
            raise exceptions.NotFound("No PractitionerRole has this id.")
        return Response(participants.practitioner_role(staff))


class OrganizationDetail(FHIRView):
    """A CareNav team (Organization/team-<id>) or a directory organisation."""

    resource_type = "Organization"

    def get(self, request, id):
        if id == participants.CARENAV_ORGANIZATION_ID:
            return Response(participants.team_organization(None))
        if id.startswith(participants.TEAM_PREFIX):
            pk = object_id(id.removeprefix(participants.TEAM_PREFIX))
            teams = Team.objects.all()
            if not request.user.is_superuser:
                teams = teams.filter(pk=request.user.team_id)
            team = teams.filter(pk=pk).first() if pk else None
            if team is None:
                raise exceptions.NotFound("No Organization has this id.")
            return Response(participants.team_organization(team))
        key = uuid_or_none(id)
        org = Organization.objects.filter(pk=key).first() if key else None
        if org is None:
            raise exceptions.NotFound("No Organization has this id.")
        return Response(participants.directory_organization(org))


class HealthcareServiceDetail(FHIRView):
    resource_type = "HealthcareService"

    def get(self, request, id):
        key = uuid_or_none(id)
        service = (
            Service.objects.select_related("organization")
            .prefetch_related("taxonomy_terms", "phones")
            .filter(pk=key)
            .first()
            if key
            else None
        )
        if service is None:
            raise exceptions.NotFound("No HealthcareService has this id.")
        return Response(participants.healthcare_service(service))


class CapabilityStatementView(FHIRView):
    """GET metadata: what this server answers (public: it names no one)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response(search.capability_statement(self.base_url()))


@csrf_exempt  # A machine-to-machine endpoint: no cookies, the assertion is the proof.
@login_not_required
@require_POST
def token(request):
    """POST the client's signed assertion; get a short-lived bearer token."""
    response = smart.authorization_server().create_token_response(request)
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@require_GET
def smart_configuration(request):
    """/.well-known/smart-configuration: how a backend client gets a token."""
    return JsonResponse(smart.smart_configuration())

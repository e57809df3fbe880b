import logging
import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from apps.accounts.models import User

from .caching import cache_public_page
from .languages import LanguageLinks

logger = logging.getLogger(__name__)

# Where each role starts its visit.
ROLE_START = {
    User.Role.PATIENT: "checklists:my_checklist",
    User.Role.CASEWORKER: "referrals:dashboard",
    User.Role.SUPERVISOR: "referrals:dashboard",
    User.Role.CONTENT_EDITOR: "admin:index",
}
RETRY_AFTER_SECONDS = 30


def start_url_for(user) -> str | None:
    if user.is_superuser:
        return reverse("admin:index")
    name = ROLE_START.get(user.role)
    try:
        return reverse(name) if name else None
    except NoReverseMatch:
        return None


@require_GET
@login_not_required
@cache_public_page()
def home(request):
    if request.user.is_authenticated:
        start = start_url_for(request.user)
        if start and "stay" not in request.GET:
            return redirect(start)
    return render(request, "core/home.html")


@require_safe
@login_not_required
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        response = HttpResponse("database unavailable\n", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        response = HttpResponse("ok\n")
    response["Content-Type"] = "text/plain"
    return response


# The JSON APIs' public prefixes (DESIGN.md), matched on the path rather than resolved:
# an error must be answerable even when URL resolution is what failed.
FHIR_API_PATH = "/api/fhir/"
JSON_API_PATH = "/api/"
# FHIR's issue-type codes for each status (https://hl7.org/fhir/R4/valueset-issue-type).
FHIR_ISSUE_CODES = {
    400: "invalid",
    403: "forbidden",
    404: "not-found",
    500: "exception",
    503: "transient",
}
ERROR_MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to do this.",
    404: "Not found.",
    500: "Something went wrong on our side.",
    503: "The service is briefly unavailable (database out of reach). Try again soon.",
}


def _api_error(request, status: int) -> HttpResponse | None:
    """The error in the API's own format, for a request to a JSON API; else None."""
    message = ERROR_MESSAGES[status]
    if request.path.startswith(FHIR_API_PATH):
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": FHIR_ISSUE_CODES[status],
                    "diagnostics": message,
                }
            ],
        }
        return JsonResponse(
            outcome, status=status, content_type="application/fhir+json"
        )
    if request.path.startswith(JSON_API_PATH):
        return JsonResponse({"detail": message}, status=status)
    return None


def _render_error(request, template, status):
    return _api_error(request, status) or render(
        request,
        template,
        {"language_links": LanguageLinks(request, found=False)},
        status=status,
    )


@login_not_required
def bad_request(request, exception=None):
    return _render_error(request, "400.html", 400)


@login_not_required
def permission_denied(request, exception=None):
    return _render_error(request, "403.html", 403)


@login_not_required
def page_not_found(request, exception=None):
    return _render_error(request, "404.html", 404)


@login_not_required
def server_error(request):
    """500, or 503 when the database is out of reach; JSON (or a FHIR
    OperationOutcome) for the APIs.

    Rendered without a request context: the context processors would reach for
    the session and the user, which may be what just failed.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.error("Database unavailable while serving %s", request.path)
        response = _api_error(request, 503) or HttpResponse(
            loader.render_to_string("503.html"), status=503
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return _api_error(request, 500) or HttpResponseServerError(
        loader.render_to_string("500.html")
    )

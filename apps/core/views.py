import logging
import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.accounts.models import User

from .caching import cache_public_page

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


@require_GET
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


def _render_error(request, template, status):
    return render(request, template, status=status)


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
    """500, or 503 when the database is out of reach.

    Rendered without a request context: the context processors would reach for
    the session and the user, which may be what just failed.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.error("Database unavailable while serving %s", request.path)
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))

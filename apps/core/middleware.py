from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers


class PermissionsPolicyMiddleware:
    """Turn off browser features no page here uses (camera, microphone, location...)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than any form here needs, before it is read.

    Django caps form fields in memory but would still spool a large upload to disk.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return HttpResponse(
                render_to_string("413.html"), status=413, content_type="text/html"
            )
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Signed-in pages are never kept by the browser or anything in between.

    They can hold personal data; on a shared computer, the Back button after signing
    out must not bring them back from the browser's cache. A response that a view
    marked as cacheable itself (`Cache-Control: public`) is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _is_signed_in(request) and "public" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


def _is_signed_in(request) -> bool:
    user = getattr(request, "user", None)
    if user is None:
        return False
    try:
        return user.is_authenticated
    except DatabaseError:
        # The session could not be read (database out of reach): whatever the page
        # is, keep it out of every cache.
        return True

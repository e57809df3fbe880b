from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


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

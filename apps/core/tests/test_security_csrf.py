"""CSRF protection on every URL of the site, read from the URLconf.

A POST without a token must be refused before any view runs, whatever the view and
whoever is signed in; new URLs are covered as soon as they are added. Only the JSON
APIs are exempt from the middleware (Django REST Framework): they accept no POST.
"""

import re
import uuid

import pytest
from django.http import HttpResponseForbidden
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

REJECTED = "csrf-rejected-by-middleware"


def csrf_rejected(request, reason=""):
    """Stands in for the CSRF failure page, so a refusal by the middleware can be
    told apart from a 403 given by a view."""
    return HttpResponseForbidden(REJECTED)


def url_patterns(patterns=None, prefix="", namespace=""):
    """(route, name, view) of every URL pattern, resolvers included, in order."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace
                    else (pattern.namespace)
                )
            yield from url_patterns(
                pattern.url_patterns, prefix + str(pattern.pattern), inner
            )
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (
                f"{namespace}:{pattern.name}" if namespace else pattern.name
            )
            yield prefix + str(pattern.pattern), name, pattern.callback


CONVERTER_SAMPLES = {
    "int": "1",
    "uuid": str(uuid.UUID(int=1)),
    "slug": "als",
    "str": "sample",
    "path": "1",
}
# Regular-expression routes (allauth's and the admin's) with a sample path each.
REGEX_SAMPLES = {
    "account_confirm_email": "/accounts/confirm-email/sample-key/",
    "account_reset_password_from_key": "/accounts/password/reset/key/1-set-password/",
    "admin:app_list": "/admin/diseases/",
    None: "/admin/no-such-page/",
}


def sample_path(route: str, name: str | None) -> str:
    """A path that the route matches, with a sample value for each part."""
    if "^" in route or "(?P<" in route:
        assert name in REGEX_SAMPLES, f"add a sample path for {route!r} ({name})"
        return REGEX_SAMPLES[name]

    def fill(match):
        converter = match.group(1) or "str"
        return CONVERTER_SAMPLES[converter]

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)


def every_url() -> list[tuple[str, str | None, object]]:
    urls = []
    for route, name, view in url_patterns():
        path = sample_path(route, name)
        assert resolve(path).func == view, f"{path} does not reach {name or route}"
        urls.append((path, name, view))
    return urls


def signed_in_as(path: str) -> str:
    """The role that would really use the URL (anonymous for sign-in pages)."""
    for prefix, role in [
        ("/my/", "patient"),
        ("/casework/", "supervisor"),
        ("/api/fhir/", "caseworker"),
        ("/admin/", "administrator"),
        ("/learn/preview/", "content_editor"),
        ("/accounts/", "anonymous"),
    ]:
        if path.startswith(prefix):
            return role
    return "patient"


@pytest.fixture
def strict_client_for(request, settings):
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_rejected"
    clients = {}

    def _client(who: str) -> Client:
        if who not in clients:
            client = Client(enforce_csrf_checks=True)
            if who != "anonymous":
                client.force_login(request.getfixturevalue(who))
            clients[who] = client
        return clients[who]

    return _client


# Endpoints that other systems POST to with their own credentials, not a session.
MACHINE_POSTS = {"/api/fhir/auth/token"}


def test_every_post_without_a_token_is_refused(db, strict_client_for):
    refused, exempt, wrong = 0, 0, []
    for path, name, view in every_url():
        for who in {"anonymous", signed_in_as(path)}:
            response = strict_client_for(who).post(path, {"anything": "x"})
            if getattr(view, "csrf_exempt", False):
                # The JSON APIs: read-only, and REST framework checks the token
                # itself for signed-in sessions. The FHIR token endpoint takes
                # POSTs from partner systems, which prove who they are with a signed
                # assertion, never a cookie: without one it refuses (400 or 401).
                assert path.startswith("/api/"), f"{name or path} skips CSRF"
                allowed = (400, 401) if path in MACHINE_POSTS else (401, 403, 405)
                if response.status_code not in allowed:
                    wrong.append(f"{who} {path}: {response.status_code}")
                exempt += 1
            elif response.status_code == 403 and response.content == REJECTED.encode():
                refused += 1
            else:
                wrong.append(f"{who} {path} ({name}): {response.status_code}")
    assert not wrong, "POST without a CSRF token not refused: " + "; ".join(wrong)
    # Sanity: the sweep really covered the site.
    assert refused > 200 and exempt > 10


def test_htmx_and_form_posts_with_the_token_get_through(db, strict_client_for):
    """The control: the same middleware lets a request with the token through."""
    client = strict_client_for("patient")
    page = client.get(reverse("directory:service_list"))
    token = page.cookies["csrftoken"].value
    response = client.post(
        reverse("checklists:stage_choose"),
        {"stage": ""},
        headers={"X-CSRFToken": token},
    )
    assert response.content != REJECTED.encode()
    assert response.status_code == 302

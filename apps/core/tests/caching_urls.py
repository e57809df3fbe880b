"""Views for test_caching.py: each counts its renders, so a test sees cache hits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import RequestContext, Template
from django.urls import include, path

from apps.core.caching import cache_public_page

RENDERS = {"count": 0}
PAGE = Template(
    '<body hx-headers=\'{"X-CSRFToken": "{{ csrf_token }}"}\'>'
    "<p>Hello {% if user.is_authenticated %}{{ user.email }}{% else %}visitor"
    "{% endif %}</p><form method=post>{% csrf_token %}<button>Go</button></form>"
    "</body>"
)


def _counted(view):
    def wrapper(request, *args, **kwargs):
        RENDERS["count"] += 1
        return view(request, *args, **kwargs)

    return wrapper


@login_not_required
@cache_public_page()
@_counted
def page(request):
    if request.method == "POST":
        return HttpResponse("posted")
    return HttpResponse(PAGE.render(RequestContext(request)))


@login_not_required
@cache_public_page()
@_counted
def plain(request):
    return HttpResponse("<p>No token here.</p>")


@login_not_required
@cache_public_page()
@_counted
def with_message(request):
    messages.info(request, "Saved.")
    return HttpResponse("<p>A page that adds a message.</p>")


@login_not_required
@cache_public_page()
@_counted
def with_cookie(request):
    response = HttpResponse("<p>Sets a cookie.</p>")
    response.set_cookie("theme", "dark")
    return response


@login_not_required
@cache_public_page()
@_counted
def with_vary(request):
    response = HttpResponse("<p>Depends on a header.</p>")
    response["Vary"] = "Accept-Language"
    return response


@login_not_required
@cache_public_page()
@_counted
def not_found(request):
    return HttpResponse("<p>Gone.</p>", status=404)


@login_not_required
@cache_public_page()
@_counted
def session_writer(request):
    request.session["seen"] = True
    return HttpResponse("<p>Writes the session.</p>")


@login_not_required
@cache_public_page()
@_counted
def token_in_header(request):
    response = HttpResponse("<p>The token is not in the body.</p>")
    response["X-Token"] = get_token(request)
    return response


@login_not_required
@cache_public_page(timeout=0)
@_counted
def never_kept(request):
    return HttpResponse("<p>Kept for no time.</p>")


@login_not_required
@cache_public_page()
@_counted
def numbered(request, number):
    return HttpResponse(f"<p>Page {number}.</p>")


urlpatterns = [
    path("numbered/<int:number>/", numbered),
    path("page/", page, name="page"),
    path("plain/", plain),
    path("with-message/", with_message),
    path("with-cookie/", with_cookie),
    path("with-vary/", with_vary),
    path("not-found/", not_found),
    path("session-writer/", session_writer),
    path("token-in-header/", token_in_header),
    path("never-kept/", never_kept),
    path("", include("allauth.urls")),
]

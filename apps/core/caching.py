"""A cache for public pages: one rendered copy shared by every anonymous visitor.

    @login_not_required
    @require_safe
    @cache_public_page()
    def disease_detail(request, slug): ...

What is cached, and for whom:

- Only anonymous GET and HEAD requests without a query string, without pending flash
  messages and not sent by htmx. Signed-in people always get a freshly rendered page
  (it shows their name, saved services, and so on), so nothing personal is ever
  stored, and nothing depends on the cookie, the language or any other header.
- Only a plain 200 answer from the view that sets no cookie, no ``Vary`` and no
  ``Cache-Control`` of its own, and left the session and the messages as they were.
- The key is the host and the path: the number of entries is bounded by the number
  of real pages (query strings are never cached, so nobody can fill the cache with
  made-up ones, and error pages are never cached).

CSRF tokens. Every page carries the visitor's CSRF token (base.html gives it to htmx;
forms have their own), and a token must never be served to someone else. So before a
page is stored, every token in it that belongs to the visitor who caused the render
(a 64-character masked form of that visitor's CSRF secret) is replaced with a
placeholder, and on each hit the placeholder is replaced with a freshly masked token
of the current visitor. Asking for that token also makes CsrfViewMiddleware send the
visitor their own CSRF cookie (and ``Vary: Cookie``), exactly as an uncached render
would. A page whose render used the token in some other way (so no token is found in
its body) is not cached.

Pages may be up to PUBLIC_PAGE_CACHE_SECONDS old (setting; 0 turns the cache off).
Publishing, unpublishing, a clinical sign-off or any content edit in the admin calls
forget_public_pages(), which retires every stored page at once (each page is stored
with the generation it was rendered in): the change shows at once on the worker that
made it, and on the others after at most the LOCAL_SECONDS they keep their own copy.
"""

import hashlib
import re
import threading
import time
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import CSRF_TOKEN_LENGTH, get_token

# Django keeps unmasking private; it has had this name and signature since 4.1.
from django.middleware.csrf import _unmask_cipher_token as unmask_token

KEY_PREFIX = "carenav:page:v1:"
GENERATION_KEY = "carenav:page:generation"
# Stands for the visitor's CSRF token in stored pages; never written by a template.
CSRF_PLACEHOLDER = b"\x00carenav-csrf-token\x00"
TOKEN_PATTERN = re.compile(
    rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH
)
# Each worker also keeps the pages it served last in its own memory for a few
# seconds, so that a popular page costs no round trip to the shared cache (Redis) on
# most visits. A page may then be up to LOCAL_SECONDS older than the shared timeout.
LOCAL_SECONDS = 10
LOCAL_MAX_ENTRIES = 200
_local: OrderedDict[str, tuple[float, dict]] = OrderedDict()
_local_lock = threading.Lock()
# Response headers set later by middleware for every page; a view that sets them
# itself is telling us something about the answer, so the page is not cached.
REFUSING_HEADERS = ("Vary", "Cache-Control", "Set-Cookie", "Expires")


def cache_key(request) -> str:
    where = f"{request.get_host()}{request.path}".encode()
    return KEY_PREFIX + hashlib.sha256(where).hexdigest()


def _may_use_cache(request) -> bool:
    return (
        settings.PUBLIC_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and request.META.get("HTTP_HX_REQUEST") != "true"
        and not request.user.is_authenticated
        and not _pending_message_count(request)
    )


def _pending_message_count(request) -> int:
    # len() reads the messages without marking them shown.
    return len(messages.get_messages(request))


def _without_tokens(request, content: bytes) -> bytes | None:
    """The page with the visitor's CSRF tokens replaced by the placeholder; None
    when the render used the token but no token of this visitor is in the body."""
    secret = request.META.get("CSRF_COOKIE")
    used = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
    if CSRF_PLACEHOLDER in content:
        return None
    if not used or not secret:
        return content
    found = 0

    def replace(match):
        nonlocal found
        token = match.group().decode()
        if unmask_token(token) == secret:
            found += 1
            return CSRF_PLACEHOLDER
        return match.group()

    content = TOKEN_PATTERN.sub(replace, content)
    return content if found else None


def _storable(request, response, session_modified_before: bool):
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or any(header in response.headers for header in REFUSING_HEADERS)
        or _pending_message_count(request)
    ):
        return None
    session = getattr(request, "session", None)
    if session is not None and session.modified and not session_modified_before:
        return None
    content = _without_tokens(request, response.content)
    if content is None:
        return None
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() != "content-length"
    }
    return {"content": content, "headers": headers}


def _from_stored(request, stored) -> HttpResponse:
    content = stored["content"]
    if CSRF_PLACEHOLDER in content:
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content)
    for name, value in stored["headers"].items():
        response.headers[name] = value
    return response


def _recall(key: str) -> tuple[dict | None, int]:
    """The stored page (this worker's own copy while it is fresh, else the shared
    cache's, kept here for LOCAL_SECONDS) and the current generation of pages."""
    now = time.monotonic()
    entry = _local.get(key)
    if entry is not None and entry[0] > now:
        return entry[1], entry[1].get("generation", 0)
    found = cache.get_many([key, GENERATION_KEY])
    generation = found.get(GENERATION_KEY, 0)
    stored = found.get(key)
    if stored is None or stored.get("generation", 0) != generation:
        return None, generation
    _keep_locally(key, stored, now)
    return stored, generation


def forget_public_pages() -> None:
    """Retire every stored page: public content changed (published, signed off...)."""
    if not cache.add(GENERATION_KEY, 1, timeout=None):
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # expired between the two calls
            cache.set(GENERATION_KEY, 1, timeout=None)
    forget_local_copies()


def _keep_locally(key: str, stored, now: float) -> None:
    with _local_lock:
        _local[key] = (now + LOCAL_SECONDS, stored)
        _local.move_to_end(key)
        while len(_local) > LOCAL_MAX_ENTRIES:
            _local.popitem(last=False)


def forget_local_copies() -> None:
    """Empty this worker's own copies (tests; the shared cache is left alone)."""
    with _local_lock:
        _local.clear()


@receiver(setting_changed)
def _forget_on_new_settings(*, setting, **kwargs):
    # A test that turns the cache on, or swaps the cache backend, starts with no
    # copies left over from another test.
    if setting in ("PUBLIC_PAGE_CACHE_SECONDS", "CACHES"):
        forget_local_copies()


def cache_public_page(timeout: int | None = None):
    """Serve anonymous visitors a shared rendered copy of the page (see above).

    `timeout` in seconds; by default PUBLIC_PAGE_CACHE_SECONDS, which also turns the
    cache off everywhere when 0.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _may_use_cache(request):
                return view(request, *args, **kwargs)
            key = cache_key(request)
            stored, generation = _recall(key)
            if stored is not None:
                return _from_stored(request, stored)
            session = getattr(request, "session", None)
            modified_before = bool(session is not None and session.modified)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            stored = _storable(request, response, modified_before)
            seconds = (
                timeout if timeout is not None else settings.PUBLIC_PAGE_CACHE_SECONDS
            )
            if stored is not None and seconds > 0:
                stored["generation"] = generation
                cache.set(key, stored, seconds)
                _keep_locally(key, stored, time.monotonic())
            return response

        return wrapper

    return decorator

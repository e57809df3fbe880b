"""A cache for public pages: one rendered copy shared by every anonymous visitor.

    @login_not_required
    @require_safe
    @cache_public_page()
    def disease_detail(request, slug): ...

What is cached, and for whom:

- Only anonymous GET and HEAD requests without a query string, without pending flash
  messages and not sent by htmx. Signed-in people always get a freshly rendered page
  (it shows their name, saved services, and so on), so nothing personal is ever
  stored, and nothing depends on the cookie or any other header. The page's language
  (from its path: /es/...) is part of the key all the same, so that a page never
  reaches a visitor in another language whatever decided it.
- Only a plain 200 answer from the view that sets no cookie, no ``Vary`` and no
  ``Cache-Control`` of its own, and left the session and the messages as they were.
- The key is the path under the canonical site address (SITE_URL), never the Host
  header, so no spelling of the host can add entries. Query strings and error pages
  are never cached. The shared cache holds at most MAX_ENTRIES pages stored per
  timeout window (so at most twice that at any time), each at most MAX_BYTES: a
  bounded share of Redis whatever people ask for.

CSRF tokens. Every page carries the visitor's CSRF token (base.html gives it to htmx;
forms have their own), and a token must never be served to someone else. While a page
is rendered for the cache, the template context's ``csrf_token`` is a placeholder
(context processor ``csrf_placeholder``, listed after Django's own), so the stored
page holds no token at all; on every answer, the first included, the placeholder is
replaced with a freshly masked token of the current visitor. Asking for that token
also makes CsrfViewMiddleware send the visitor their own CSRF cookie (and
``Vary: Cookie``), exactly as an uncached render would. A page whose render asked for
a token some other way (``get_token`` in the view) is not cached.

Pages may be up to PUBLIC_PAGE_CACHE_SECONDS old (setting; 0 turns the cache off).
Publishing, unpublishing, a clinical sign-off or any content edit in the admin calls
forget_public_pages(), which retires every stored page at once (each page is stored
with the generation it was rendered in): the change shows at once on the worker that
made it, and on the others after at most the LOCAL_SECONDS they keep their own copy.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

KEY_PREFIX = "carenav:page:v2:"
# Stands for the visitor's CSRF token in stored pages: safe in HTML, attributes and
# JSON as it is, and long and odd enough never to occur in a real page.
CSRF_PLACEHOLDER_TEXT = "carenav-csrf-placeholder-7b1e4c9a0d3f"
CSRF_PLACEHOLDER = CSRF_PLACEHOLDER_TEXT.encode()
# Set on the request while its page is rendered for the shared cache.
RENDERING_FOR_CACHE = "_carenav_renders_for_page_cache"
# Bounds on the shared cache: pages stored per timeout window, and bytes per page.
MAX_ENTRIES = 5000
MAX_BYTES = 512 * 1024
# Raised by forget_public_pages(): pages stored under an older generation are stale.
GENERATION_KEY = "carenav:page:generation"
# Each worker also keeps the pages it served last in its own memory for a few
# seconds, so that a popular page costs no round trip to the shared cache (Redis) on
# most visits. A page may then be up to LOCAL_SECONDS older than the shared timeout.
LOCAL_SECONDS = 10
LOCAL_MAX_ENTRIES = 200


class LocalCopies:
    """A worker's own copies of what it last read from the shared cache: at most
    ``max_entries``, each for ``seconds`` (the oldest go first). Shared by the
    public-page cache here and the patient's checklist (apps/checklists)."""

    def __init__(
        self, seconds: int = LOCAL_SECONDS, max_entries: int = LOCAL_MAX_ENTRIES
    ):
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        """The copy while it is fresh, else None."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        return None

    def keep(self, key: str, value) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + self.seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_local = LocalCopies()
# Response headers set later by middleware for every page; a view that sets them
# itself is telling us something about the answer, so the page is not cached.
REFUSING_HEADERS = ("Vary", "Cache-Control", "Set-Cookie", "Expires")


def cache_key(request) -> str:
    site = urlsplit(settings.SITE_URL).netloc.lower()
    where = f"{get_language()}|{site}{request.path}".encode()
    return KEY_PREFIX + hashlib.sha256(where).hexdigest()


def csrf_placeholder(request) -> dict:
    """Context processor: the placeholder as ``csrf_token`` while a page is rendered
    for the cache (see above); nothing otherwise, so Django's own token applies."""
    if getattr(request, RENDERING_FOR_CACHE, False):
        return {"csrf_token": CSRF_PLACEHOLDER_TEXT}
    return {}


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


def _storable(request, response, session_modified_before: bool, token_asked: bool):
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or any(header in response.headers for header in REFUSING_HEADERS)
        or _pending_message_count(request)
        # The view asked for a real token (not the placeholder): it is somewhere in
        # the answer, and must not be served to anyone else.
        or (request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not token_asked)
        or len(response.content) > MAX_BYTES
    ):
        return None
    session = getattr(request, "session", None)
    if session is not None and session.modified and not session_modified_before:
        return None
    content = response.content
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
    stored = _local.get(key)
    if stored is not None:
        return stored, stored.get("generation", 0)
    found = cache.get_many([key, GENERATION_KEY])
    generation = found.get(GENERATION_KEY, 0)
    stored = found.get(key)
    if stored is None or stored.get("generation", 0) != generation:
        return None, generation
    _local.keep(key, stored)
    return stored, generation


def forget_public_pages() -> None:
    """Retire every stored page: public content changed (published, signed off...)."""
    if not cache.add(GENERATION_KEY, 1, timeout=None):
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # expired between the two calls
            cache.set(GENERATION_KEY, 1, timeout=None)
    forget_local_copies()


def forget_local_copies() -> None:
    """Empty this worker's own copies (tests; the shared cache is left alone)."""
    _local.clear()


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
            token_asked = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
            setattr(request, RENDERING_FOR_CACHE, True)
            try:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
            finally:
                delattr(request, RENDERING_FOR_CACHE)
            stored = _storable(request, response, modified_before, token_asked)
            seconds = (
                timeout if timeout is not None else settings.PUBLIC_PAGE_CACHE_SECONDS
            )
            if stored is None:
                return _with_visitor_token(request, response)
            if seconds > 0 and _room_for_another(seconds):
                stored["generation"] = generation
                cache.set(key, stored, seconds)
                _local.keep(key, stored)
            return _from_stored(request, stored)

        return wrapper

    return decorator


def _with_visitor_token(request, response):
    """An answer not kept: its placeholders (if any) become the visitor's token."""
    if not response.streaming and CSRF_PLACEHOLDER in response.content:
        response.content = response.content.replace(
            CSRF_PLACEHOLDER, get_token(request).encode()
        )
    return response


def _room_for_another(seconds: int) -> bool:
    """Count one more stored page in this timeout window; False past MAX_ENTRIES."""
    key = f"{KEY_PREFIX}count:{seconds}:{int(time.time() // seconds)}"
    cache.add(key, 0, timeout=seconds * 2)
    try:
        return cache.incr(key) <= MAX_ENTRIES
    except ValueError:
        return False

"""Caseworkers' pages kept rendered until something on them changes.

The dashboard, the referral worklist and a client's page are opened far more often
than the team's records change. Like the patient's checklist
(apps/checklists/page_cache.py), each rendered page is kept under a key made of
what it shows: the signed-in person (account, role, team), the language, the full
path with its query string (filters, sorting, page), today's date (the
"needs attention" rule and follow-up dates move with it) and the team's count of
changes (team_changes.py: the database counts every write to the team's casework
records). Any such write makes a new key, so nothing has to be told to forget. The
count is the one read with the account at the start of the request
(apps/accounts/backends.py), before anything on the page: a page rendered later
may show more than its count says, never less.

Who a kept page is served to: only the signed-in person whose key names it (the
key starts from their account), never anyone else. Reading personal data is
logged even when the page comes from the cache: the access-log rows of the render
are kept with the page and written again, for this reader, on every answer.

Only plain GET/HEAD pages without flash messages are kept, htmx fragments and
error pages never; people without a team (administrators) always get a fresh
page. CSRF tokens are never stored (the placeholder of apps.core.caching is
swapped for the reader's own token). Kept for CASEWORK_PAGE_CACHE_SECONDS (0: off),
which also bounds how old directory names and the clock-driven parts may be.
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from apps.core.audit import replay_accesses, start_capturing, stop_capturing
from apps.core.caching import (
    CSRF_PLACEHOLDER,
    MAX_BYTES,
    RENDERING_FOR_CACHE,
    LocalCopies,
)

from .team_changes import changes_seen_by

KEY_PREFIX = "carenav:casework-page:v1:"
# Each worker keeps the pages it served last for a few seconds too: the key names
# the team's count, read on every visit, so a local copy is never older than the
# team's last change.
_local = LocalCopies()


def page_key(request, changes: int) -> str:
    user = request.user
    state = "|".join(
        str(value)
        for value in (
            user.pk,
            user.role,
            user.team_id,
            get_language(),
            request.get_full_path(),
            timezone.localdate(),
            changes,
        )
    )
    return KEY_PREFIX + hashlib.sha256(state.encode()).hexdigest()


def _may_keep(request) -> bool:
    return (
        settings.CASEWORK_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and request.user.is_authenticated
        and request.user.team_id is not None
        and not request.htmx
        # len() reads the messages without marking them shown.
        and not len(messages.get_messages(request))
    )


def _answer(request, kept: dict) -> HttpResponse:
    replay_accesses(request, kept["reads"])
    return HttpResponse(
        kept["content"].replace(CSRF_PLACEHOLDER, get_token(request).encode())
    )


def cached_casework_page(request, render_page):
    """The page kept for this reader at the team's current count, or render_page()
    rendered, kept and answered."""
    if not _may_keep(request):
        return render_page()
    key = page_key(request, changes_seen_by(request.user))
    kept = _local.get(key)
    if kept is None:
        kept = cache.get(key)
        if kept is not None:
            _local.keep(key, kept)
    if kept is not None:
        return _answer(request, kept)
    setattr(request, RENDERING_FOR_CACHE, True)
    start_capturing(request)
    try:
        response = render_page()
    finally:
        reads = stop_capturing(request)
        delattr(request, RENDERING_FOR_CACHE)
    if (
        response.status_code != 200
        or len(messages.get_messages(request))
        or len(response.content) > MAX_BYTES
    ):
        response.content = response.content.replace(
            CSRF_PLACEHOLDER, get_token(request).encode()
        )
        return response
    kept = {"content": response.content, "reads": reads}
    cache.set(key, kept, settings.CASEWORK_PAGE_CACHE_SECONDS)
    _local.keep(key, kept)
    return HttpResponse(
        response.content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    )


def forget_local_copies() -> None:
    """Empty this worker's own copies (tests; the shared cache is left alone)."""
    _local.clear()

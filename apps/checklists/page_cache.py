"""A patient's own checklist pages, kept rendered until something on them changes.

The paced page is read far more often than it changes. Each rendered page is kept in
the cache under a key made of what it shows: the patient, the page (stage and
"show all"), its language, today's date (the timing words change with it), and the
moment of the last change to the profile, the chosen stage and the progress rows,
read in one query (``profile_with_versions``). Any change makes a new key, so
nothing has to be told to forget; content edits retire the page through the public
pages' generation (apps.core.caching.forget_public_pages), as they do for the
public checklist.

Only plain GET/HEAD pages without flash messages are kept; htmx fragments never.
CSRF tokens are never stored: the page is rendered with the placeholder of
apps.core.caching and each answer gets the patient's own token. Kept for
PERSONAL_PAGE_CACHE_SECONDS (0: off). The entries hold health data: they live only
in the cache that already holds the sessions, and a page is only ever served to the
signed-in patient whose key names it (the key starts from their account).
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from apps.accounts.models import PatientProfile
from apps.core.caching import (
    CSRF_PLACEHOLDER,
    GENERATION_KEY,
    RENDERING_FOR_CACHE,
    LocalCopies,
)

from .models import ItemProgress, PatientStage

KEY_PREFIX = "carenav:my-checklist:v2:"
# Each worker also keeps the pages it served last for a few seconds (no round trip
# to the shared cache on a reload). A key names the exact data shown, so a local
# copy is never out of date with the patient's own changes; a content edit reaches
# it after at most LOCAL_SECONDS, as for the public pages.
_local = LocalCopies()


def _versions_sql() -> str:
    # Plain SQL: this runs on every visit, and the ORM's compiling of three
    # subqueries cost ten times the query itself.
    profile = PatientProfile._meta.db_table
    progress = ItemProgress._meta.db_table
    stage = PatientStage._meta.db_table
    # Only the models' own table names are formatted in; the user id is a parameter.
    return (
        f"SELECT p.*,"  # nosec B608
        f" (SELECT max(updated_at) FROM {progress} WHERE patient_id = p.user_id)"
        f" AS progress_changed,"
        f" (SELECT count(*) FROM {progress} WHERE patient_id = p.user_id)"
        f" AS progress_rows,"
        f" (SELECT chosen_at FROM {stage} WHERE patient_id = p.user_id)"
        f" AS stage_chosen"
        f" FROM {profile} p WHERE p.user_id = %s"
    )


def profile_with_versions(user) -> PatientProfile | None:
    """The profile, with when the progress and the chosen stage last changed."""
    found = list(PatientProfile.objects.raw(_versions_sql(), [user.pk]))
    return found[0] if found else None


def page_key(request, profile: PatientProfile) -> str:
    state = "|".join(
        str(value)
        for value in (
            request.user.pk,
            get_language(),
            request.get_full_path(),
            timezone.localdate(),
            profile.updated_at,
            profile.progress_changed,
            profile.progress_rows,
            profile.stage_chosen,
        )
    )
    return KEY_PREFIX + hashlib.sha256(state.encode()).hexdigest()


def _may_keep(request) -> bool:
    return (
        settings.PERSONAL_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.htmx
        # len() reads the messages without marking them shown.
        and not len(messages.get_messages(request))
    )


def _answer(request, content: bytes) -> HttpResponse:
    return HttpResponse(content.replace(CSRF_PLACEHOLDER, get_token(request).encode()))


def cached_page(request, profile: PatientProfile | None, render_page):
    """The page from the cache, or render_page() rendered, kept and answered."""
    if profile is None or not _may_keep(request):
        return render_page()
    key = page_key(request, profile)
    content = _local.get(key)
    if content is not None:
        return _answer(request, content)
    found = cache.get_many([key, GENERATION_KEY])
    generation = found.get(GENERATION_KEY, 0)
    stored = found.get(key)
    if stored is not None and stored["generation"] == generation:
        _local.keep(key, stored["content"])
        return _answer(request, stored["content"])
    setattr(request, RENDERING_FOR_CACHE, True)
    try:
        response = render_page()
    finally:
        delattr(request, RENDERING_FOR_CACHE)
    if response.status_code != 200 or len(messages.get_messages(request)):
        response.content = response.content.replace(
            CSRF_PLACEHOLDER, get_token(request).encode()
        )
        return response
    cache.set(
        key,
        {"content": response.content, "generation": generation},
        settings.PERSONAL_PAGE_CACHE_SECONDS,
    )
    _local.keep(key, response.content)
    return _answer(request, response.content)


def forget_local_copies() -> None:
    """Empty this worker's own copies (tests; the shared cache is left alone)."""
    _local.clear()

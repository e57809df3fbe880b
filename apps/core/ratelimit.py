"""Counting requests against a limit in the shared cache (Redis in production).

    wait = seconds_to_wait("directory:reports", client_address(request),
                           limit=5, period=3600)
    if wait: ...tell the visitor to come back in `wait` seconds...

Fixed windows of `period` seconds: simple, one atomic increment per hit, and the same
answer on every app server. allauth and django-axes keep their own counts for
sign-in; this is for the project's own forms.
"""

import hashlib
import time

from django.core.cache import cache
from django.utils.translation import ngettext


def seconds_to_wait(scope: str, ident: str | None, *, limit: int, period: int) -> int:
    """Count one hit for `ident`; 0 while within `limit` hits per `period` seconds,
    else how many seconds until the window ends."""
    now = time.time()
    window = int(now // period)
    # Hashed: the cache key never holds an address or other identifier in clear.
    digest = hashlib.sha256(f"{ident or 'unknown'}".encode()).hexdigest()[:32]
    key = f"carenav:rl:{scope}:{period}:{window}:{digest}"
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:
        # The entry expired between add and incr: this hit starts a new count.
        cache.set(key, 1, timeout=period)
        count = 1
    if count <= limit:
        return 0
    return max(1, int((window + 1) * period - now))


def minutes_text(seconds: int) -> str:
    """'1 minute', '15 minutes': how long to wait, for a message."""
    minutes = max(1, -(-seconds // 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {
        "count": minutes
    }

"""The one place that works out which address a request came from.

Behind reverse proxies, REMOTE_ADDR is the nearest proxy's address: the same for every
visitor. Each proxy appends the address it received the request from to
X-Forwarded-For, so with N trusted proxies (setting TRUSTED_PROXY_COUNT) the client is
the N-th entry counted from the right. Anything further left was written by the
client itself and is never believed.

The log-in limits (allauth and django-axes), the access log, the HSDS API's throttle
and the limits on the report-a-problem form and the service's answer page all use
this function, so one visitor cannot exhaust a limit meant for another.
"""

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's IP address as the configured proxies report it; None if unknown."""
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop
    ]
    if len(forwarded) < proxies:
        # The request did not pass through every trusted proxy (or they are set up
        # differently from TRUSTED_PROXY_COUNT): nothing in the header can be trusted.
        logger.warning(
            "X-Forwarded-For has %d entries, fewer than the %d trusted proxies",
            len(forwarded),
            proxies,
        )
        return remote
    return _valid(forwarded[-proxies]) or remote

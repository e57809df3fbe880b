"""The account lock-out (django-axes), for passwords and second-factor codes alike.

Wrong passwords reach axes through Django's authenticate(). A wrong TOTP or recovery
code is checked by allauth, after the password: it is reported to axes as a failed
sign-in of the same account (Django's user_login_failed signal, which axes listens
to), so AXES_FAILURE_LIMIT wrong passwords or codes in a row lock the account for
AXES_COOLOFF_TIME, and the code step refuses even a right code while it is locked.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed

from apps.core.ratelimit import minutes_text


def username_from_credentials(request, credentials) -> str | None:
    """The account django-axes counts failures against: the e-mail typed at log-in."""
    credentials = credentials or {}
    value = (
        credentials.get("email")
        or credentials.get("username")
        or (request.POST.get("login") if request is not None else None)
    )
    return value.strip().lower() if value else None


def _credentials(user) -> dict:
    return {"username": user.email}


def is_locked(request, user) -> bool:
    return AxesProxyHandler.is_locked(request, _credentials(user))


def tries_left(request, user) -> int:
    failures = AxesProxyHandler.get_failures(request, _credentials(user))
    return max(0, settings.AXES_FAILURE_LIMIT - failures)


def record_failed_code(request, user) -> None:
    """Count a wrong second-factor code as a failed sign-in of `user`'s account."""
    user_login_failed.send(
        sender=__name__, credentials=_credentials(user), request=request
    )


def cooloff_text() -> str:
    """How long a locked account waits, for messages: '15 minutes'."""
    return minutes_text(int(settings.AXES_COOLOFF_TIME.total_seconds()))

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language_from_path, gettext

from .backends import HAS_SECOND_FACTOR

# Paths a staff member may open before setting up a second factor: sign-in,
# sign-out and the MFA set-up itself, what every page needs to load, and the
# public directory API, which never uses the session.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/hsds/")


class StaffMFARequiredMiddleware:
    """Staff cannot reach any page until they have set up TOTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.requires_mfa
            and not _without_language(request.path_info).startswith(ALLOWED_PREFIXES)
            and not _has_second_factor(user)
        ):
            messages.info(
                request,
                gettext(
                    "Your account can see other people's information, so it needs a "
                    "second step at sign-in. Set up an authenticator app to continue."
                ),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_second_factor(user) -> bool:
    """Read with the account by AccountBackend; asked of the database for a user
    it did not load (one signed in by this very request)."""
    known = getattr(user, HAS_SECOND_FACTOR, None)
    return known if known is not None else is_mfa_enabled(user)


def _without_language(path: str) -> str:
    """/es/accounts/... is /accounts/... in Spanish."""
    language = get_language_from_path(path)
    return path.removeprefix(f"/{language}") if language else path

"""The sign-in backend: allauth's, with one thing more read with the account.

StaffMFARequiredMiddleware asks on every request of a staff member whether they
have a second factor set up: a query of its own each time. Reading the answer in
the query that loads the signed-in account from the session (an EXISTS on the
authenticators' user index) makes it free. The answer is that of the request's
start; a factor added or removed during the request counts from the next one.
"""

from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

# Set on the user that get_user() loads: whether any authenticator is set up
# (allauth's is_mfa_enabled(user) for that moment).
HAS_SECOND_FACTOR = "has_second_factor"


class AccountBackend(AuthenticationBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(
            **{
                HAS_SECOND_FACTOR: Exists(
                    Authenticator.objects.filter(user_id=OuterRef("pk"))
                )
            }
        )
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

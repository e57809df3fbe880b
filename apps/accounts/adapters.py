from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied

from apps.core.client_address import client_address

from .models import User


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # allauth's per-address limit (ACCOUNT_RATE_LIMITS["login_failed"]).
        "too_many_login_attempts": (
            "Too many failed sign-ins have come from your connection. Please wait a "
            "minute and try again."
        ),
    }

    def save_user(self, request, user, form, commit=True):
        # Only patients sign themselves up; staff accounts are made by an administrator.
        user.role = User.Role.PATIENT
        user = super().save_user(request, user, form, commit=False)
        if commit:
            user.save()
            from .roles import assign_role

            assign_role(user=user, role=User.Role.PATIENT)
        return user

    def get_client_ip(self, request) -> str:
        # allauth's per-address limits see the client, not the proxy in front.
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address

"""What the caseworkers' pages share: who may use them, and how a client or a
referral is fetched.

Every personal record is fetched through visible_to(user).logged(request), so
another team's client is a 404 and every record a page reads is in the access log.
"""

import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404

from apps.accounts.models import User
from apps.core.models import AccessLog

from ..models import (
    Client,
    Referral,
)

CASEWORK = (User.Role.CASEWORKER, User.Role.SUPERVISOR)


Action = AccessLog.Action


def int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def action_of(request) -> str:
    """How a fetch is logged: a POST reads the record to change it."""
    return Action.VIEW if request.method in ("GET", "HEAD") else Action.CHANGE


def client_or_404(request, pk: int, queryset=None, action=None) -> Client:
    queryset = queryset if queryset is not None else Client.objects.all()
    action = action or action_of(request)
    return get_object_or_404(
        queryset.visible_to(request.user).logged(request, action), pk=pk
    )


def referral_or_404(request, pk: int, action=None) -> Referral:
    return get_object_or_404(
        Referral.objects.visible_to(request.user)
        .logged(request, action or action_of(request))
        .select_related(
            "client",
            "client__caseworker",
            "service",
            "service__organization",
            "location",
        ),
        pk=pk,
    )

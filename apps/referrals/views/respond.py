"""Where a receiving service answers a referral, without an account.

The signed link is the only key: tampered with, expired or revoked, it shows the
same "not found" page, which never says whether the referral exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.core.audit import record_access
from apps.core.client_address import client_address
from apps.core.models import AccessLog
from apps.core.ratelimit import minutes_text, seconds_to_wait

from .. import services
from ..forms import RespondForm
from ..models import Referral, StaleReferral, TransitionNotAllowed
from ..tokens import referral_for_token

# Answers one referral may receive per hour through its link, and answers one client
# address may send per hour to all referrals together.
ANSWERS_PER_HOUR = 20
ANSWERS_PER_ADDRESS_PER_HOUR = 60
ACTION_TITLES = {
    "accept": _("Accept the referral"),
    "schedule": _("Give an appointment date"),
    "decline": _("Decline the referral"),
    "complete": _("Mark it as completed"),
}


def _seconds_to_wait(request, referral_pk: int) -> int:
    """Limits per referral (a leaked link) and per client address (one machine
    working through many links); 0 when neither is reached."""
    return seconds_to_wait(
        "referrals:respond", str(referral_pk), limit=ANSWERS_PER_HOUR, period=3600
    ) or seconds_to_wait(
        "referrals:respond-address",
        client_address(request),
        limit=ANSWERS_PER_ADDRESS_PER_HOUR,
        period=3600,
    )


def _forms_for(referral: Referral, bound: RespondForm | None = None) -> list:
    forms = []
    for action, status in services.SERVICE_ACTIONS.items():
        if not referral.can_change_to(status):
            continue
        if bound is not None and bound.action == action:
            form = bound
        else:
            form = RespondForm(
                action=action, referral=referral, initial={"version": referral.version}
            )
        forms.append((action, ACTION_TITLES[action], form))
    return forms


def _page(request, referral, *, bound=None, stale=False, status=200):
    if not referral.is_open:
        # An ended referral no longer needs the client's details: the link only
        # says that it is closed, whatever the state of the link itself.
        closed_status = 200 if request.method == "GET" else 409
        return render(
            request,
            "referrals/respond_closed.html",
            {"referral": referral},
            status=closed_status,
        )
    return render(
        request,
        "referrals/respond.html",
        {
            "referral": referral,
            "client": referral.client,
            "shares_details": referral.client.consents_to_share_with_services,
            "caseworker": referral.client.caseworker,
            "action_forms": _forms_for(referral, bound),
            "stale": stale,
        },
        status=status,
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def respond(request, token: str):
    # The link is a credential: the access log names the page without it.
    request.access_log_path = reverse("referrals:respond", args=["link"])
    # Whatever is posted, the referral read here is logged.
    queryset = Referral.objects.logged(request).select_related(
        "client",
        "client__caseworker",
        "service",
        "service__organization",
        "location",
    )
    referral = referral_for_token(token, queryset=queryset)
    if referral is None or referral.status == Referral.Status.DRAFT:
        return render(request, "referrals/respond_invalid.html", status=404)
    if request.method == "POST":
        wait = _seconds_to_wait(request, referral.pk)
        if wait:
            response = render(
                request,
                "referrals/respond_busy.html",
                {"wait": minutes_text(wait)},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        action = request.POST.get("action", "")
        if action not in services.SERVICE_ACTIONS:
            return _page(request, referral, status=400)
        form = RespondForm(request.POST, action=action, referral=referral)
        if not referral.is_open:
            return _page(request, referral)
        if form.is_valid():
            try:
                services.respond_as_service(
                    referral=referral,
                    action=action,
                    expected_version=form.cleaned_data["version"],
                    note=form.cleaned_data["note"],
                    appointment_at=form.cleaned_data.get("appointment_at"),
                    decline_reason=form.cleaned_data.get("decline_reason", ""),
                )
            except StaleReferral as stale:
                current = queryset.get(pk=stale.current.pk)
                return _page(request, current, stale=True, status=409)
            except TransitionNotAllowed:
                return _page(request, referral, stale=True, status=409)
            record_access(
                request, referral, AccessLog.Action.CHANGE, subject=referral.client
            )
            messages.success(
                request,
                _("Thank you. Your answer is saved and the caseworker is told."),
            )
            return redirect("referrals:respond", token=token)
        return _page(request, referral, bound=form, status=400)
    return _page(request, referral)

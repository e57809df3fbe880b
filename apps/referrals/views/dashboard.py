"""The caseworker's dashboard: what needs action, and what services answered."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from apps.accounts.decorators import role_required

from ..models import (
    OPEN_STATUSES,
    Client,
    Referral,
)
from .common import (
    CASEWORK,
)

# Declined referrals stay on the dashboard this long, so another service can be found.
DECLINED_SHOWN_DAYS = 30
DASHBOARD_ROWS = 50


def _action_reasons(referral: Referral, *, today, no_answer_before) -> list[str]:
    reasons = []
    if referral.is_open and referral.follow_up_on and referral.follow_up_on <= today:
        if referral.follow_up_on < today:
            reasons.append("Follow-up date passed")
        else:
            reasons.append("Follow-up due today")
    if (
        referral.status == Referral.Status.SENT
        and referral.sent_at
        and referral.sent_at < no_answer_before
    ):
        days = (timezone.now() - referral.sent_at).days
        reasons.append(f"No answer for {days} days")
    if referral.status == Referral.Status.DECLINED:
        reasons.append("Declined: find another service")
    return reasons


@require_http_methods(["GET"])
@role_required(*CASEWORK)
def dashboard(request):
    now = timezone.now()
    today = timezone.localdate()
    no_answer_before = now - timedelta(days=settings.REFERRAL_NO_ANSWER_DAYS)
    visible = Referral.objects.visible_to(request.user)
    needing_action = list(
        visible.logged(request)
        .filter(
            Q(status__in=OPEN_STATUSES, follow_up_on__lte=today)
            | Q(status=Referral.Status.SENT, sent_at__lt=no_answer_before)
            | Q(
                status=Referral.Status.DECLINED,
                updated_at__gte=now - timedelta(days=DECLINED_SHOWN_DAYS),
            )
        )
        .select_related("client", "client__caseworker", "service")
        .order_by("follow_up_on", "sent_at", "pk")[: DASHBOARD_ROWS + 1]
    )
    has_more = len(needing_action) > DASHBOARD_ROWS
    needing_action = needing_action[:DASHBOARD_ROWS]
    for referral in needing_action:
        referral.reasons = _action_reasons(
            referral, today=today, no_answer_before=no_answer_before
        )
    counts = dict(
        visible.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    status_counts = [
        (value, label, counts.get(value, 0)) for value, label in Referral.Status.choices
    ]
    recent_clients = list(
        Client.objects.visible_to(request.user)
        .logged(request)
        .filter(last_seen_at__isnull=False)
        .order_by("-last_seen_at")[:10]
    )
    return render(
        request,
        "referrals/dashboard.html",
        {
            "needing_action": needing_action,
            "has_more": has_more,
            "status_counts": status_counts,
            "total": sum(counts.values()),
            "recent_clients": recent_clients,
            "no_answer_days": settings.REFERRAL_NO_ANSWER_DAYS,
        },
    )

"""The caseworker's dashboard: counts that open the worklist filtered, what needs
attention, the latest answers from services, and recently opened clients.

Its cost does not grow with the caseload: counts come from one aggregate query,
and each list is a short slice (the worklist has the rest).
"""

from django.contrib import messages
from django.db.models import F, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import User
from apps.core.audit import record_accesses

from ..models import Client, FeedMark, Referral, ReferralEvent
from ..page_cache import cached_casework_page
from .common import CASEWORK
from .worklist import add_urls, rows_for, url_maker

ATTENTION_ROWS = 10
FEED_ROWS = 10
RECENT_CLIENTS = 5
# What a service can answer through its link that the caseworker should read.
ANSWERS = (
    Referral.Status.ACCEPTED,
    Referral.Status.SCHEDULED,
    Referral.Status.DECLINED,
)


def _latest_answers(request):
    """Answers services gave through their link since the user last marked the
    feed as seen, newest first."""
    seen_at = FeedMark.objects.filter(user=request.user).values("seen_at")[:1]
    events = list(
        ReferralEvent.objects.filter(
            actor__isnull=True,
            to_status__in=ANSWERS,
            referral__in=Referral.objects.visible_to(request.user).values("pk"),
        )
        .alias(since=Coalesce(Subquery(seen_at), F("referral__created_at")))
        .filter(at__gt=F("since"))
        .select_related("referral", "referral__client", "referral__service")
        .only(
            "at",
            "to_status",
            "note",
            "actor_label",
            "referral__client__full_name",
            "referral__service__name",
        )
        .order_by("-at", "-pk")[:FEED_ROWS]
    )
    referral_url = url_maker("referrals:referral_detail")
    for event in events:
        event.referral_url = referral_url(event.referral_id)
    # The feed names each referral's client: a read of those referrals.
    record_accesses(request, [event.referral for event in events])
    return events


@require_GET
@role_required(*CASEWORK)
def dashboard(request):
    return cached_casework_page(request, lambda: _dashboard_page(request))


def _dashboard_page(request):
    visible = Referral.objects.visible_to(request.user)
    counts = visible.status_counts()
    attention = list(
        rows_for(request, Referral.objects.needing_action()).order_by(
            F("follow_up_on").asc(nulls_last=True), "sent_at", "pk"
        )[:ATTENTION_ROWS]
    )
    add_urls(attention)
    recent_clients = list(
        Client.objects.visible_to(request.user)
        .logged(request)
        .filter(last_seen_at__isnull=False)
        .only("full_name", "last_seen_at")
        .order_by("-last_seen_at")[:RECENT_CLIENTS]
    )
    client_url = url_maker("referrals:client_detail")
    for client in recent_clients:
        client.url = client_url(client.pk)
    worklist = reverse("referrals:referral_list")
    status_counts = [
        (label, counts[value], f"{worklist}?status={value}")
        for value, label in Referral.Status.choices
    ]
    return render(
        request,
        "referrals/dashboard.html",
        {
            "worklist_url": worklist,
            "status_counts": status_counts,
            "total": sum(counts[value] for value in Referral.Status.values),
            "attention_count": counts["attention"],
            "referrals": attention,
            "answers": _latest_answers(request),
            "recent_clients": recent_clients,
            "show_caseworker": request.user.role == User.Role.SUPERVISOR,
        },
    )


@require_POST
@role_required(*CASEWORK)
def feed_mark_seen(request):
    """The caseworker has read the latest answers: the feed starts again from now."""
    FeedMark.objects.update_or_create(
        user=request.user, defaults={"seen_at": timezone.now()}
    )
    messages.success(request, _("Answers marked as seen."))
    return redirect("referrals:dashboard")

"""The referral worklist: every referral the user may see, filtered, sorted, paged.

Light by design, whatever the caseload: one page of rows, the columns they show
(``only``), URLs built once per page rather than reversed per row, and the rows'
access-log entries written in the request's one INSERT.
"""

from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.accounts.decorators import role_required

from ..filters import ReferralFilter
from ..models import Referral
from ..page_cache import cached_casework_page
from .common import CASEWORK

REFERRALS_PER_PAGE = 25
# The columns a worklist or dashboard row shows.
ROW_FIELDS = (
    "status",
    "urgency",
    "follow_up_on",
    "sent_at",
    "updated_at",
    "client__full_name",
    "client__caseworker__full_name",
    "client__caseworker__email",
    "service__name",
)


def url_maker(name: str):
    """A function from a primary key to the URL of ``name``: reversed once, then
    filled in, since a list page would otherwise reverse it for every row."""
    marker = 2**31 - 1
    pattern = reverse(name, args=[marker])
    before, after = pattern.rsplit(str(marker), 1)
    return lambda pk: f"{before}{pk}{after}"


def rows_for(request, queryset):
    """Referrals as list rows: the visible ones, logged as read, with only the
    columns rows show. Pass a queryset with the attention annotation
    (``with_attention()`` or ``needing_action()``)."""
    return (
        queryset.visible_to(request.user)
        .logged(request)
        .select_related("client", "client__caseworker", "service")
        .only(*ROW_FIELDS)
    )


def add_urls(referrals) -> None:
    referral_url = url_maker("referrals:referral_detail")
    client_url = url_maker("referrals:client_detail")
    for referral in referrals:
        referral.url = referral_url(referral.pk)
        referral.client_url = client_url(referral.client_id)


@require_GET
@role_required(*CASEWORK)
def referral_list(request):
    return cached_casework_page(request, lambda: _worklist_page(request))


def _worklist_page(request):
    referral_filter = ReferralFilter(
        request.GET,
        queryset=rows_for(request, Referral.objects.with_attention()),
        user=request.user,
    )
    referrals = referral_filter.qs
    if not request.GET.get("sort"):
        referrals = referrals.order_by(
            F("follow_up_on").asc(nulls_last=True), "-updated_at", "-pk"
        )
    else:
        referrals = referrals.order_by(*referrals.query.order_by, "-pk")
    page = Paginator(referrals, REFERRALS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    add_urls(rows)
    show_caseworker = "caseworker" in referral_filter.filters
    # Read once (a comprehension: list() would first count the choices).
    caseworker_choices = (
        [choice for choice in referral_filter.form.fields["caseworker"].choices]  # noqa: C416
        if show_caseworker
        else []
    )
    return render(
        request,
        "referrals/referral_list.html",
        {
            "filter": referral_filter,
            "page_obj": page,
            "referrals": rows,
            "show_caseworker": show_caseworker,
            "caseworker_choices": caseworker_choices,
            "is_filtered": any(
                value for name, value in request.GET.items() if name != "page"
            ),
        },
    )

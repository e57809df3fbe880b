"""Choosing the service to refer a client to, through the directory's own search.

The directory holds 100,000 services: the referral form never lists them. The
caseworker searches here (keywords, type, distance from the client's ZIP code,
telehealth, referrals, language) and gets a short page of results, each with a
"Refer" button that opens the form with that service chosen. With JavaScript the
results follow the typing (htmx asks for the results part only); without it the
form is a plain GET search.
"""

from functools import partial

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from apps.accounts.decorators import role_required
from apps.directory.cards import read_cards
from apps.directory.forms import ServiceSearchForm
from apps.directory.models import Service

from ..models import Client
from .common import CASEWORK

RESULTS_PER_PAGE = 10
# What a search needs before it runs: never a list of every service.
SEARCH_FIELDS = ("q", "zip", "type", "language", "telehealth", "accepts_referrals")


def _client_from(request) -> Client | None:
    client_id = request.GET.get("client", "")
    if not client_id.isdigit():
        return None
    return (
        Client.objects.visible_to(request.user)
        .logged(request)
        .filter(pk=client_id)
        .first()
    )


def refusal_reason(service: Service) -> str:
    """Why a service cannot be chosen for a referral, or "" when it can."""
    if not service.accepts_referrals:
        return _(
            "Does not take referrals through CareNav: the client or you can "
            "contact them directly."
        )
    if service.status != Service.Status.ACTIVE:
        return _("Temporarily closed: it cannot take a referral now.")
    return ""


@require_GET
@role_required(*CASEWORK)
def referral_choose_service(request):
    client = _client_from(request)
    data = request.GET.copy()
    data.pop("page", None)
    data.pop("client", None)
    if client is not None and client.zip_code and "zip" not in data:
        # Distance is from the client's home unless the caseworker changes it.
        data["zip"] = client.zip_code
    form = ServiceSearchForm(data)
    context = {
        "form": form,
        "client": client,
        "results": [],
        "page_obj": None,
        "searched": any(data.get(name) for name in SEARCH_FIELDS),
    }
    if context["searched"] and form.is_valid():
        now = timezone.localtime()
        search = form.search(now=now)
        search.read = partial(
            read_cards,
            moment=now,
            centre=form.cleaned_data.get("zip"),
            miles=form.cleaned_data.get("radius") or 0,
        )
        page = Paginator(search, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        results = list(page.object_list)
        for service in results:
            service.refusal = refusal_reason(service)
        context.update(
            page_obj=page,
            results=results,
            has_distance=search.has_distance,
            is_capped=search.is_capped,
            corrections=search.corrections,
        )
    template = "referrals/choose_service.html"
    if request.htmx and not request.htmx.boosted:
        template = "referrals/includes/choose_service_results.html"
    return render(request, template, context)

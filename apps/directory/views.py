from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import User
from apps.core.caching import cache_public_page
from apps.core.client_address import client_address
from apps.core.ratelimit import minutes_text, seconds_to_wait

from . import services, suggestions
from .cards import read_cards
from .forms import ListingReportForm, ServiceSearchForm
from .geo import openstreetmap_directions
from .models import (
    Location,
    Organization,
    Phone,
    SavedService,
    Schedule,
    Service,
    ServiceAtLocation,
)
from .querysets import CANDIDATE_LIMIT, LISTED_STATUSES

# Ten full cards (phone, hours, distance) make a long page on a phone already,
# and each costs rendering time under load.
PAGE_SIZE = 10
# Reports accepted from one address per hour, against floods of spam.
REPORTS_PER_HOUR = 5


def _locations_prefetch() -> Prefetch:
    return Prefetch(
        "service_at_locations",
        queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
            "location__addresses"
        ),
    )


def _page_number(request) -> tuple[int, str | None]:
    raw = request.GET.get("page", "1") or "1"
    try:
        number = int(raw)
    except ValueError:
        return 1, _("Page numbers are whole numbers; here is the first page.")
    if number < 1:
        return 1, _("Page numbers start at 1; here is the first page.")
    return number, None


def _saved_ids(user, services) -> set:
    if not getattr(user, "is_patient", False) or not services:
        return set()
    return set(
        SavedService.objects.visible_to(user)
        .filter(service__in=services)
        .values_list("service_id", flat=True)
    )


@require_GET
@login_not_required
@cache_public_page()
def service_list(request):
    """Search the directory. Queries: taxonomy terms for the form, the typo lookup
    (with words), the candidates in order (ids, at most CANDIDATE_LIMIT + 1), the
    services of the page with everything their cards show; a patient's saved marks.
    With no results: telehealth services of that type and the nearest matches beyond
    the radius."""
    form = ServiceSearchForm(request.GET)
    context = {"form": form, "page_obj": None, "results": [], "notice": None}
    if form.is_valid():
        now = timezone.localtime()
        search = form.search(now=now)
        search.read = partial(
            read_cards,
            moment=now,
            centre=form.cleaned_data.get("zip"),
            miles=form.cleaned_data.get("radius") or 0,
        )
        paginator = Paginator(search, PAGE_SIZE)
        number, notice = _page_number(request)
        if number > paginator.num_pages:
            last = paginator.num_pages
            if search.is_capped:
                notice = _(
                    "Only the first %(limit)s matches are shown page by page. Add a "
                    "keyword, a ZIP code or a filter to narrow them down."
                ) % {"limit": number_format(CANDIDATE_LIMIT, force_grouping=True)}
            elif paginator.count:
                notice = (
                    _("There are only %(last)s pages of results; here is the last.")
                    % {"last": last}
                    if last > 1
                    else _("There is only one page of results; here it is.")
                )
            number = last
        page_obj = paginator.page(number)
        results = list(page_obj.object_list)
        context.update(
            page_obj=page_obj,
            results=results,
            notice=notice,
            corrections=search.corrections,
            has_distance=search.has_distance,
            is_capped=search.is_capped,
            active_filters=sum(
                1
                for name in ("type", "disease", "language", "telehealth")
                + ("accepts_referrals", "open_now", "checked_recently")
                if form.cleaned_data.get(name)
            ),
        )
        if not results:
            context.update(suggestions.for_empty_search(request, form, now))
    saved_ids = _saved_ids(request.user, context["results"])
    for service in context["results"]:
        service.is_saved = service.id in saved_ids
    context["searched"] = any(v for k, v in request.GET.items() if k != "page")
    context["is_patient"] = getattr(request.user, "is_patient", False)
    return render(request, "directory/service_list.html", context)


def _listed_service(pk):
    """A service as the public sees it (defunct listings are gone)."""
    queryset = Service.objects.exclude(status=Service.Status.DEFUNCT)
    return get_object_or_404(queryset.select_related("organization"), pk=pk)


@require_GET
@login_not_required
@cache_public_page()
def service_detail(request, pk):
    service = _listed_service(pk)
    prefetch_related_objects(
        [service],
        "taxonomy_terms",
        "languages",
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related(
                "location"
            ).prefetch_related("location__addresses"),
        ),
    )
    _attach_phones_and_hours(service)
    for sal in service.service_at_locations.all():
        location = sal.location
        if location.latitude is not None and location.longitude is not None:
            sal.directions_url = openstreetmap_directions(
                location.latitude, location.longitude
            )
    service.is_saved = bool(_saved_ids(request.user, [service]))
    return render(
        request,
        "directory/service_detail.html",
        {"service": service, "stale_months": settings.STALE_AFTER_MONTHS},
    )


def _attach_phones_and_hours(service) -> None:
    """Phones and opening hours of the service, its locations and each of its
    service-at-locations (HSDS hangs them on all three), in one query each.

    Sets phone_list/schedule_list on the service and on each service-at-location,
    and location_phone_list/location_schedule_list for the location it names.
    """
    at_locations = list(service.service_at_locations.all())
    location_ids = {sal.location_id for sal in at_locations}
    related = (
        Q(service_id=service.id)
        | Q(location_id__in=location_ids)
        | Q(service_at_location_id__in=[sal.id for sal in at_locations])
    )
    for model, name in ((Phone, "phone_list"), (Schedule, "schedule_list")):
        rows = list(model.objects.filter(related).order_by("pk"))
        setattr(service, name, [row for row in rows if row.service_id == service.id])
        for sal in at_locations:
            setattr(
                sal, name, [row for row in rows if row.service_at_location_id == sal.id]
            )
            setattr(
                sal,
                f"location_{name}",
                [row for row in rows if row.location_id == sal.location_id],
            )


@require_http_methods(["GET", "POST"])
@login_not_required
def service_report(request, pk):
    service = _listed_service(pk)
    form = ListingReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.is_spam():
            # Only robots fill the hidden field: same answer as success, so they
            # learn nothing.
            messages.success(request, _("Thank you. Your report has reached our team."))
            return redirect(service)
        wait = seconds_to_wait(
            "directory:reports",
            client_address(request),
            limit=REPORTS_PER_HOUR,
            period=3600,
        )
        if wait:
            # Told plainly, and the message stays in the form to send later.
            form.add_error(
                None,
                _(
                    "Too many reports have come from your connection in the last "
                    "hour, so this one was not sent. Please try again in %(wait)s."
                )
                % {"wait": minutes_text(wait)},
            )
            response = render(
                request,
                "directory/listingreport_form.html",
                {"service": service, "form": form},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        services.create_listing_report(
            service=service,
            message=form.cleaned_data["message"],
            contact_email=form.cleaned_data["contact_email"],
        )
        messages.success(
            request,
            _(
                "Thank you. Your report has reached our team, who will check the "
                "listing."
            ),
        )
        return redirect(service)
    return render(
        request, "directory/listingreport_form.html", {"service": service, "form": form}
    )


@require_GET
@login_not_required
@cache_public_page()
def organization_detail(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    listed = (
        Service.objects.filter(status__in=LISTED_STATUSES)
        .prefetch_related("taxonomy_terms")
        .order_by("name")
    )
    prefetch_related_objects(
        [organization],
        Prefetch("services", queryset=listed, to_attr="listed_services"),
        Prefetch(
            "locations",
            queryset=Location.objects.prefetch_related("addresses", "phones"),
            to_attr="all_locations",
        ),
        "phones",
    )
    return render(
        request, "directory/organization_detail.html", {"organization": organization}
    )


def _safe_next(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _back(request, service):
    return redirect(_safe_next(request) or service)


@require_POST
@role_required(User.Role.PATIENT)
def service_save(request, pk):
    service = _listed_service(pk)
    SavedService.objects.get_or_create(user=request.user, service=service)
    return _saved_response(request, service, is_saved=True)


@require_POST
@role_required(User.Role.PATIENT)
def service_unsave(request, pk):
    """Removing asks once: a first POST shows the question (in place with htmx,
    as a page without JavaScript); the answer "yes" removes."""
    service = get_object_or_404(Service, pk=pk)
    if request.POST.get("confirm") != "yes":
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        ):
            target = ""
        context = {"service": service, "next": target}
        if request.htmx:
            return render(request, "directory/includes/unsave_confirm.html", context)
        return render(request, "directory/saved_remove_confirm.html", context)
    SavedService.objects.visible_to(request.user).filter(service=service).delete()
    return _saved_response(request, service, is_saved=False)


def _saved_response(request, service, *, is_saved: bool):
    if request.htmx:
        service.is_saved = is_saved
        return render(
            request,
            "directory/includes/save_button.html",
            {
                "service": service,
                "next": request.POST.get("next", ""),
                "announce": True,
            },
        )
    if is_saved:
        messages.success(request, _("Saved to your list."))
    else:
        messages.success(request, _("Removed from your list."))
    return _back(request, service)


def _saved_services(user) -> list:
    saved = (
        SavedService.objects.visible_to(user)
        .filter(service__status__in=[*LISTED_STATUSES, Service.Status.INACTIVE])
        .select_related("service__organization")
        .prefetch_related(
            Prefetch(
                "service__service_at_locations",
                queryset=ServiceAtLocation.objects.select_related(
                    "location"
                ).prefetch_related("location__addresses", "location__phones"),
            ),
            "service__phones",
            "service__taxonomy_terms",
        )
    )
    return list(saved)


@require_GET
@role_required(User.Role.PATIENT)
def saved_list(request):
    """Queries: session, user, saved services with service and organisation, then
    prefetches of locations, addresses, location phones, phones and terms."""
    return render(
        request, "directory/saved_list.html", {"saved": _saved_services(request.user)}
    )


@require_GET
@role_required(User.Role.PATIENT)
def saved_list_print(request):
    return render(
        request,
        "directory/saved_list_print.html",
        {"saved": _saved_services(request.user)},
    )


@require_POST
@role_required(User.Role.PATIENT)
def saved_list_email(request):
    saved = _saved_services(request.user)
    if not saved:
        messages.info(
            request, _("Your list is empty, so there is nothing to send yet.")
        )
    elif not request.user.email:
        raise Http404
    else:
        services.email_saved_list(user=request.user, saved=saved)
        messages.success(
            request, _("We have sent the list to the e-mail address of your account.")
        )
    return redirect(reverse("directory:saved_list"))

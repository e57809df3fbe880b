"""The page a service opens from its verification e-mail (no account needed)."""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import verification
from .models import ServiceAtLocation
from .proposals import FIELDS, show, snapshot
from .provider_forms import ListingCorrectionForm


def _listing(service):
    """The service with what a snapshot reads, fetched in one query per list."""
    return (
        type(service)
        .objects.select_related("organization")
        .prefetch_related(
            "phones",
            "schedules",
            "languages",
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related(
                    "location"
                ).prefetch_related("location__addresses"),
            ),
        )
        .get(pk=service.pk)
    )


def _closed(request, token, state, status=410):
    return render(
        request,
        "directory/listing_check_closed.html",
        {"state": state, "token": token},
        status=status,
    )


@never_cache
@login_not_required
@require_http_methods(["GET", "POST"])
def listing_check(request, token):
    """See the listing, then say "everything is right" or propose changes."""
    state = verification.state_of(token)
    if not state.usable:
        return _closed(
            request, token, state, 404 if state.problem == "tampered" else 410
        )
    service = _listing(state.request.service)
    current = snapshot(service)
    form = ListingCorrectionForm(
        request.POST if request.POST.get("action") == "propose" else None,
        current=current,
    )
    if request.method == "POST" and request.POST.get("action") == "confirm":
        verification.confirm_listing(request=state.request)
        return redirect(reverse("directory:listing_check_done") + "?answer=confirmed")
    if request.method == "POST" and form.is_valid():
        if not form.changes():
            form.add_error(
                None,
                _(
                    "You have not changed anything. If the listing is right as it "
                    'is, choose "Everything is right".'
                ),
            )
        else:
            verification.propose_changes(
                request=state.request,
                proposed=form.proposed(),
                note=form.cleaned_data["provider_note"],
            )
            return redirect(
                reverse("directory:listing_check_done") + "?answer=proposed"
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "directory/listing_check.html",
        {
            "service": service,
            "request_": state.request,
            "form": form,
            "summary": [
                # Free text is the listing's own words, kept in English.
                (
                    field.label,
                    show(field.name, current[field.name]),
                    field.kind == "text",
                )
                for field in FIELDS
            ],
        },
        status=status,
    )


@login_not_required
@require_POST
def listing_check_renew(request, token):
    """An expired, answered or revoked link: send a fresh one to the listing's
    own contact address."""
    state = verification.state_of(token)
    sent = verification.renew_link(state=state) if state.request else False
    return render(
        request,
        "directory/listing_check_closed.html",
        {"state": state, "token": token, "renewed": sent},
        status=200 if sent else 404,
    )


@login_not_required
def listing_check_done(request):
    return render(
        request,
        "directory/listing_check_done.html",
        {"answer": request.GET.get("answer", "")},
    )

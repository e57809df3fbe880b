"""Referrals: creating one, its page, status changes, edits, the service's link."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.decorators import role_required
from apps.core.audit import access_log_insert, record_access
from apps.core.remembered import remembered_reverse
from apps.directory.models import Service

from .. import services
from ..forms import (
    NoteForm,
    ReferralForm,
    ReferralUpdateForm,
    StatusChangeForm,
)
from ..models import (
    Referral,
    StaleReferral,
    TransitionNotAllowed,
)
from ..status_sql import IF_CHANGED, AlsoWritten
from .choose_service import refusal_reason
from .common import (
    CASEWORK,
    Action,
    referral_or_404,
    uuid_or_none,
)


def _service_from(value) -> Service | None:
    """The listed service a referral link or form names, whether or not it takes
    referrals (the page says why one that does not cannot be chosen)."""
    service_id = uuid_or_none(value)
    if service_id is None:
        return None
    return (
        Service.objects.listed()
        .select_related("organization")
        .filter(pk=service_id)
        .first()
    )


def _chooser_url(client_id: str = "") -> str:
    url = reverse("referrals:referral_choose_service")
    return f"{url}?client={client_id}" if client_id.isdigit() else url


@require_http_methods(["GET", "POST"])
@role_required(*CASEWORK)
def referral_create(request):
    """The referral form, for a service chosen beforehand (choose_service.py)."""
    source = request.POST if request.method == "POST" else request.GET
    client_id = source.get("client", "")
    service = _service_from(source.get("service"))
    if service is None:
        if request.method == "POST":
            messages.error(request, _("Choose a service first."))
        return redirect(_chooser_url(client_id))
    refusal = refusal_reason(service)
    if refusal:
        messages.error(
            request,
            _("%(name)s cannot be chosen. %(refusal)s")
            % {"name": service.name, "refusal": refusal},
        )
        return redirect(_chooser_url(client_id))
    if request.method == "POST":
        form = ReferralForm(request.POST, request=request, service=service)
        if form.is_valid():
            referral = services.create_referral(form=form, by=request.user)
            record_access(request, referral, Action.CREATE, subject=referral.client)
            messages.success(
                request,
                _("Referral saved as a draft. Check it, then send it to the service."),
            )
            return redirect(referral)
    else:
        initial = {"service": service.pk}
        if client_id.isdigit():
            initial["client"] = int(client_id)
        form = ReferralForm(initial=initial, request=request, service=service)
    return render(
        request,
        "referrals/referral_form.html",
        {
            "form": form,
            "service": service,
            "creating": True,
            "chooser_url": _chooser_url(client_id),
        },
    )


def _link_expires_at(referral: Referral):
    if referral.link_issued_at is None:
        return None
    return referral.link_issued_at + timedelta(days=settings.REFERRAL_LINK_MAX_AGE_DAYS)


def referral_page(
    request,
    referral: Referral,
    *,
    status_form=None,
    note_form=None,
    stale=False,
    status=200,
):
    events = list(referral.events.select_related("actor").order_by("at", "pk"))
    notes = list(referral.notes.select_related("author").order_by("-created_at", "-pk"))
    if status_form is None and referral.allowed_next():
        status_form = StatusChangeForm(
            initial={"version": referral.version}, referral=referral
        )
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "client": referral.client,
            "events": events,
            "notes": notes,
            "status_form": status_form,
            "note_form": note_form or NoteForm(),
            "stale": stale,
            "link_expires_at": _link_expires_at(referral),
            "link_expired": (
                referral.link_issued_at is not None
                and _link_expires_at(referral) < timezone.now()
            ),
        },
        status=status,
    )


@require_http_methods(["GET"])
@role_required(*CASEWORK)
def referral_detail(request, pk: int):
    return referral_page(request, referral_or_404(request, pk))


# What a status change reads of the referral when it has to (see
# _change_status_read): the columns the form and the change need (the service is
# only loaded when sending mails it its link).
CHANGE_FIELDS = ("status", "version", "client_id", "service_id", "urgency")


@require_POST
@role_required(*CASEWORK)
def referral_change_status(request, pk: int):
    """Move a referral on, then 303 to its page. One statement, with no read
    before it, checks that the person may see the referral, its version and that
    the change is allowed, and writes the change, the timeline event and the
    access-log row (with the service's mail when sending, in one transaction: the
    outbox). Only when it changes nothing is the referral read, to say why.
    Nothing is rendered unless it fails."""
    form = StatusChangeForm(request.POST)
    if not form.is_valid():
        return _refused_status_page(request, pk, form)
    data = form.cleaned_data
    changed = services.change_visible_referral_status(
        Referral.objects.visible_to(request.user).logged(request, Action.CHANGE),
        pk,
        **_asked_change(request, data),
    )
    if changed is None:
        return _change_status_read(request, pk, form)
    return _status_changed(request, pk, data["to"])


def _asked_change(request, data: dict) -> dict:
    """The change a valid status form asks for, as both status-change services
    take it."""
    return {
        "to": data["to"],
        "by": request.user,
        "expected_version": data["version"],
        "note": data["note"],
        "appointment_at": data.get("appointment_at"),
        "decline_reason": data["decline_reason"],
    }


def _change_status_read(request, pk: int, form: StatusChangeForm):
    """The change as it was made before the one statement: read the referral
    (a 404 when the person may not see it), then change it, to tell a stale form
    (409) from a change that is not allowed (400)."""
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user)
        .logged(request, Action.CHANGE)
        .only(*CHANGE_FIELDS),
        pk=pk,
    )
    data = form.cleaned_data
    try:
        # The access-log rows of the read are written by the change's own
        # statement when the change is made (else at the end of the request).
        with access_log_insert(request, IF_CHANGED) as log_insert:
            services.change_referral_status(
                referral=referral,
                **_asked_change(request, data),
                also=[AlsoWritten(*log_insert)] if log_insert else [],
            )
    except StaleReferral as stale:
        return _stale_status_page(request, stale.current, data)
    except TransitionNotAllowed:
        form.add_error(
            "to",
            _("A %(status)s referral cannot become %(to)s.")
            % {
                "status": referral.get_status_display().lower(),
                "to": Referral.Status(data["to"]).label.lower(),
            },
        )
        return _refused_status_page(request, pk, form)
    return _status_changed(request, pk, data["to"])


def _refused_status_page(request, pk: int, form: StatusChangeForm):
    referral = referral_or_404(request, pk)
    form.offer_next(referral)
    return referral_page(request, referral, status_form=form, status=400)


def _status_changed(request, pk: int, to: str):
    if to == Referral.Status.SENT:
        messages.success(
            request, _("Referral sent. The service has been e-mailed a link.")
        )
    else:
        # The label from the enumeration: get_status_display() rebuilds the
        # field's table of choices on every call.
        messages.success(
            request,
            _("Status changed to %(status)s.") % {"status": Referral.Status(to).label},
        )
    # 303: the browser fetches the referral's page with a GET. Its address is
    # worked out once per worker (reverse() cost more than the change's SQL).
    return HttpResponseRedirect(
        remembered_reverse("referrals:referral_detail", args=[pk]), status=303
    )


def _stale_status_page(request, referral: Referral, submitted):
    """Someone else got there first: show the referral as it is now, with what this
    person typed kept in the form, ready to send again against the new version."""
    referral = referral_or_404(request, referral.pk, Action.VIEW)
    form = None
    if referral.allowed_next():
        wanted = submitted.get("to")
        form = StatusChangeForm(
            initial={
                "version": referral.version,
                "to": wanted if referral.can_change_to(wanted or "") else None,
                "note": submitted.get("note", ""),
                "decline_reason": submitted.get("decline_reason", ""),
                "appointment_at": submitted.get("appointment_at"),
            },
            referral=referral,
        )
    return referral_page(request, referral, status_form=form, stale=True, status=409)


@require_http_methods(["GET", "POST"])
@role_required(*CASEWORK)
def referral_update(request, pk: int):
    referral = referral_or_404(request, pk)
    if not referral.is_open:
        messages.info(request, _("A closed referral cannot be changed."))
        return redirect(referral)
    stale = False
    if request.method == "POST":
        form = ReferralUpdateForm(request.POST, instance=referral)
        if form.is_valid():
            try:
                referral.update_details(
                    reason=form.cleaned_data["reason"],
                    urgency=form.cleaned_data["urgency"],
                    follow_up_on=form.cleaned_data["follow_up_on"],
                    expected_version=form.cleaned_data["version"],
                )
            except StaleReferral:
                # Keep what this person typed; show the current values beside it
                # and let them save again on top of the new version.
                stale = True
                referral = referral_or_404(request, pk, Action.VIEW)
                data = request.POST.copy()
                data["version"] = referral.version
                form = ReferralUpdateForm(data, instance=Referral.objects.get(pk=pk))
                form.is_valid()
            else:
                messages.success(request, _("Referral saved."))
                return redirect(referral)
    else:
        form = ReferralUpdateForm(
            instance=referral, initial={"version": referral.version}
        )
    return render(
        request,
        "referrals/referral_form.html",
        {"form": form, "referral": referral, "stale": stale},
        status=409 if stale else 200,
    )


@require_POST
@role_required(*CASEWORK)
def referral_resend_link(request, pk: int):
    referral = referral_or_404(request, pk)
    if referral.status == Referral.Status.DRAFT or not referral.is_open:
        messages.info(request, _("Only an open referral that was sent has a link."))
        return redirect(referral)
    services.resend_link(referral=referral, by=request.user)
    messages.success(
        request,
        _("A new link was e-mailed to the service. Earlier links no longer work."),
    )
    return redirect(referral)


@require_POST
@role_required(*CASEWORK)
def referral_revoke_link(request, pk: int):
    referral = referral_or_404(request, pk)
    services.revoke_link(referral=referral, by=request.user)
    messages.success(request, _("The service's link no longer works."))
    return redirect(referral)


@require_http_methods(["GET"])
@role_required(*CASEWORK)
def referral_print(request, pk: int):
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user)
        .logged(request, Action.PRINT)
        .select_related(
            "client",
            "client__caseworker",
            "service",
            "service__organization",
            "location",
        )
        .prefetch_related("service__phones", "location__addresses"),
        pk=pk,
    )
    return render(request, "referrals/referral_print.html", {"referral": referral})

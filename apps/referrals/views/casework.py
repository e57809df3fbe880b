"""The caseworkers' workspace: dashboard, clients, referrals, notes.

Every personal record is fetched through visible_to(user), so another team's client
is a 404, and every read or change is written to the access log.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import User
from apps.core.audit import record_access, record_accesses
from apps.core.models import AccessLog
from apps.directory.models import Service

from .. import services
from ..forms import (
    ClientFilter,
    ClientForm,
    InvitationForm,
    NoteForm,
    ReassignForm,
    ReferralForm,
    ReferralUpdateForm,
    StatusChangeForm,
    referrable_services,
)
from ..models import (
    OPEN_STATUSES,
    Client,
    Note,
    Referral,
    StaleReferral,
    TransitionNotAllowed,
)
from ..progress import checklist_progress_for

CASEWORK = (User.Role.CASEWORKER, User.Role.SUPERVISOR)
CLIENTS_PER_PAGE = 25
# Declined referrals stay on the dashboard this long, so another service can be found.
DECLINED_SHOWN_DAYS = 30
DASHBOARD_ROWS = 50

Action = AccessLog.Action


def _subject(record):
    return record.client if isinstance(record, Referral | Note) else record


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _client_or_404(request, pk: int, queryset=None) -> Client:
    queryset = queryset if queryset is not None else Client.objects.all()
    return get_object_or_404(queryset.visible_to(request.user), pk=pk)


def _referral_or_404(request, pk: int) -> Referral:
    return get_object_or_404(
        Referral.objects.visible_to(request.user).select_related(
            "client",
            "client__caseworker",
            "service",
            "service__organization",
            "location",
        ),
        pk=pk,
    )


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
        visible.filter(
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
        .filter(last_seen_at__isnull=False)
        .order_by("-last_seen_at")[:10]
    )
    record_accesses(request, needing_action + recent_clients, subject_of=_subject)
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


@require_http_methods(["GET"])
@role_required(*CASEWORK)
def client_list(request):
    clients = (
        Client.objects.visible_to(request.user)
        .select_related("caseworker")
        .annotate(
            open_referrals=Count(
                "referrals", filter=Q(referrals__status__in=OPEN_STATUSES)
            ),
            all_referrals=Count("referrals"),
        )
        .order_by("full_name", "pk")
    )
    client_filter = ClientFilter(request.GET, queryset=clients)
    page = Paginator(client_filter.qs, CLIENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    record_accesses(request, page.object_list)
    return render(
        request,
        "referrals/client_list.html",
        {
            "filter": client_filter,
            "page_obj": page,
            "clients": page.object_list,
            "is_filtered": any(
                request.GET.get(name) for name in ("q", "status", "has_open")
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*CASEWORK)
def client_create(request):
    form = ClientForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        client = form.save()
        record_access(request, client, Action.CREATE)
        messages.success(request, "Client added.")
        return redirect(client)
    return render(request, "referrals/client_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(*CASEWORK)
def client_update(request, pk: int):
    client = _client_or_404(request, pk)
    form = ClientForm(request.POST or None, instance=client, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        record_access(request, client, Action.CHANGE)
        messages.success(request, "Client details saved.")
        return redirect(client)
    record_access(request, client, Action.VIEW)
    return render(
        request, "referrals/client_form.html", {"form": form, "client": client}
    )


def _client_page(request, client: Client, *, note_form=None, status=200):
    referrals = list(
        client.referrals.select_related("service", "service__organization", "location")
        .annotate(note_count=Count("notes"))
        .order_by("-updated_at", "-pk")
    )
    notes = list(
        client.notes.select_related("author", "referral__service").order_by(
            "-created_at", "-pk"
        )
    )
    invitation = client.invitations.pending().first()
    progress = checklist_progress_for(client)
    record_accesses(request, [client, *referrals], subject_of=_subject)
    return render(
        request,
        "referrals/client_detail.html",
        {
            "client": client,
            "referrals": referrals,
            "notes": notes,
            "note_form": note_form or NoteForm(),
            "invitation": invitation,
            "progress": progress,
            "can_see_log": request.user.role == User.Role.SUPERVISOR,
            "can_reassign": request.user.role == User.Role.SUPERVISOR,
        },
        status=status,
    )


@require_http_methods(["GET"])
@role_required(*CASEWORK)
def client_detail(request, pk: int):
    client = _client_or_404(
        request,
        pk,
        Client.objects.select_related("caseworker", "team", "patient__profile"),
    )
    now = timezone.now()
    Client.objects.filter(pk=client.pk).update(last_seen_at=now)
    client.last_seen_at = now
    return _client_page(request, client)


@require_POST
@role_required(*CASEWORK)
def note_create(request, pk: int):
    client = _client_or_404(
        request,
        pk,
        Client.objects.select_related("caseworker", "team", "patient__profile"),
    )
    referral = None
    if request.POST.get("referral"):
        referral = get_object_or_404(
            client.referrals.all(), pk=_int_or_404(request.POST["referral"])
        )
    form = NoteForm(request.POST)
    if not form.is_valid():
        if referral is not None:
            return _referral_page(request, referral, note_form=form, status=400)
        return _client_page(request, client, note_form=form, status=400)
    note = services.add_note(
        client=client,
        referral=referral,
        by=request.user,
        text=form.cleaned_data["text"],
        is_internal=form.is_internal,
    )
    record_access(request, note, Action.CREATE, subject=client)
    messages.success(
        request,
        "Note added (internal)." if note.is_internal else "Note added and shared.",
    )
    return redirect(referral or client)


@require_http_methods(["GET", "POST"])
@role_required(User.Role.SUPERVISOR)
def client_reassign(request, pk: int):
    client = _client_or_404(request, pk, Client.objects.select_related("caseworker"))
    form = ReassignForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        services.reassign_client(
            client=client, caseworker=form.cleaned_data["caseworker"]
        )
        record_access(request, client, Action.CHANGE)
        messages.success(request, "Client moved to another caseworker.")
        return redirect(client)
    record_access(request, client, Action.VIEW)
    return render(
        request,
        "referrals/client_reassign.html",
        {
            "client": client,
            "form": form,
            "has_choices": form.fields["caseworker"].queryset.exists(),
        },
    )


@require_http_methods(["GET"])
def client_access_log(request, pk: int):
    """Who opened or changed this client's records: for supervisors of the team and
    administrators."""
    if not (request.user.is_superuser or request.user.role == User.Role.SUPERVISOR):
        raise PermissionDenied
    client = _client_or_404(request, pk)
    # Logged first, so the count the page is cut by includes this very reading.
    record_access(request, client, Action.VIEW)
    rows = (
        AccessLog.objects.about(client._meta.label_lower, client.pk)
        .select_related("user")
        .order_by("-at", "-pk")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/client_access_log.html",
        {"client": client, "page_obj": page, "rows": page.object_list},
    )


@require_http_methods(["GET", "POST"])
@role_required(*CASEWORK)
def client_invite(request, pk: int):
    client = _client_or_404(request, pk, Client.objects.select_related("patient"))
    if client.patient_id:
        messages.info(request, "This client is already linked to an account.")
        return redirect(client)
    form = InvitationForm(request.POST or None, initial={"email": client.email})
    if request.method == "POST" and form.is_valid():
        services.invite_client(
            client=client, email=form.cleaned_data["email"], by=request.user
        )
        record_access(request, client, Action.CHANGE)
        messages.success(request, "Invitation sent.")
        return redirect(client)
    record_access(request, client, Action.VIEW)
    return render(
        request, "referrals/client_invite.html", {"client": client, "form": form}
    )


@require_POST
@role_required(*CASEWORK)
def client_unlink(request, pk: int):
    """Withdraw open invitations and undo the link to the patient's account."""
    client = _client_or_404(request, pk)
    services.withdraw_invitations(client=client)
    services.unlink_patient(client=client)
    record_access(request, client, Action.CHANGE)
    messages.success(request, "The client's account is no longer linked.")
    return redirect(client)


# Referrals


def _initial_from_query(request) -> tuple[dict, Service | None]:
    initial, service = {}, None
    service_id = _uuid_or_none(request.GET.get("service"))
    if service_id:
        service = referrable_services().filter(pk=service_id).first()
        if service is not None:
            initial["service"] = service.pk
    client_id = request.GET.get("client", "")
    if client_id.isdigit():
        client = Client.objects.visible_to(request.user).filter(pk=client_id).first()
        if client is not None:
            initial["client"] = client.pk
    return initial, service


@require_http_methods(["GET", "POST"])
@role_required(*CASEWORK)
def referral_create(request):
    initial, service = _initial_from_query(request)
    if request.method == "POST":
        chosen = referrable_services().filter(
            pk=_uuid_or_none(request.POST.get("service"))
        )
        form = ReferralForm(request.POST, user=request.user, service=chosen.first())
        if form.is_valid():
            referral = services.create_referral(form=form, by=request.user)
            record_access(request, referral, Action.CREATE, subject=referral.client)
            messages.success(
                request,
                "Referral saved as a draft. Check it, then send it to the service.",
            )
            return redirect(referral)
    else:
        form = ReferralForm(initial=initial, user=request.user, service=service)
    return render(
        request,
        "referrals/referral_form.html",
        {"form": form, "service": service, "creating": True},
    )


def _link_expires_at(referral: Referral):
    if referral.link_issued_at is None:
        return None
    return referral.link_issued_at + timedelta(days=settings.REFERRAL_LINK_MAX_AGE_DAYS)


def _referral_page(
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
    record_access(request, referral, Action.VIEW, subject=referral.client)
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
    return _referral_page(request, _referral_or_404(request, pk))


@require_POST
@role_required(*CASEWORK)
def referral_change_status(request, pk: int):
    referral = _referral_or_404(request, pk)
    form = StatusChangeForm(request.POST, referral=referral)
    if not form.is_valid():
        if "to" in form.errors and form.cleaned_data.get("version") != referral.version:
            return _stale_status_page(request, referral, form.data)
        return _referral_page(request, referral, status_form=form, status=400)
    try:
        services.change_referral_status(
            referral=referral,
            to=form.cleaned_data["to"],
            by=request.user,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
            appointment_at=form.cleaned_data.get("appointment_at"),
            decline_reason=form.cleaned_data.get("decline_reason", ""),
        )
    except StaleReferral as stale:
        return _stale_status_page(request, stale.current, form.cleaned_data)
    except TransitionNotAllowed:
        return _stale_status_page(request, referral, form.cleaned_data)
    record_access(request, referral, Action.CHANGE, subject=referral.client)
    if referral.status == Referral.Status.SENT:
        messages.success(
            request, "Referral sent. The service has been e-mailed a link."
        )
    else:
        messages.success(request, f"Status changed to {referral.get_status_display()}.")
    return redirect(referral)


def _stale_status_page(request, referral: Referral, submitted):
    """Someone else got there first: show the referral as it is now, with what this
    person typed kept in the form, ready to send again against the new version."""
    referral = _referral_or_404(request, referral.pk)
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
    return _referral_page(request, referral, status_form=form, stale=True, status=409)


@require_http_methods(["GET", "POST"])
@role_required(*CASEWORK)
def referral_update(request, pk: int):
    referral = _referral_or_404(request, pk)
    if not referral.is_open:
        messages.info(request, "A closed referral cannot be changed.")
        return redirect(referral)
    stale = False
    if request.method == "POST":
        form = ReferralUpdateForm(request.POST, instance=referral)
        if form.is_valid():
            changed = Referral.objects.filter(
                pk=referral.pk, version=form.cleaned_data["version"]
            ).update(
                reason=form.cleaned_data["reason"],
                urgency=form.cleaned_data["urgency"],
                follow_up_on=form.cleaned_data["follow_up_on"],
                version=form.cleaned_data["version"] + 1,
                updated_at=timezone.now(),
            )
            if changed:
                record_access(request, referral, Action.CHANGE, subject=referral.client)
                messages.success(request, "Referral saved.")
                return redirect(referral)
            # Keep what this person typed; show the current values beside it and
            # let them save again on top of the new version.
            stale = True
            referral = _referral_or_404(request, pk)
            data = request.POST.copy()
            data["version"] = referral.version
            form = ReferralUpdateForm(data, instance=Referral.objects.get(pk=pk))
            form.is_valid()
    else:
        form = ReferralUpdateForm(
            instance=referral, initial={"version": referral.version}
        )
    record_access(request, referral, Action.VIEW, subject=referral.client)
    return render(
        request,
        "referrals/referral_form.html",
        {"form": form, "referral": referral, "stale": stale},
        status=409 if stale else 200,
    )


@require_POST
@role_required(*CASEWORK)
def referral_resend_link(request, pk: int):
    referral = _referral_or_404(request, pk)
    if referral.status == Referral.Status.DRAFT or not referral.is_open:
        messages.info(request, "Only an open referral that was sent has a link.")
        return redirect(referral)
    services.resend_link(referral=referral, by=request.user)
    record_access(request, referral, Action.CHANGE, subject=referral.client)
    messages.success(
        request, "A new link was e-mailed to the service. Earlier links no longer work."
    )
    return redirect(referral)


@require_POST
@role_required(*CASEWORK)
def referral_revoke_link(request, pk: int):
    referral = _referral_or_404(request, pk)
    services.revoke_link(referral=referral, by=request.user)
    record_access(request, referral, Action.CHANGE, subject=referral.client)
    messages.success(request, "The service's link no longer works.")
    return redirect(referral)


@require_http_methods(["GET"])
@role_required(*CASEWORK)
def referral_print(request, pk: int):
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user)
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
    record_access(request, referral, Action.PRINT, subject=referral.client)
    return render(request, "referrals/referral_print.html", {"referral": referral})

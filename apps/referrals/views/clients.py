"""A caseworker's clients: list, record, notes, invitation, reassignment."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import User
from apps.core.audit import flush_access_log, record_access
from apps.core.models import AccessLog

from .. import services
from ..filters import ClientFilter
from ..forms import (
    ClientForm,
    InvitationForm,
    NoteForm,
    ReassignForm,
)
from ..models import (
    OPEN_STATUSES,
    Client,
    Referral,
)
from ..page_cache import cached_casework_page
from ..progress import checklist_progress_for, progress_shared_since, shared_since
from .common import CASEWORK, Action, client_or_404, int_or_404
from .referrals import referral_page

CLIENTS_PER_PAGE = 25
LAST_SEEN_STEP = timedelta(minutes=1)


@require_http_methods(["GET"])
@role_required(*CASEWORK)
def client_list(request):
    clients = (
        Client.objects.visible_to(request.user)
        .logged(request)
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
        messages.success(request, _("Client added."))
        return redirect(client)
    return render(request, "referrals/client_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(*CASEWORK)
def client_update(request, pk: int):
    client = client_or_404(request, pk)
    form = ClientForm(request.POST or None, instance=client, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Client details saved."))
        return redirect(client)
    return render(
        request, "referrals/client_form.html", {"form": form, "client": client}
    )


def _client_page(request, client: Client, *, note_form=None, status=200):
    referrals = list(
        Referral.objects.filter(client=client)
        .logged(request)
        .select_related("service", "service__organization", "location")
        .annotate(note_count=Count("notes"))
        .order_by("-updated_at", "-pk")
    )
    notes = list(
        client.notes.select_related("author", "referral__service").order_by(
            "-created_at", "-pk"
        )
    )
    invitation = client.invitations.pending().first()
    # The checklist itself is on its own page (client_progress): building it is the
    # costliest part of a client's record, and not needed on every visit.
    shared_since_at = progress_shared_since(client)
    return render(
        request,
        "referrals/client_detail.html",
        {
            "client": client,
            "referrals": referrals,
            "notes": notes,
            "note_form": note_form or NoteForm(),
            "invitation": invitation,
            "progress_shared_since": shared_since_at,
            "can_see_log": request.user.role == User.Role.SUPERVISOR,
            "can_reassign": request.user.role == User.Role.SUPERVISOR,
        },
        status=status,
    )


@require_http_methods(["GET"])
@role_required(*CASEWORK)
def client_detail(request, pk: int):
    return cached_casework_page(request, lambda: _client_detail_page(request, pk))


def _client_detail_page(request, pk: int):
    client = client_or_404(
        request,
        pk,
        Client.objects.select_related(
            "caseworker", "team", "patient__profile"
        ).annotate(progress_shared_since=shared_since()),
    )
    now = timezone.now()
    # "Recently opened" is kept to the minute: opening the page again within it
    # (reloads, going back and forth) writes nothing. A page served from the cache
    # writes nothing either: it was rendered, and the opening noted, at most
    # CASEWORK_PAGE_CACHE_SECONDS ago.
    if client.last_seen_at is None or now - client.last_seen_at > LAST_SEEN_STEP:
        Client.objects.filter(pk=client.pk).update(last_seen_at=now)
        client.last_seen_at = now
    return _client_page(request, client)


@require_POST
@role_required(*CASEWORK)
def note_create(request, pk: int):
    client = client_or_404(
        request,
        pk,
        Client.objects.select_related("caseworker", "team", "patient__profile"),
    )
    referral = None
    if request.POST.get("referral"):
        referral = get_object_or_404(
            Referral.objects.filter(client=client).logged(request, Action.CHANGE),
            pk=int_or_404(request.POST["referral"]),
        )
    form = NoteForm(request.POST)
    if not form.is_valid():
        if referral is not None:
            return referral_page(request, referral, note_form=form, status=400)
        return _client_page(request, client, note_form=form, status=400)
    note = services.add_note(
        client=client,
        referral=referral,
        by=request.user,
        text=form.cleaned_data["text"],
        is_internal=form.is_internal,
        submission_key=form.cleaned_data["submission_key"],
    )
    record_access(request, note, Action.CREATE, subject=client)
    messages.success(
        request,
        _("Note added (internal).")
        if note.is_internal
        else _("Note added and shared."),
    )
    return redirect(referral or client)


@require_http_methods(["GET", "POST"])
@role_required(User.Role.SUPERVISOR)
def client_reassign(request, pk: int):
    client = client_or_404(request, pk, Client.objects.select_related("caseworker"))
    form = ReassignForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        services.reassign_client(
            client=client, caseworker=form.cleaned_data["caseworker"]
        )
        messages.success(request, _("Client moved to another caseworker."))
        return redirect(client)
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
    client = client_or_404(request, pk)
    # Written first, so the count the page is cut by includes this very reading.
    flush_access_log(request)
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
    client = client_or_404(request, pk, Client.objects.select_related("patient"))
    if client.patient_id:
        messages.info(request, _("This client is already linked to an account."))
        return redirect(client)
    form = InvitationForm(request.POST or None, initial={"email": client.email})
    if request.method == "POST" and form.is_valid():
        services.invite_client(
            client=client, email=form.cleaned_data["email"], by=request.user
        )
        messages.success(request, _("Invitation sent."))
        return redirect(client)
    return render(
        request, "referrals/client_invite.html", {"client": client, "form": form}
    )


@require_POST
@role_required(*CASEWORK)
def client_unlink(request, pk: int):
    """Withdraw open invitations and undo the link to the patient's account."""
    client = client_or_404(request, pk)
    services.withdraw_invitations(client=client)
    services.unlink_patient(client=client)
    messages.success(request, _("The client's account is no longer linked."))
    return redirect(client)


# Referrals


@require_http_methods(["GET"])
@role_required(*CASEWORK)
def client_progress(request, pk: int):
    """The linked patient's checklist progress, when they share it with this team."""
    client = client_or_404(
        request,
        pk,
        Client.objects.select_related("patient").annotate(
            progress_shared_since=shared_since()
        ),
    )
    return render(
        request,
        "referrals/client_progress.html",
        {"client": client, "progress": checklist_progress_for(client)},
    )

"""A patient's own referrals and the invitation to link their client record."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import User
from apps.core.audit import record_access
from apps.core.models import AccessLog

from .. import services
from ..models import Client, ClientInvitation, Note, ProgressShare, Referral
from ..tokens import invitation_for_token, make_invitation_token


@require_http_methods(["GET"])
@role_required(User.Role.PATIENT)
def my_referrals(request):
    """Status, service and dates of the patient's referrals, and shared notes only."""
    records = list(
        Client.objects.filter(patient=request.user)
        .logged(request)
        .select_related("caseworker")
        .prefetch_related(
            Prefetch(
                "notes",
                queryset=Note.objects.shared()
                .filter(referral__isnull=True)
                .select_related("author")
                .order_by("-created_at", "-pk"),
                to_attr="shared_notes",
            )
        )
        .order_by("pk")
    )
    referrals = list(
        Referral.objects.visible_to(request.user)
        .logged(request)
        .select_related("client", "service", "service__organization", "location")
        .prefetch_related(
            Prefetch(
                "notes",
                queryset=Note.objects.shared()
                .select_related("author")
                .order_by("-created_at", "-pk"),
                to_attr="shared_notes",
            )
        )
        .order_by("-updated_at", "-pk")
    )
    since = timezone.now() - timedelta(days=settings.CLIENT_INVITATION_MAX_AGE_DAYS)
    invitations = [
        (invitation, make_invitation_token(invitation))
        for invitation in ClientInvitation.objects.pending()
        .filter(email__iexact=request.user.email, created_at__gte=since)
        .select_related("invited_by")
    ]
    return render(
        request,
        "referrals/my_referrals.html",
        {
            "records": records,
            "referrals": referrals,
            "open_referrals": [r for r in referrals if r.is_open],
            "closed_referrals": [r for r in referrals if not r.is_open],
            "invitations": invitations,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(User.Role.PATIENT)
def invitation_accept(request, token: str):
    invitation = invitation_for_token(token)
    if invitation is None:
        return render(request, "referrals/invitation_invalid.html", status=404)
    if invitation.email.lower() != request.user.email.lower():
        return render(
            request,
            "referrals/invitation_wrong_account.html",
            status=403,
        )
    if request.method == "POST":
        if "decline" in request.POST:
            messages.info(request, _("Nothing was linked."))
            return redirect("referrals:my_referrals")
        client = services.accept_invitation(
            invitation=invitation,
            patient=request.user,
            share_progress=request.POST.get("share_progress") == "1",
        )
        record_access(request, client, AccessLog.Action.CHANGE)
        messages.success(request, _("Your account is now linked to your caseworker."))
        return redirect("referrals:my_referrals")
    return render(
        request, "referrals/invitation_accept.html", {"invitation": invitation}
    )


@require_POST
@role_required(User.Role.PATIENT)
def my_link_remove(request, pk: int):
    """The patient stops sharing: their account is no longer linked to the record."""
    client = get_object_or_404(
        Client.objects.filter(patient=request.user).logged(
            request, AccessLog.Action.CHANGE
        ),
        pk=pk,
    )
    services.unlink_patient(client=client)
    messages.success(request, _("Your account is no longer linked to that record."))
    return redirect("referrals:my_referrals")


@require_http_methods(["GET"])
@role_required(User.Role.PATIENT)
def my_sharing(request):
    """Who sees the patient's checklist progress: one grant per linked caseworker,
    each given and revoked on its own."""
    records = list(
        Client.objects.filter(patient=request.user)
        .logged(request)
        .select_related("caseworker", "team")
        .order_by("pk")
    )
    shares = list(
        ProgressShare.objects.visible_to(request.user)
        .select_related("caseworker", "team")
        .order_by("-granted_at", "-pk")
    )
    active = {share.client_id: share for share in shares if share.is_active}
    return render(
        request,
        "referrals/my_sharing.html",
        {
            "rows": [(record, active.get(record.pk)) for record in records],
            "past_shares": [share for share in shares if not share.is_active],
        },
    )


def _my_record_or_404(request, pk: int) -> Client:
    return get_object_or_404(
        Client.objects.filter(patient=request.user).logged(
            request, AccessLog.Action.CHANGE
        ),
        pk=pk,
    )


@require_POST
@role_required(User.Role.PATIENT)
def my_sharing_grant(request, pk: int):
    client = _my_record_or_404(request, pk)
    services.share_progress_with(client=client, patient=request.user)
    messages.success(
        request, f"{client.caseworker} and their team can now see your checklist."
    )
    return redirect("referrals:my_sharing")


@require_POST
@role_required(User.Role.PATIENT)
def my_sharing_revoke(request, pk: int):
    client = _my_record_or_404(request, pk)
    for share in client.progress_shares.active():
        services.stop_sharing_progress(share=share)
    messages.success(
        request, f"{client.caseworker} and their team no longer see your checklist."
    )
    return redirect("referrals:my_sharing")

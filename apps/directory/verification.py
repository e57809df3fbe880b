"""Asking services to confirm their listings, and what happens to their answers.

    request_verification(service=..., reason=...)    one signed link, by e-mail
    start_verification_campaign.enqueue()            every listing due, in batches
    confirm_listing(request=...)                     "everything is right"
    propose_changes(request=..., proposed=...)       changes for staff to review
    decide_proposal(proposal=..., approved=[...])    staff approve fields, or none

Links are signed (the same kind of link as a referral's answer page), expire after
VERIFICATION_LINK_MAX_AGE_DAYS and are revoked by a newer request for the same
service. All e-mail goes through the outbox and the task queue (apps/core/mail.py),
in the transaction of the change that causes it.
"""

from dataclasses import dataclass
from datetime import timedelta

import pghistory
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from apps.core.mail import absolute_url, queue_mail, render_mail, written_in

from .listings import ListingProposal, VerificationRequest
from .models import Service
from .proposals import FIELDS, apply_fields, changed_fields, show, snapshot
from .search import refresh_search_index

SALT = "carenav.directory.verification"
BATCH_SIZE = 500
# A provider asking again for a link gets at most one new e-mail in this time.
RENEWAL_PAUSE = timedelta(hours=1)


def contact_email(service: Service) -> str:
    return service.email or service.organization.email


def make_token(request: VerificationRequest) -> str:
    return signing.dumps([request.pk], salt=SALT)


@dataclass
class LinkState:
    """What a link leads to: a request that may be answered, or why not."""

    request: VerificationRequest | None
    problem: str = ""  # "", tampered, expired, revoked, answered

    @property
    def usable(self) -> bool:
        return self.request is not None and not self.problem


def state_of(token: str) -> LinkState:
    try:
        (pk,) = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return LinkState(None, "tampered")
    request = (
        VerificationRequest.objects.select_related("service__organization")
        .filter(pk=pk)
        .first()
        if isinstance(pk, int)
        else None
    )
    if request is None:
        return LinkState(None, "tampered")
    if request.revoked_at:
        return LinkState(request, "revoked")
    if request.answered_at:
        return LinkState(request, "answered")
    if timezone.now() > request.expires_at:
        return LinkState(request, "expired")
    return LinkState(request)


@transaction.atomic
def request_verification(
    *, service: Service, reason: str
) -> VerificationRequest | None:
    """Send the service a new link (revoking any older one); None without an
    address to send it to."""
    email = contact_email(service)
    if not email:
        return None
    now = timezone.now()
    service.verification_requests.filter(
        answered_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    request = VerificationRequest.objects.create(
        service=service, email=email, reason=reason, created_at=now
    )
    # To a service or the content team, who have no account: the site's language.
    with written_in(settings.LANGUAGE_CODE):
        subject, body = render_mail(
            "directory/email/verification_request",
            {
                "service": service,
                "request": request,
                "link": absolute_url(
                    reverse("directory:listing_check", args=[make_token(request)])
                ),
                "days": settings.VERIFICATION_LINK_MAX_AGE_DAYS,
            },
        )
        queue_mail(subject=subject, body=body, to=[email])
    return request


def due_for_verification():
    """Services with an address to ask, unchecked for VERIFY_AFTER_MONTHS, and no
    link out that could still be answered."""
    cutoff = timezone.localdate() - timedelta(days=30 * settings.VERIFY_AFTER_MONTHS)
    open_requests = VerificationRequest.objects.open().filter(service=OuterRef("pk"))
    return (
        Service.objects.filter(status=Service.Status.ACTIVE)
        .filter(Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff))
        .exclude(Q(email="") & Q(organization__email=""))
        .exclude(Exists(open_requests))
    )


@task()
def start_verification_campaign() -> int:
    """Enqueue one batch task per BATCH_SIZE services; returns the batches.

    Each step reads the next BATCH_SIZE ids in primary-key order (an index range
    scan that stops after BATCH_SIZE rows), so no statement grows with the
    directory and a request never waits for this; each batch task then asks those
    of its services that are due.
    """
    batches = 0
    last = None
    while True:
        page = Service.objects.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        ids = [str(pk) for pk in page.values_list("pk", flat=True)[:BATCH_SIZE]]
        if not ids:
            return batches
        send_verification_batch.enqueue(ids)
        batches += 1
        last = ids[-1]


@task()
def send_verification_batch(service_ids: list[str]) -> int:
    """Ask each service of one batch that is due; returns how many were asked."""
    sent = 0
    services = due_for_verification().filter(pk__in=service_ids)
    for service in services.select_related("organization"):
        if request_verification(
            service=service, reason=VerificationRequest.Reason.SCHEDULE
        ):
            sent += 1
    return sent


@transaction.atomic
def renew_link(*, state: LinkState) -> bool:
    """A provider with an old link asks for a new one: it goes to the listing's
    own contact address, never elsewhere, and at most once an hour."""
    if state.request is None:
        return False
    service = state.request.service
    recent = service.verification_requests.filter(
        created_at__gte=timezone.now() - RENEWAL_PAUSE
    ).exclude(pk=state.request.pk)
    if recent.exists():
        return True  # one is already on its way
    return bool(
        request_verification(service=service, reason=VerificationRequest.Reason.RENEWAL)
    )


def _mark_checked(service: Service, email: str) -> None:
    today = timezone.localdate()
    service.last_verified = today
    service.assured_date = today
    service.assurer_email = email
    service.save(
        update_fields=[
            "last_verified",
            "assured_date",
            "assurer_email",
            "last_modified",
        ]
    )


@transaction.atomic
def confirm_listing(*, request: VerificationRequest) -> None:
    with pghistory.context(source="provider", provider=request.email):
        _mark_checked(request.service, request.email)
    request.answered_at = timezone.now()
    request.save(update_fields=["answered_at"])


@transaction.atomic
def propose_changes(
    *, request: VerificationRequest, proposed: dict, note: str = ""
) -> ListingProposal:
    service = request.service
    proposal = ListingProposal.objects.create(
        service=service,
        request=request,
        current=snapshot(service),
        proposed=proposed,
        provider_note=note,
    )
    request.answered_at = timezone.now()
    request.save(update_fields=["answered_at"])
    # To a service or the content team, who have no account: the site's language.
    with written_in(settings.LANGUAGE_CODE):
        subject, body = render_mail(
            "directory/email/proposal_received",
            {
                "proposal": proposal,
                "changes": diff(proposal),
                "link": absolute_url(
                    reverse(
                        "admin:directory_listingproposal_change", args=[proposal.pk]
                    )
                ),
            },
        )
        queue_mail(subject=subject, body=body, to=[settings.CONTENT_TEAM_EMAIL])
    return proposal


def diff(proposal: ListingProposal) -> list[dict]:
    """Field by field: what the listing says now, what the provider saw, and what
    they propose (only the fields they changed)."""
    names = changed_fields(proposal.current, proposal.proposed)
    now = snapshot(proposal.service)
    return [
        {
            "name": field.name,
            "label": field.label,
            "listing": show(field.name, now.get(field.name)),
            "seen": show(field.name, proposal.current.get(field.name)),
            "proposed": show(field.name, proposal.proposed.get(field.name)),
            "changed_since": now.get(field.name) != proposal.current.get(field.name),
        }
        for field in FIELDS
        if field.name in names
    ]


@transaction.atomic
def decide_proposal(
    *, proposal: ListingProposal, approved: list[str], note: str, by
) -> ListingProposal:
    """Apply the approved fields in one transaction, with the provider named as
    the source in the listing's history; tell the provider what was decided."""
    proposal = ListingProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ListingProposal.Status.PENDING:
        raise ValueError("This proposal was already decided.")
    changes = diff(proposal)
    asked = [change["name"] for change in changes]
    approved = [name for name in asked if name in approved]
    service = proposal.service
    if approved:
        with pghistory.context(
            source="provider",
            provider=proposal.request.email,
            proposal=proposal.pk,
            approved_by=by.pk,
        ):
            apply_fields(service, proposal.proposed, approved)
            _mark_checked(service, proposal.request.email)
        refresh_search_index([service.pk])
    if not approved:
        status = ListingProposal.Status.REJECTED
    elif len(approved) == len(asked):
        status = ListingProposal.Status.APPROVED
    else:
        status = ListingProposal.Status.PARTLY_APPROVED
    proposal.status = status
    proposal.approved_fields = approved
    proposal.decision_note = note
    proposal.decided_at = timezone.now()
    proposal.decided_by = by
    proposal.save()
    # To a service or the content team, who have no account: the site's language.
    with written_in(settings.LANGUAGE_CODE):
        subject, body = render_mail(
            "directory/email/proposal_decided",
            {
                "proposal": proposal,
                "approved": [c for c in changes if c["name"] in approved],
                "rejected": [c for c in changes if c["name"] not in approved],
                "listing": absolute_url(service.get_absolute_url()),
            },
        )
        queue_mail(subject=subject, body=body, to=[proposal.request.email])
    return proposal

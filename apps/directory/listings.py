"""Keeping listings true: the service that runs a listing confirms or corrects it.

A ``VerificationRequest`` is one signed, expiring link sent to a service's contact
e-mail address; on its page the provider says "everything is right" (the listing's
verified date is set) or proposes changes. A ``ListingProposal`` holds those changes
until content staff approve them (all or per field) or reject them with a note. A
``ListingReport`` is anyone's word that a listing is wrong, for content staff.

The models live here, beside the rest of the directory's models (imported at the end
of models.py), because models.py is long enough already.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Service


class VerificationRequestQuerySet(models.QuerySet):
    def open(self):
        """Links that may still be used: not answered, not revoked, not expired."""
        oldest = timezone.now() - timezone.timedelta(
            days=settings.VERIFICATION_LINK_MAX_AGE_DAYS
        )
        return self.filter(
            answered_at__isnull=True, revoked_at__isnull=True, created_at__gte=oldest
        )


class VerificationRequest(models.Model):
    """One request to a service to confirm or correct its listing."""

    class Reason(models.TextChoices):
        SCHEDULE = "schedule", _("Not verified for a year")
        REPORT = "report", _("Someone reported a problem")
        STAFF = "staff", _("Asked by staff")
        RENEWAL = "renewal", _("The provider asked for a new link")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="verification_requests"
    )
    email = models.EmailField(help_text="Where the link was sent.")
    reason = models.CharField(max_length=10, choices=Reason)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = VerificationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["service", "-created_at"])]

    def __str__(self):
        return f"Verification request {self.pk} for {self.service}"

    @property
    def expires_at(self):
        return self.created_at + timezone.timedelta(
            days=settings.VERIFICATION_LINK_MAX_AGE_DAYS
        )


class ListingProposalQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ListingProposal.Status.PENDING)


class ListingProposal(models.Model):
    """Changes a provider proposed to its listing, waiting for content staff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        PARTLY_APPROVED = "partly", _("Partly approved")
        REJECTED = "rejected", _("Rejected")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="proposals"
    )
    request = models.ForeignKey(
        VerificationRequest,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    # Field name -> the value the listing had when the provider saw it, and the
    # value proposed (see apps/directory/proposals.py for the fields and shapes).
    current = models.JSONField()
    proposed = models.JSONField()
    provider_note = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_fields = models.JSONField(default=list, blank=True)
    decision_note = models.TextField(blank=True, max_length=2000)

    objects = ListingProposalQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"Changes proposed to {self.service}"


class ListingReport(models.Model):
    """Someone told content staff a listing is wrong."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="reports"
    )
    message = models.TextField(max_length=2000)
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Report on {self.service}"

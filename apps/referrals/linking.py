"""A client record's link to the patient's own account: the invitation the
patient accepts to make it, and the patient's consent to let the caseworker's team
see their checklist progress."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import Team


class ClientInvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class ClientInvitation(models.Model):
    """An invitation, sent to the client's e-mail, to link the client record to the
    patient's own account. Only the patient accepting it sets Client.patient."""

    client = models.ForeignKey(
        "referrals.Client", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when a newer invitation replaces this one or the caseworker withdraws it.
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ClientInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation {self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class ProgressShareQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def visible_to(self, user):
        """A patient sees their own grants; nobody else lists them."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(patient=user)


class ProgressShare(models.Model):
    """A patient's consent for one caseworker's team to see their checklist progress.

    It is given for one link (one client record) and names the caseworker it was
    given to: a later link to another caseworker starts without it. Revoking keeps
    the row, so the trail of consent stays.
    """

    client = models.ForeignKey(
        "referrals.Client", on_delete=models.CASCADE, related_name="progress_shares"
    )
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ProgressShareQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(revoked_at__isnull=True),
                name="referrals_progressshare_one_active_per_client",
            ),
        ]

    def __str__(self):
        return f"Progress share {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

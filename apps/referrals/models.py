"""Caseworkers' clients and referrals: the most sensitive data in CareNav.

Every read goes through visible_to(user); another person's record is a 404.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from apps.accounts.models import Team, User


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if user.role == User.Role.CASEWORKER:
            return self.filter(caseworker=user)
        if user.role == User.Role.SUPERVISOR and user.team_id:
            return self.filter(team_id=user.team_id)
        return self.none()


class Client(models.Model):
    """A caseworker's record of a person they help."""

    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clients"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="clients")
    full_name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    zip_code = models.CharField(max_length=5, blank=True)
    preferred_language = models.CharField(max_length=5, blank=True, default="en")
    # The patient account this record is linked to, once the patient accepted.
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="client_records",
    )
    consents_to_share_with_services = models.BooleanField(
        default=False,
        help_text="The client agreed that their details go to services they are "
        "referred to.",
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        indexes = [
            models.Index(fields=["caseworker", "full_name"]),
            models.Index(fields=["team", "full_name"]),
        ]

    def __str__(self):
        return f"Client {self.pk}"

    def get_absolute_url(self):
        return reverse("referrals:client_detail", args=[self.pk])


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if user.role == User.Role.CASEWORKER:
            return self.filter(client__caseworker=user)
        if user.role == User.Role.SUPERVISOR and user.team_id:
            return self.filter(client__team_id=user.team_id)
        if user.role == User.Role.PATIENT:
            return self.filter(client__patient=user).exclude(
                status=Referral.Status.DRAFT
            )
        return self.none()


class Referral(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"
        NO_RESPONSE = "no_response", "No response"

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine"
        SOON = "soon", "Soon (within 2 weeks)"
        URGENT = "urgent", "Urgent (within 2 days)"

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="referrals"
    )
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="referrals"
    )
    location = models.ForeignKey(
        "directory.Location",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.DRAFT)
    reason = models.TextField(max_length=4000)
    urgency = models.CharField(max_length=10, choices=Urgency, default=Urgency.ROUTINE)
    follow_up_on = models.DateField(null=True, blank=True)
    appointment_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: each change bumps it; a stale form is refused.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Raising it revokes every response link issued before.
    token_generation = models.PositiveIntegerField(default=1)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["status", "follow_up_on"]),
            models.Index(fields=["client", "-updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "draft",
                        "sent",
                        "accepted",
                        "scheduled",
                        "completed",
                        "declined",
                        "cancelled",
                        "no_response",
                    ]
                ),
                name="referrals_referral_status_valid",
            ),
        ]

    def __str__(self):
        return f"Referral {self.pk}"

    def get_absolute_url(self):
        return reverse("referrals:referral_detail", args=[self.pk])


class ReferralEvent(models.Model):
    """One step of a referral's timeline. Append-only."""

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Who acted when there is no account, e.g. "the receiving service".
    actor_label = models.CharField(max_length=150, blank=True)
    from_status = models.CharField(max_length=12, choices=Referral.Status, blank=True)
    to_status = models.CharField(max_length=12, choices=Referral.Status)
    note = models.TextField(blank=True, max_length=4000)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or 'new'} -> {self.to_status}"


class NoteQuerySet(models.QuerySet):
    def shared(self):
        return self.filter(is_internal=False)


class Note(models.Model):
    """A caseworker's note on a client or one referral; internal unless shared."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="notes")
    referral = models.ForeignKey(
        Referral,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notes",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(max_length=4000)
    is_internal = models.BooleanField(
        default=True, help_text="Internal notes are never shown to the patient."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Note {self.pk}"

"""Caseworkers' notes on a client or one referral: internal unless shared with
the patient. Read through visible_to(user), like the records they are about."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.core.audit import AuditedQuerySet


class NoteQuerySet(AuditedQuerySet):
    access_subject_field = "client"

    def shared(self):
        return self.filter(is_internal=False)

    def visible_to(self, user):
        """Staff see the notes of the clients they may see; a patient sees only
        the shared notes of their own linked records."""
        if not user.is_authenticated:
            return self.none()
        if user.role == User.Role.PATIENT and not user.is_superuser:
            return self.shared().filter(client__patient=user)
        from .models import Client  # it imports this module

        return self.filter(client__in=Client.objects.visible_to(user))


class Note(models.Model):
    """A caseworker's note on a client or one referral; internal unless shared."""

    client = models.ForeignKey(
        "referrals.Client", on_delete=models.CASCADE, related_name="notes"
    )
    referral = models.ForeignKey(
        "referrals.Referral",
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
        default=True, help_text=_("Internal notes are never shown to the patient.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # As Client.submission_key: one note per submitted form.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"], name="referrals_note_one_per_submission"
            ),
        ]

    def __str__(self):
        return f"Note {self.pk}"

"""Caseworkers' clients and referrals: the most sensitive data in CareNav.

Every read goes through visible_to(user); another person's record is a 404. Pages
fetch through visible_to(user).logged(request), so every record shown is logged.
"""

from collections.abc import Sequence
from datetime import timedelta

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Case, Count, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import PatientProfile, Team, User
from apps.accounts.validators import validate_phone_number, validate_zip_code
from apps.core.audit import AuditedQuerySet
from apps.core.validators import (
    readable_years_constraint,
    validate_appointment,
    validate_follow_up,
    validate_no_control_characters,
    validate_past_date,
)

from . import status_sql
from .statuses import (  # noqa: F401 (the statuses are the models' vocabulary)
    CLOSED_STATUSES,
    DECLINED_ATTENTION_DAYS,
    OPEN_STATUSES,
    REFERRAL_TRANSITIONS,
    Attention,
    DeclineReason,
    ReferralStatus,
    StaleReferral,
    TransitionNotAllowed,
    transition_trigger_sql,
)


class ClientQuerySet(AuditedQuerySet):
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

    class Gender(models.TextChoices):
        # FHIR's administrative gender, which partner health records expect.
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Not recorded")

    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clients"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="clients")
    full_name = models.CharField(
        max_length=150, validators=[validate_no_control_characters]
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(
        max_length=40, blank=True, validators=[validate_phone_number]
    )
    date_of_birth = models.DateField(
        null=True, blank=True, validators=[validate_past_date]
    )
    gender = models.CharField(
        max_length=10,
        choices=Gender,
        default=Gender.UNKNOWN,
        help_text=_(
            "As the client's health records show it; shared with partner systems."
        ),
    )
    zip_code = models.CharField(
        max_length=5, blank=True, validators=[validate_zip_code]
    )
    preferred_language = models.CharField(
        max_length=5, blank=True, default="en", choices=PatientProfile.Language
    )
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
        help_text=_(
            "The client agreed that their details go to services they are referred to."
        ),
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # The key of the form that created the record: a second identical submission
    # (double click, Back and resend) finds this record instead of making another.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        indexes = [
            models.Index(fields=["caseworker", "full_name"]),
            models.Index(fields=["team", "full_name"]),
        ]
        constraints = [
            readable_years_constraint("referrals_client", "date_of_birth"),
            models.UniqueConstraint(
                fields=["submission_key"], name="referrals_client_one_per_submission"
            ),
        ]

    def __str__(self):
        return f"Client {self.pk}"

    def get_absolute_url(self):
        return reverse("referrals:client_detail", args=[self.pk])


class ReferralQuerySet(AuditedQuerySet):
    access_subject_field = "client"

    @staticmethod
    def _attention_rules(now) -> list[tuple[str, Q]]:
        """(reason, condition) pairs of the "needs your attention" rule, in order."""
        today = timezone.localdate(now)
        no_answer_before = now - timedelta(days=settings.REFERRAL_NO_ANSWER_DAYS)
        declined_since = now - timedelta(days=DECLINED_ATTENTION_DAYS)
        return [
            (
                Attention.FOLLOW_UP_PASSED,
                Q(status__in=OPEN_STATUSES, follow_up_on__lt=today),
            ),
            (
                Attention.FOLLOW_UP_TODAY,
                Q(status__in=OPEN_STATUSES, follow_up_on=today),
            ),
            (
                Attention.NO_ANSWER,
                Q(status=ReferralStatus.SENT, sent_at__lt=no_answer_before),
            ),
            (
                Attention.DECLINED,
                Q(status=ReferralStatus.DECLINED, updated_at__gte=declined_since),
            ),
        ]

    def with_attention(self, *, now=None):
        """Annotate ``attention``: why the referral needs the caseworker's
        attention (an Attention value, the first that applies), or None.

        The one rule: an open referral whose follow-up date has come, one sent
        REFERRAL_NO_ANSWER_DAYS ago or more with no answer, or one declined in
        the last DECLINED_ATTENTION_DAYS."""
        rules = self._attention_rules(now or timezone.now())
        return self.annotate(
            attention=Case(
                *(When(condition, then=Value(reason)) for reason, condition in rules),
                default=None,
                output_field=models.CharField(),
            )
        )

    def needing_action(self, *, now=None):
        return self.with_attention(now=now).filter(attention__isnull=False)

    def status_counts(self, *, now=None) -> dict[str, int]:
        """Referrals per status, and how many need attention ("attention"), in
        one query."""
        counts = {
            status: Count("pk", filter=Q(status=status))
            for status in ReferralStatus.values
        }
        any_rule = Q()
        for _attention, condition in self._attention_rules(now or timezone.now()):
            any_rule |= condition
        counts["attention"] = Count("pk", filter=any_rule)
        return self.order_by().aggregate(**counts)

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

    def change_status(self, pk: int, **change) -> "status_sql.Changed | None":
        """Change referral ``pk``'s status in one statement, with no read before,
        if this queryset holds it (status_change.change_visible())."""
        from .status_change import change_visible  # it imports this module

        return change_visible(self, pk, **change)


class Referral(models.Model):
    Status = ReferralStatus
    TRANSITIONS = REFERRAL_TRANSITIONS
    Attention = Attention

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        SOON = "soon", _("Soon (within 2 weeks)")
        URGENT = "urgent", _("Urgent (within 2 days)")

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
    follow_up_on = models.DateField(
        null=True, blank=True, validators=[validate_follow_up]
    )
    appointment_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_appointment]
    )
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
    # When the current response link was issued (it expires some days later).
    link_issued_at = models.DateTimeField(null=True, blank=True)

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
            readable_years_constraint("referrals_referral", "follow_up_on"),
            readable_years_constraint("referrals_referral", "appointment_at"),
        ]
        triggers = [
            # The database refuses what REFERRAL_TRANSITIONS does not allow, even
            # for a raw UPDATE or another program writing to the table.
            pgtrigger.Trigger(
                name="referral_status_transition",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition("OLD.status IS DISTINCT FROM NEW.status"),
                func=transition_trigger_sql(),
            ),
        ]

    def __str__(self):
        return f"Referral {self.pk}"

    def get_absolute_url(self):
        return reverse("referrals:referral_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def attention_label(self) -> str:
        """Why it needs attention, when fetched with with_attention()."""
        attention = getattr(self, "attention", None)
        return Attention(attention).label if attention else ""

    def allowed_next(self) -> tuple[str, ...]:
        return REFERRAL_TRANSITIONS[self.status]

    def can_change_to(self, status: str) -> bool:
        return status in REFERRAL_TRANSITIONS[self.status]

    def change_status(
        self,
        to: str,
        *,
        by: User | None = None,
        by_label: str = "",
        note: str = "",
        expected_version: int | None = None,
        appointment_at=None,
        decline_reason: str = "",
        also: Sequence[status_sql.AlsoWritten] = (),
    ) -> "ReferralEvent":
        """Move the referral to another status and write the event for it.

        A decline carries its reason (a DeclineReason), which the outcome reports
        count.
        The version is checked once, by the UPDATE itself: it only changes the row
        while its version is the one the person saw (expected_version, else this
        instance's) and its status the one read here. When someone else changed
        it meanwhile, StaleReferral carries the referral as it is now. A status
        change the table does not allow raises TransitionNotAllowed (and the
        database's trigger refuses it too). Sending also issues the service's
        response link, in the same UPDATE. ``also`` are INSERTs written with the
        change, in its statement (e.g. the request's access-log rows).
        """
        from .status_change import change_read  # it imports this module

        return change_read(
            self,
            to,
            by=by,
            by_label=by_label,
            note=note,
            expected_version=expected_version,
            appointment_at=appointment_at,
            decline_reason=decline_reason,
            also=also,
        )

    def update_details(
        self, *, reason: str, urgency: str, follow_up_on, expected_version: int
    ) -> None:
        """Save what the caseworker edited, unless someone changed the referral
        since they opened the form: then StaleReferral, with it as it is now."""
        changes = {
            "reason": reason,
            "urgency": urgency,
            "follow_up_on": follow_up_on,
            "version": expected_version + 1,
            "updated_at": timezone.now(),
        }
        changed = Referral.objects.filter(pk=self.pk, version=expected_version).update(
            **changes
        )
        if not changed:
            raise StaleReferral(Referral.objects.get(pk=self.pk))
        for field, value in changes.items():
            setattr(self, field, value)


class ReferralEvent(models.Model):
    """One step of a referral's timeline. Append-only."""

    DeclineReason = DeclineReason

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
    decline_reason = models.CharField(
        max_length=20, choices=DeclineReason, blank=True, default=""
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            # The outcome reports fold each referral's timeline from this index
            # alone (an index-only scan), without reading the event rows.
            models.Index(
                fields=["referral", "to_status", "at"],
                include=["decline_reason"],
                name="referrals_event_timeline_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decline_reason="")
                | models.Q(
                    to_status="declined", decline_reason__in=DeclineReason.values
                ),
                name="referrals_referralevent_decline_reason_only_on_decline",
            ),
        ]
        triggers = [
            # The timeline is evidence: rows are added, never changed or removed.
            pgtrigger.Protect(
                name="referralevent_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
        ]

    def __str__(self):
        return f"{self.from_status or 'new'} -> {self.to_status}"


class FeedMark(models.Model):
    """When a caseworker last marked the "Latest from services" feed as seen."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"Feed seen by user {self.user_id}"


# The client's link to the patient's account and their consent to share progress;
# caseworkers' notes on a client or a referral.
from .linking import ClientInvitation, ProgressShare  # noqa: E402, F401
from .notes import Note  # noqa: E402, F401

# The per-team count of changes that kept casework pages are keyed on.
from .team_changes import TeamChangeShard  # noqa: E402, F401

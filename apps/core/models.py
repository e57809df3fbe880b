from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from .validators import validate_past_date, validate_planning_date


class AccessLogQuerySet(models.QuerySet):
    def about(self, subject_type: str, subject_id) -> "AccessLogQuerySet":
        """Every logged access concerning one person's records."""
        return self.filter(subject_type=subject_type, subject_id=str(subject_id))


class AccessLog(models.Model):
    """One read or change of a personal record: who, what, when, from where.

    Rows are only ever added. The record is named by type and id rather than a
    foreign key, so the trail survives the record's deletion.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"
        DELETE = "delete", "Deleted"
        EXPORT = "export", "Exported"
        PRINT = "print", "Printed"

    # No constraint in the database: each row's check read and key-share locked
    # the reader's account row, 25 times for one worklist, and a person's pages
    # open at once queued on that lock. Deleting an account still sets it to NULL
    # (Django's collector does that, not the database).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField(max_length=10, choices=Action)
    record_type = models.CharField(max_length=60)
    record_id = models.CharField(max_length=64)
    # The person the record is about (e.g. the client a referral belongs to),
    # so everything touching one person can be listed together.
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(
                fields=["subject_type", "subject_id", "-at"],
                name="core_accesslog_subject",
            ),
            models.Index(
                fields=["record_type", "record_id", "-at"],
                name="core_accesslog_record",
            ),
        ]

    def __str__(self):
        return f"{self.action} {self.record_type} {self.record_id}"


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self) -> "OutgoingEmailQuerySet":
        """Messages still waiting whose next attempt time has come."""
        return self.filter(
            status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=Now()
        )


class OutgoingEmail(models.Model):
    """One e-mail on its way out: the outbox that the mail task works through.

    Written in the same transaction as the change that causes it, so a rolled-back
    change sends nothing and a committed one is never lost. A message that keeps
    failing stays here as failed for an administrator to resend; it may carry
    personal data, so only administrators see it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up retrying)"

    subject = models.CharField(max_length=255)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    to = ArrayField(models.EmailField(max_length=254))
    reply_to = ArrayField(models.EmailField(max_length=254), default=list, blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outgoing e-mail"
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"], name="core_outgoingemail_due"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "failed"]),
                name="core_outgoingemail_status_valid",
            ),
        ]

    def __str__(self):
        return f"E-mail {self.pk} ({self.get_status_display().lower()})"


class ClinicallySignedOff(models.Model):
    """Content that a clinical reviewer signs off before the public reads it.

    Signing off copies the object's public fields (and its signed rows, such as an
    article's citations) into ``signed_version``. Public pages show that copy, so an
    edit made after the sign-off stays out of sight until a reviewer signs again.
    The logic lives in apps.core.signoff; subclasses say which of their fields are
    not part of the signed text (``sign_off_exempt``) and which rows belong to it
    (``sign_off_children``: related names).
    """

    last_reviewed = models.DateField(
        "signed off on", null=True, blank=True, validators=[validate_past_date]
    )
    next_review = models.DateField(
        null=True, blank=True, validators=[validate_planning_date]
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text, so the sign-off reads the same after the account changes or goes.
    reviewer_name = models.CharField(max_length=200, blank=True, default="")
    reviewer_credentials = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="Role and qualifications, for example Neurologist, MD.",
    )
    signed_version = models.JSONField(
        null=True, blank=True, default=None, editable=False
    )
    # The Spanish text's own sign-off: the same record for the ``_es`` fields (see
    # apps.core.signoff). Signing or editing one language leaves the other's as it is.
    last_reviewed_es = models.DateField(
        "Spanish signed off on",
        null=True,
        blank=True,
        validators=[validate_past_date],
    )
    next_review_es = models.DateField(
        "Spanish next review",
        null=True,
        blank=True,
        validators=[validate_planning_date],
    )
    reviewed_by_es = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Spanish reviewed by",
    )
    reviewer_name_es = models.CharField(
        "Spanish reviewer's name", max_length=200, blank=True, default=""
    )
    reviewer_credentials_es = models.CharField(
        "Spanish reviewer's credentials", max_length=200, blank=True, default=""
    )
    signed_version_es = models.JSONField(
        null=True, blank=True, default=None, editable=False
    )

    # Fields that are not part of what the reviewer signs: where the item sits,
    # whether it is published, bookkeeping.
    sign_off_exempt: tuple[str, ...] = ()
    sign_off_children: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @property
    def is_signed_off(self) -> bool:
        return self.signed_version is not None

    @property
    def is_changed_since_review(self) -> bool:
        from .signoff import is_changed_since_review

        return is_changed_since_review(self)

    @property
    def clinical_review(self):
        """The sign-off of the text in the page's language (apps.core.signoff.Review):
        a Spanish page shows the Spanish text's own reviewer and dates."""
        from .signoff import review_of

        return review_of(self)

    @property
    def sign_off_permission(self) -> str:
        return f"{self._meta.app_label}.sign_off_{self._meta.model_name}"


class SignedOffQuerySet(models.QuerySet):
    def public_versions(self):
        """The rows as the public reads them: the signed copy of each, where there is
        one (see apps.core.signoff). Call it last: it changes what iteration yields."""
        from .signoff import PublicVersionIterable

        clone = self._chain()
        clone._iterable_class = PublicVersionIterable
        return clone

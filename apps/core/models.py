from django.conf import settings
from django.db import models


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

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
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

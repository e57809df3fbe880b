"""The services a patient keeps on their list at /my/saved/: personal data, read
through visible_to(user)."""

from django.conf import settings
from django.db import models

from .models import Service


class SavedServiceQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class SavedService(models.Model):
    """A service a patient keeps on their list at /my/saved/ (personal data)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_services",
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    objects = SavedServiceQuerySet.as_manager()

    class Meta:
        ordering = ["-saved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "service"], name="directory_savedservice_once"
            ),
        ]

    def __str__(self):
        return f"Saved service {self.service_id}"

"""Opening hours as HSDS 3.0 schedules: iCalendar-style rows of a service, a
location or a service at a location. The WEEKLY rows are folded into the minutes of
the week a service is open (opening.py), which "open now" reads."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.validators import readable_years_constraint, validate_planning_date

from .models import Location, Service, ServiceAtLocation, track_history
from .querysets import WEEKDAY_CODES


@track_history()
class Schedule(models.Model):
    """Opening hours as HSDS (iCalendar-style) rows; WEEKLY rows give "open now"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedules",
    )
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedules",
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedules",
    )
    valid_from = models.DateField(
        null=True, blank=True, validators=[validate_planning_date]
    )
    valid_to = models.DateField(
        null=True, blank=True, validators=[validate_planning_date]
    )
    dtstart = models.DateField(
        null=True, blank=True, validators=[validate_planning_date]
    )
    timezone = models.FloatField(null=True, blank=True)
    until = models.DateField(null=True, blank=True, validators=[validate_planning_date])
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, blank=True)
    freq = models.CharField(max_length=10, blank=True)
    interval = models.PositiveIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=50, blank=True)
    byweekno = models.CharField(max_length=100, blank=True)
    bymonthday = models.CharField(max_length=100, blank=True)
    byyearday = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    schedule_link = models.URLField(max_length=500, blank=True)
    attending_type = models.CharField(max_length=255, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [
            readable_years_constraint("directory_schedule", field)
            for field in ("valid_from", "valid_to", "dtstart", "until")
        ]

    def __str__(self):
        return self.description or f"{self.byday} {self.opens_at}-{self.closes_at}"

    def day_names(self) -> str:
        """The BYDAY list in words: "Monday to Friday", "Tuesday, Thursday"."""
        order = list(WEEKDAY_CODES)
        codes = {code.strip().upper()[-2:] for code in self.byday.split(",")}
        days = [code for code in order if code in codes]
        if not days:
            return ""
        if len(days) == 7:
            return _("Every day")
        first = order.index(days[0])
        if len(days) >= 3 and days == order[first : first + len(days)]:
            return _("%(first)s to %(last)s") % {
                "first": _(WEEKDAY_CODES[days[0]]),
                "last": _(WEEKDAY_CODES[days[-1]]),
            }
        return ", ".join(str(_(WEEKDAY_CODES[day])) for day in days)

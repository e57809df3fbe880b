import pghistory
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.models import ClinicallySignedOff, SignedOffQuerySet
from apps.core.validators import readable_years_constraint, validate_readable_date


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent()
)
class Stage(models.Model):
    """One stage of a disease's path, e.g. "Just diagnosed" (King's stage 1)."""

    disease = models.ForeignKey(
        "diseases.Disease", on_delete=models.PROTECT, related_name="stages"
    )
    order = models.PositiveSmallIntegerField()
    slug = models.SlugField()
    title = models.CharField(max_length=120)
    description = models.TextField()
    clinical_mapping = models.CharField(
        max_length=120, blank=True, help_text="For example King's stage 2A."
    )
    suggested_from_month = models.PositiveSmallIntegerField(
        "suggest from month",
        null=True,
        blank=True,
        help_text="Suggest this stage to patients diagnosed at least this many "
        "months ago (0: from diagnosis). Leave empty for a stage that follows events "
        "rather than time; the first stage is suggested until there is a diagnosis.",
    )

    class Meta:
        ordering = ["disease", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["disease", "slug"], name="checklists_stage_unique_slug"
            ),
        ]

    def __str__(self):
        return f"{self.disease.short_name}: {self.title}"

    def get_absolute_url(self):
        return (
            reverse("checklists:stage_list", args=[self.disease.slug]) + f"#{self.slug}"
        )


class ChecklistItemQuerySet(SignedOffQuerySet):
    def current(self):
        """Items still offered; retired items stay only for their history."""
        return self.filter(is_retired=False)


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent()
)
class ChecklistItem(ClinicallySignedOff):
    class OnsetSite(models.TextChoices):
        ANY = "", "The same for everyone"
        LIMB = "limb", "Often sooner with limb onset"
        BULBAR = "bulbar", "Often sooner with bulbar onset"

    class Timing(models.TextChoices):
        NONE = "", "No date"
        DUE_WITHIN = "due_within", "Due within N months"
        WINDOW_CLOSES = "window_closes", "Window closes after N months"

    class TimingFrom(models.TextChoices):
        DIAGNOSIS = "diagnosis", "From diagnosis"
        FIRST_SYMPTOMS = "first_symptoms", "From first symptoms"

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="items")
    order = models.PositiveSmallIntegerField()
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    guidance = models.TextField(help_text="What to do, in plain words.")
    why_it_matters = models.TextField()
    service_types = models.ManyToManyField(
        "directory.TaxonomyTerm", related_name="checklist_items", blank=True
    )
    related_article = models.ForeignKey(
        "diseases.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checklist_items",
    )
    # Personalisation. ALS spreads, so where it started never hides an item: it
    # only puts the item first, with a note, for people whose onset site matches.
    sooner_for_onset_site = models.CharField(
        "often sooner for onset site",
        max_length=10,
        choices=OnsetSite,
        blank=True,
        default=OnsetSite.ANY,
        help_text="Everyone sees the item. For this onset site it comes first in "
        "its stage, marked as often needed sooner. Write the guidance so it reads "
        'right for everyone (for example "If your hands get weaker...").',
    )
    only_with_family_history = models.BooleanField(
        default=False,
        help_text="Hide from people who say there is no family history. Not for "
        "genetic counselling or testing: those are offered to everyone with ALS.",
    )
    # Timing: N calendar months from the date chosen in timing_from.
    timing = models.CharField(
        max_length=20, choices=Timing, blank=True, default=Timing.NONE
    )
    timing_months = models.PositiveSmallIntegerField(null=True, blank=True)
    timing_from = models.CharField(
        "count the months",
        max_length=20,
        choices=TimingFrom,
        default=TimingFrom.DIAGNOSIS,
        help_text="Clinical trials count from first symptoms. When a patient has not "
        "given that date, their diagnosis date is used and the page says so.",
    )
    references = models.ManyToManyField(
        "diseases.Reference",
        through="ChecklistItemReference",
        related_name="checklist_items",
        blank=True,
    )
    is_retired = models.BooleanField(default=False)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = ChecklistItemQuerySet.as_manager()

    sign_off_exempt = ("stage", "order", "slug", "is_retired", "retired_at")

    class Meta:
        ordering = ["stage", "order"]
        permissions = [
            ("sign_off_checklistitem", "Can sign off a checklist item clinically")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "slug"], name="checklists_checklistitem_unique_slug"
            ),
            models.CheckConstraint(
                condition=models.Q(timing="", timing_months__isnull=True)
                | (~models.Q(timing="") & models.Q(timing_months__isnull=False)),
                name="checklists_checklistitem_timing_has_months",
            ),
        ]

    def __str__(self):
        return self.title


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent()
)
class ChecklistItemReference(models.Model):
    """The n-th source of an item: [n] in its guidance or reasons points here."""

    item = models.ForeignKey(
        ChecklistItem, on_delete=models.CASCADE, related_name="citations"
    )
    reference = models.ForeignKey(
        "diseases.Reference",
        on_delete=models.PROTECT,
        related_name="checklist_citations",
    )
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["item", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "order"], name="checklists_checklistitemreference_order"
            ),
        ]

    def __str__(self):
        return f"[{self.order}] {self.reference}"


class ItemProgressQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A patient's own progress. Caseworkers read it only through a consented
        client link (see the referrals app); content editors never."""
        if not user.is_authenticated or not user.is_patient:
            return self.none()
        return self.filter(patient=user)


class ItemProgress(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        DONE = "done", _("Done")
        NOT_FOR_ME = "not_for_me", _("Not for me")

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )
    # PROTECT: an item someone has progress on is retired, never deleted.
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="progress"
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.TODO)
    done_on = models.DateField(
        null=True, blank=True, validators=[validate_readable_date]
    )
    note = models.TextField(blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ItemProgressQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "item"], name="checklists_itemprogress_once"
            ),
            models.CheckConstraint(
                condition=models.Q(status="done") | models.Q(done_on__isnull=True),
                name="checklists_itemprogress_done_on_only_when_done",
            ),
            readable_years_constraint("checklists_itemprogress", "done_on"),
        ]

    def __str__(self):
        return f"Progress {self.pk}"


class PatientStageQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.is_patient:
            return self.none()
        return self.filter(patient=user)


class PatientStage(models.Model):
    """The stage a patient chose as theirs, overriding the one suggested."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chosen_stage"
    )
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    chosen_at = models.DateTimeField(auto_now=True)

    objects = PatientStageQuerySet.as_manager()

    def __str__(self):
        return f"Stage choice {self.pk}"

import pghistory
from django.conf import settings
from django.db import models
from django.urls import reverse

from apps.core.models import ClinicallySignedOff, SignedOffQuerySet


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
        ANY = "", "Everyone"
        LIMB = "limb", "Only limb onset"
        BULBAR = "bulbar", "Only bulbar onset"

    class Timing(models.TextChoices):
        NONE = "", "No date"
        DUE_WITHIN = "due_within", "Due within N months of diagnosis"
        WINDOW_CLOSES = "window_closes", "Window closes N months after diagnosis"

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
    # Personalisation: who the item is for.
    only_for_onset_site = models.CharField(
        max_length=10, choices=OnsetSite, blank=True, default=OnsetSite.ANY
    )
    only_with_family_history = models.BooleanField(
        default=False, help_text="Show only to people with a family history."
    )
    # Timing from the diagnosis date.
    timing = models.CharField(
        max_length=20, choices=Timing, blank=True, default=Timing.NONE
    )
    timing_months = models.PositiveSmallIntegerField(null=True, blank=True)
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


class ItemProgressQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A patient's own progress. Caseworkers read it only through a consented
        client link (see the referrals app); content editors never."""
        if not user.is_authenticated or not user.is_patient:
            return self.none()
        return self.filter(patient=user)


class ItemProgress(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", "To do"
        DONE = "done", "Done"
        NOT_FOR_ME = "not_for_me", "Not for me"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )
    # PROTECT: an item someone has progress on is retired, never deleted.
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="progress"
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.TODO)
    done_on = models.DateField(null=True, blank=True)
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

"""Checklist content for content editors. Patients' progress is never in the admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from modeltranslation.admin import TranslationAdmin

from apps.accounts.models import PatientProfile
from apps.core.content_admin import (
    ContentAdminMixin,
    LabelledTabularInline,
    SignOffAdminMixin,
    TranslatedTabularInline,
    clinical_review_fieldset,
)
from apps.diseases.models import Disease

from .models import ChecklistItem, ChecklistItemReference, Stage
from .personalise import describe_rule
from .services import build_preview

SMALL_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}


class ChecklistItemInline(TranslatedTabularInline):
    model = ChecklistItem
    extra = 0
    fields = [
        "order",
        "title",
        "slug",
        "guidance",
        "why_it_matters",
        "timing",
        "timing_months",
        "timing_from",
        "is_retired",
    ]
    readonly_fields = ["is_retired"]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = SMALL_TEXTAREA
    ordering = ["order", "pk"]
    show_change_link = True

    def has_delete_permission(self, request, obj=None):
        # Deleting happens on the item's own page, which refuses items that have
        # progress and points to retiring them instead.
        return False


@admin.register(Stage)
class StageAdmin(ContentAdminMixin, TranslationAdmin):
    list_display = [
        "title",
        "disease",
        "order",
        "clinical_mapping",
        "suggested_from_month",
        "item_count",
    ]
    list_filter = ["disease"]
    list_select_related = ["disease"]
    search_fields = ["title_en", "title_es", "slug", "description_en", "description_es"]
    ordering = ["disease__order", "disease__name", "order"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        "disease",
        "order",
        "title",
        "slug",
        "description",
        "clinical_mapping",
        "suggested_from_month",
    ]
    inlines = [ChecklistItemInline]
    change_list_template = "checklists/admin/stage_change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                current_items=Count("items", filter=models.Q(items__is_retired=False))
            )
        )

    @admin.display(description="items in use", ordering="current_items")
    def item_count(self, obj):
        return obj.current_items

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="checklists_stage_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """The personalised checklist a made-up profile would see."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PreviewForm(request.GET or None)
        checklist = None
        if form.is_valid():
            data = form.cleaned_data
            checklist = build_preview(
                disease=data["disease"],
                onset_site=data["onset_site"],
                family_history=data["family_history"],
                months=data["months_since_diagnosis"],
                onset_months_before_diagnosis=data["first_symptoms_months_earlier"],
            )
            for row in checklist.rows:
                row.timing_rule = describe_rule(row.item)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Preview the checklist as a profile",
            "form": form,
            "checklist": checklist,
            "today": timezone.localdate(),
        }
        return TemplateResponse(request, "checklists/admin/preview.html", context)


class PreviewForm(forms.Form):
    disease = forms.ModelChoiceField(
        queryset=Disease.objects.filter(stages__isnull=False).distinct(),
        empty_label=None,
    )
    onset_site = forms.ChoiceField(
        label="Where symptoms started", choices=PatientProfile.OnsetSite
    )
    family_history = forms.ChoiceField(choices=PatientProfile.FamilyHistory)
    months_since_diagnosis = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=600,
        help_text="Leave empty for someone without a diagnosis yet.",
    )
    first_symptoms_months_earlier = forms.IntegerField(
        label="First symptoms, months before diagnosis",
        required=False,
        min_value=0,
        max_value=600,
        help_text="Leave empty for someone who does not know when symptoms began.",
    )


class ChecklistItemReferenceInline(LabelledTabularInline):
    model = ChecklistItemReference
    fields = ["order", "reference"]
    autocomplete_fields = ["reference"]
    ordering = ["order"]
    extra = 1
    verbose_name = "source"
    verbose_name_plural = "sources: [1] in the guidance is the source numbered 1"


@admin.register(ChecklistItem)
class ChecklistItemAdmin(SignOffAdminMixin, TranslationAdmin):
    list_display = [
        "title",
        "stage",
        "order",
        "sooner_for_onset_site",
        "only_with_family_history",
        "timing_display",
        "is_retired",
        "review",
    ]
    list_filter = [
        "stage__disease",
        "stage",
        "is_retired",
        "sooner_for_onset_site",
        "only_with_family_history",
        "timing",
    ]
    list_select_related = ["stage__disease"]
    search_fields = ["title_en", "title_es", "slug", "guidance_en", "guidance_es"]
    ordering = ["stage__disease__order", "stage__order", "order"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["service_types"]
    readonly_fields = ["retired_at"]
    actions = ["retire", "unretire"]
    inlines = [ChecklistItemReferenceInline]
    fieldsets = [
        (None, {"fields": ["stage", "order", "title", "slug"]}),
        (
            "What it says",
            {
                "fields": [
                    "guidance",
                    "why_it_matters",
                    "service_types",
                    "related_article",
                ]
            },
        ),
        (
            "Who it is for",
            {"fields": ["sooner_for_onset_site", "only_with_family_history"]},
        ),
        (
            "When",
            {
                "fields": ["timing", "timing_months", "timing_from"],
                "description": "Counted in calendar months from the patient's "
                "diagnosis date or from when their first symptoms began.",
            },
        ),
        clinical_review_fieldset(
            "Set by a clinical reviewer's sign-off, one for each "
            "language. After an "
            "edit, patients keep seeing the signed version until the next "
            "sign-off."
        ),
        (
            "Retired",
            {
                "fields": ["is_retired", "retired_at"],
                "description": "A retired item is hidden from every checklist; "
                "patients' progress on it is kept.",
            },
        ),
    ]

    @admin.display(description="timing")
    def timing_display(self, obj):
        return describe_rule(obj) or "-"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "stage":
            kwargs["queryset"] = Stage.objects.select_related("disease")
        elif db_field.name == "related_article":
            kwargs["queryset"] = db_field.related_model.objects.select_related(
                "disease"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if "is_retired" in form.changed_data:
            obj.retired_at = timezone.now() if obj.is_retired else None
        super().save_model(request, obj, form, change)

    @admin.action(description="Retire the selected items (hide them, keep history)")
    def retire(self, request, queryset):
        count = queryset.filter(is_retired=False).update(
            is_retired=True, retired_at=timezone.now()
        )
        self.message_user(request, f"{count} item(s) retired.", messages.SUCCESS)

    @admin.action(description="Bring the selected items back into use")
    def unretire(self, request, queryset):
        count = queryset.filter(is_retired=True).update(
            is_retired=False, retired_at=None
        )
        self.message_user(request, f"{count} item(s) back in use.", messages.SUCCESS)

    def get_deleted_objects(self, objs, request):
        """Refuse to delete items anyone has progress on, and say what to do."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        with_progress = ChecklistItem.objects.filter(
            pk__in=[obj.pk for obj in objs], progress__isnull=False
        ).distinct()
        if with_progress:
            protected = [
                f"“{item}” has progress recorded by patients, so it cannot be "
                "deleted. Retire it instead (the “Retire” action or the Retired "
                "box): it disappears from every checklist and its history is kept."
                for item in with_progress
            ]
        return deleted, model_count, perms_needed, protected

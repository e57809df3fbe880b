"""The directory in the admin, for content editors.

Saved services are patients' personal data and are not registered here. Every save
through the admin refreshes the search vector of the services it touches.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from modeltranslation.admin import TranslationAdmin

from apps.core.content_admin import ContentAdminMixin, LabelledTabularInline

from .models import (
    Address,
    Language,
    ListingReport,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from .moderation_admin import ask_to_verify
from .search import refresh_search_index


class VerifiedFilter(admin.SimpleListFilter):
    title = "last verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [
            ("stale", "Not verified for a year (or never)"),
            ("recent", "Verified within a year"),
        ]

    def queryset(self, request, queryset):
        year_ago = timezone.localdate() - timedelta(days=365)
        if self.value() == "stale":
            return queryset.filter(
                Q(last_verified__lt=year_ago) | Q(last_verified__isnull=True)
            )
        if self.value() == "recent":
            return queryset.filter(last_verified__gte=year_ago)
        return queryset


class DiseaseFilter(admin.SimpleListFilter):
    title = "disease"
    parameter_name = "disease"

    def lookups(self, request, model_admin):
        return Service.Disease.choices

    def queryset(self, request, queryset):
        if self.value() in Service.Disease.values:
            return queryset.filter(diseases__contains=[self.value()])
        return queryset


class TaxonomyFilter(admin.SimpleListFilter):
    """A term also matches services filed under its children."""

    title = "type of service"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        return [
            (term.code, f"\u2003{term.name}" if term.parent_id else term.name)
            for term in TaxonomyTerm.objects.order_by("parent__name", "name").only(
                "code", "name", "parent_id"
            )
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Q(taxonomy_terms__code=self.value())
                | Q(taxonomy_terms__parent__code=self.value())
            ).distinct()
        return queryset


class ServiceAtLocationInline(LabelledTabularInline):
    model = ServiceAtLocation
    extra = 0
    autocomplete_fields = ["location"]
    fields = ["location", "description"]


class ServicePhoneInline(LabelledTabularInline):
    model = Phone
    fk_name = "service"
    extra = 0
    fields = ["number", "extension", "type", "description"]


class ServiceScheduleInline(LabelledTabularInline):
    model = Schedule
    fk_name = "service"
    extra = 0
    fields = ["freq", "byday", "opens_at", "closes_at", "description"]


class ServiceLanguageInline(LabelledTabularInline):
    model = Language
    fk_name = "service"
    extra = 0
    fields = ["name", "code", "note"]


@admin.register(Service)
class ServiceAdmin(ContentAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "organization",
        "status",
        "accepts_referrals",
        "telehealth",
        "last_verified",
    ]
    list_filter = [
        "status",
        TaxonomyFilter,
        DiseaseFilter,
        "telehealth",
        "accepts_referrals",
        VerifiedFilter,
    ]
    search_fields = ["name", "alternate_name", "organization__name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["taxonomy_terms"]
    actions = ["mark_verified_today", ask_to_verify]
    inlines = [
        ServiceAtLocationInline,
        ServicePhoneInline,
        ServiceScheduleInline,
        ServiceLanguageInline,
    ]
    fieldsets = [
        (None, {"fields": ["organization", "name", "alternate_name", "status"]}),
        ("What it offers", {"fields": ["description", "taxonomy_terms", "diseases"]}),
        (
            "Who and how",
            {
                "fields": [
                    "eligibility_description",
                    "minimum_age",
                    "maximum_age",
                    "fees_description",
                    "application_process",
                    "wait_time",
                    "interpretation_services",
                    "accreditations",
                    "alert",
                ]
            },
        ),
        (
            "Contact and referrals",
            {
                "fields": [
                    "url",
                    "email",
                    "telehealth",
                    "accepts_referrals",
                    "referral_email",
                ]
            },
        ),
        (
            "Checking",
            {"fields": ["last_verified", "assured_date", "assurer_email"]},
        ),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the taxonomy terms are saved, which the vector includes.
        refresh_search_index([form.instance.pk])

    @admin.action(description="Mark as verified today", permissions=["change"])
    def mark_verified_today(self, request, queryset):
        count = queryset.update(last_verified=timezone.localdate())
        self.message_user(
            request, f"{count} service(s) marked as verified today.", messages.SUCCESS
        )


class OrganizationPhoneInline(LabelledTabularInline):
    model = Phone
    fk_name = "organization"
    extra = 0
    fields = ["number", "extension", "type", "description"]


@admin.register(Organization)
class OrganizationAdmin(ContentAdminMixin, admin.ModelAdmin):
    list_display = ["name", "email", "website"]
    search_fields = ["name", "alternate_name"]
    inlines = [OrganizationPhoneInline]
    fields = [
        "name",
        "alternate_name",
        "description",
        "email",
        "website",
        "tax_id",
        "year_incorporated",
        "legal_status",
        "parent_organization",
    ]
    autocomplete_fields = ["parent_organization"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"name", "alternate_name"} & set(form.changed_data):
            refresh_search_index(obj.services.values_list("pk", flat=True))


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0
    fields = [
        "address_1",
        "address_2",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
        "attention",
    ]


class LocationPhoneInline(LabelledTabularInline):
    model = Phone
    fk_name = "location"
    extra = 0
    fields = ["number", "extension", "type", "description"]


class LocationScheduleInline(LabelledTabularInline):
    model = Schedule
    fk_name = "location"
    extra = 0
    fields = ["freq", "byday", "opens_at", "closes_at", "description"]


class LocationLanguageInline(LabelledTabularInline):
    model = Language
    fk_name = "location"
    extra = 0
    fields = ["name", "code", "note"]


@admin.register(Location)
class LocationAdmin(ContentAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "organization", "location_type"]
    list_select_related = ["organization"]
    list_filter = ["location_type"]
    search_fields = [
        "name",
        "organization__name",
        "addresses__city",
        "addresses__postal_code",
    ]
    autocomplete_fields = ["organization"]
    inlines = [
        AddressInline,
        LocationPhoneInline,
        LocationScheduleInline,
        LocationLanguageInline,
    ]
    fields = [
        "organization",
        "name",
        "alternate_name",
        "location_type",
        "description",
        "transportation",
        "latitude",
        "longitude",
        "url",
        "external_identifier",
        "external_identifier_type",
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The place moved, or its hours changed: distance searches and "open now"
        # read what refresh_search_index keeps for the services here.
        refresh_search_index(
            form.instance.service_at_locations.values_list("service_id", flat=True)
        )


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(ContentAdminMixin, TranslationAdmin):
    list_display = ["name", "name_es", "code", "parent"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name_en", "name_es", "also_called_es", "code"]
    fields = [
        "code",
        "name",
        "also_called",
        "parent",
        "description",
        "taxonomy",
        "term_uri",
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Its names are in its services' vectors (English) and cards (both).
        if change and {"name_en", "name_es"} & set(form.changed_data):
            refresh_search_index(obj.services.values_list("pk", flat=True))


@admin.register(ListingReport)
class ListingReportAdmin(ContentAdminMixin, admin.ModelAdmin):
    list_display = ["service", "short_message", "created_at", "is_resolved"]
    list_filter = ["is_resolved"]
    list_select_related = ["service"]
    search_fields = ["service__name", "message"]
    readonly_fields = ["service", "message", "contact_email", "created_at"]
    fields = ["service", "message", "contact_email", "created_at", "is_resolved"]
    actions = ["mark_resolved"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Message")
    def short_message(self, obj):
        return Truncator(obj.message).chars(140)

    @admin.action(description="Mark as resolved", permissions=["change"])
    def mark_resolved(self, request, queryset):
        count = queryset.update(is_resolved=True)
        self.message_user(
            request, f"{count} report(s) marked as resolved.", messages.SUCCESS
        )

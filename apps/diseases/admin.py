"""The admin for content editors: disease information, drafts, reviews, history."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from modeltranslation.admin import TranslationAdmin

from apps.core.content_admin import (
    ContentAdminMixin,
    LabelledTabularInline,
    SignOffAdminMixin,
    TranslatedTabularInline,
    clinical_review_fieldset,
)
from apps.core.history import events_of_app

from .models import (
    CITED,
    Article,
    ArticleReference,
    Comparison,
    ComparisonRow,
    Disease,
    GlossaryTerm,
    OverdueArticle,
    Reference,
)
from .readability import TARGET_SPANISH_READING_EASE, spanish_reading_ease

TARGET_READING_GRADE = 8


class ReviewOverdueFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue for review"), ("current", "Not overdue")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(next_review__lt=today)
        if self.value() == "current":
            return queryset.exclude(next_review__lt=today)
        return queryset


def review_status(obj) -> str:
    if obj.next_review is None:
        return "No review date set"
    if obj.is_review_overdue:
        return format_html(
            '<strong class="review-overdue">Overdue: review was due {}</strong>',
            obj.next_review.strftime("%B %-d, %Y"),
        )
    return f"Next review {obj.next_review.strftime('%B %-d, %Y')}"


@admin.register(Reference)
class ReferenceAdmin(ContentAdminMixin, TranslationAdmin):
    list_display = ["title", "publisher", "accessed"]
    search_fields = ["title_en", "title_es", "publisher", "url"]
    list_filter = ["publisher"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Disease)
class DiseaseAdmin(ContentAdminMixin, TranslationAdmin):
    list_display = [
        "name",
        "short_name",
        "is_published",
        "last_reviewed",
        "next_review",
        "review",
    ]
    list_filter = ["is_published", ReviewOverdueFilter]
    search_fields = ["name_en", "name_es", "short_name_en", "short_name_es"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["review"]
    actions = ["publish", "unpublish"]

    @admin.display(description="Review")
    def review(self, obj):
        return review_status(obj)

    @admin.action(description="Publish the selected diseases", permissions=["change"])
    def publish(self, request, queryset):
        count = queryset.update(is_published=True)
        self.message_user(request, f"{count} disease(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish the selected diseases", permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.update(is_published=False)
        self.message_user(
            request,
            f"{count} disease(s) unpublished: they and their articles are hidden "
            "from the public.",
            messages.SUCCESS,
        )


class ArticleReferenceInline(LabelledTabularInline):
    model = ArticleReference
    fields = ["order", "reference"]
    autocomplete_fields = ["reference"]
    ordering = ["order"]
    extra = 1
    verbose_name = "citation"
    verbose_name_plural = "citations: [1] in the body is the citation numbered 1"


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        # The admin's fieldsets choose the fields. A list here would be copied onto
        # the admin by modeltranslation on the first page it builds, and the system
        # check then finds both 'fields' and 'fieldsets' (admin.E005).
        exclude = ()  # noqa: DJ006 (the fieldsets choose)
        widgets = {
            "summary_en": forms.Textarea(attrs={"rows": 3}),
            "summary_es": forms.Textarea(attrs={"rows": 3}),
        }


@admin.register(Article)
class ArticleAdmin(SignOffAdminMixin, TranslationAdmin):
    form = ArticleAdminForm
    change_list_template = "diseases/admin/article_change_list.html"
    publish_field = "status"
    published_value = Article.Status.PUBLISHED
    draft_value = Article.Status.DRAFT
    # Short columns, so the list fits a 1280-pixel screen.
    list_display = [
        "title",
        "disease_short",
        "section",
        "status",
        "grade",
        "review",
        "preview_link",
    ]
    list_filter = ["disease", "status", ReviewOverdueFilter, "section"]
    list_select_related = ["disease"]
    search_fields = ["title_en", "title_es", "slug", "summary_en", "summary_es"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "grade",
        "spanish_reading_ease",
        "preview",
        "created_at",
        "updated_at",
    ]
    inlines = [ArticleReferenceInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (
            None,
            {"fields": ["disease", "section", "title", "slug", "order", "status"]},
        ),
        (
            "Text",
            {
                "fields": [
                    "summary",
                    "body",
                    "grade",
                    "spanish_reading_ease",
                    "preview",
                ]
            },
        ),
        clinical_review_fieldset(
            "Set by a clinical reviewer's sign-off, one for each "
            "language. Only a "
            "signed-off version can be published; after an edit the public keeps "
            "reading the signed version until the next sign-off."
        ),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        # The list says which articles changed since review: their citations too.
        return super().get_queryset(request).prefetch_related("citations")

    @admin.display(description="Disease", ordering="disease__order")
    def disease_short(self, obj):
        return obj.disease.short_name

    @admin.display(description="Grade", ordering="reading_grade")
    def grade(self, obj):
        if obj.reading_grade is None:
            return "–"
        if obj.reading_grade > TARGET_READING_GRADE:
            return format_html(
                '<strong class="grade-high">{} <span aria-hidden="true">▲</span> '
                "above the target of {} or below</strong>",
                obj.reading_grade,
                TARGET_READING_GRADE,
            )
        return format_html(
            '{} <span class="grade-target">(target {} or below)</span>',
            obj.reading_grade,
            TARGET_READING_GRADE,
        )

    @admin.display(description="Spanish reading ease")
    def spanish_reading_ease(self, obj):
        """Fernández-Huerta for the Spanish text (the English grade's counterpart)."""
        ease = spanish_reading_ease(obj.body_es) if obj is not None else None
        if ease is None:
            return "No Spanish text yet"
        if ease < TARGET_SPANISH_READING_EASE:
            return format_html(
                '<strong class="grade-high">{} <span aria-hidden="true">▼</span> '
                "not met: the target is {} or above (Fernández-Huerta)</strong>",
                ease,
                TARGET_SPANISH_READING_EASE,
            )
        return format_html(
            '{} <span class="grade-target">met: the target is {} or above '
            "(Fernández-Huerta)</span>",
            ease,
            TARGET_SPANISH_READING_EASE,
        )

    @admin.display(description="Preview")
    def preview_link(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener" class="preview-link">'
            '<span aria-hidden="true">👁</span>'
            '<span class="visually-hidden">Preview “{}” (opens in a new tab)</span>'
            "</a>",
            reverse("diseases:article_preview", args=[obj.pk]),
            obj.title,
        )

    @admin.display(description="Preview")
    def preview(self, obj):
        if obj.pk is None:
            return "Save the article to preview it."
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview as the public will '
            "see it (opens in a new tab)</a>",
            self.preview_url(obj),
        )

    def preview_url(self, obj) -> str:
        return reverse("diseases:article_preview", args=[obj.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and obj.is_review_overdue:
                messages.warning(
                    request,
                    "This article is overdue for review. It stays visible to the "
                    "public until it is unpublished.",
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        cited = {int(number) for number in CITED.findall(article.body)}
        known = set(article.citations.values_list("order", flat=True))
        missing = sorted(cited - known)
        if missing:
            self.message_user(
                request,
                "The body cites "
                + ", ".join(f"[{number}]" for number in missing)
                + " but there is no citation with that number; it shows as plain "
                "text, and the article cannot be published until it is fixed.",
                messages.WARNING,
            )

    @admin.action(description="Publish the selected articles", permissions=["change"])
    def publish(self, request, queryset):
        super().publish(request, queryset)
        hidden = queryset.filter(
            status=Article.Status.PUBLISHED, disease__is_published=False
        ).count()
        if hidden:
            self.message_user(
                request,
                f"{hidden} of them belong to an unpublished disease and stay hidden "
                "until it is published.",
                messages.WARNING,
            )

    def get_urls(self):
        return [
            path(
                "changes/",
                self.admin_site.admin_view(self.changes_view),
                name="diseases_content_changes",
            ),
            *super().get_urls(),
        ]

    def changes_view(self, request):
        """Every change to disease content, newest first, deleted rows included."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return self.render_history(
            request, events_of_app("diseases"), title="All changes to disease content"
        )


@admin.register(OverdueArticle)
class OverdueArticleAdmin(ArticleAdmin):
    """The same articles, only those whose review date has passed."""

    change_list_template = "admin/change_list.html"
    list_filter = ["disease", "status", "section"]

    def get_queryset(self, request):
        return super().get_queryset(request).review_overdue()

    def has_add_permission(self, request):
        # New articles are added from the article list, not as "overdue".
        return False

    def get_urls(self):
        # Its own sign-off, change and history pages; not the app-wide changes.
        return super(ArticleAdmin, self).get_urls()


class ComparisonRowInline(TranslatedTabularInline):
    model = ComparisonRow
    fields = [
        "order",
        "feature",
        "first_value",
        "first_reference",
        "second_value",
        "second_reference",
    ]
    autocomplete_fields = ["first_reference", "second_reference"]
    ordering = ["order"]
    extra = 1
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 36})}
    }


@admin.register(Comparison)
class ComparisonAdmin(SignOffAdminMixin, TranslationAdmin):
    publish_field = "is_published"
    list_display = [
        "title",
        "first_disease",
        "second_disease",
        "is_published",
        "review",
    ]
    list_filter = ["is_published"]
    list_select_related = ["first_disease", "second_disease"]
    search_fields = ["title_en", "title_es", "rows__feature_en", "rows__feature_es"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ComparisonRowInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "first_disease",
                    "second_disease",
                    "introduction",
                    "is_published",
                ]
            },
        ),
        clinical_review_fieldset(
            "Set by a clinical reviewer's sign-off (one for each "
            "language), which covers "
            "the rows too. Only a signed-off version can be published."
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("rows")


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(ContentAdminMixin, TranslationAdmin):
    list_display = ["term", "also_matches", "related_article"]
    search_fields = ["term_en", "term_es", "also_matches_en", "also_matches_es"]
    prepopulated_fields = {"slug": ["term"]}
    autocomplete_fields = ["reference", "related_article"]
    list_select_related = ["related_article"]

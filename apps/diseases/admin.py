"""The admin for content editors: disease information, drafts, reviews, history."""

import re

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from pghistory.models import Event, MiddlewareEvents

from .models import (
    Article,
    ArticleReference,
    Comparison,
    ComparisonRow,
    Disease,
    GlossaryTerm,
    OverdueArticle,
    Reference,
)

TARGET_READING_GRADE = 8
HISTORY_PAGE_SIZE = 50
# Long values (an article body) are cut in the history table; the full text
# is one click away.
SHORT_VALUE = 160
ACTION_LABELS = {"insert": "Created", "update": "Changed", "delete": "Deleted"}
CITED = re.compile(r"\[(\d{1,3})\]")


def content_event_models() -> list[type[Event]]:
    """The history tables of this app's content, and no other app's."""
    return [
        model
        for model in apps.get_app_config("diseases").get_models()
        if issubclass(model, Event)
    ]


def _describe(value) -> str:
    if value is None or value == "":
        return "(empty)"
    return str(value)


def history_rows(events) -> list[dict]:
    """Events of the history tables, ready for the history template."""
    events = list(events)
    user_ids = {
        (event.pgh_context or {}).get("user")
        for event in events
        if (event.pgh_context or {}).get("user") is not None
    }
    users = get_user_model().objects.in_bulk(user_ids)
    rows = []
    for event in events:
        context = event.pgh_context or {}
        tracked = apps.get_model(event.pgh_obj_model)
        fields = {field.attname: field for field in tracked._meta.concrete_fields}
        if event.pgh_label == "update":
            changes = {key: values for key, values in (event.pgh_diff or {}).items()}
        else:
            changes = {key: [None, value] for key, value in event.pgh_data.items()}
        changed = []
        for key, (old, new) in changes.items():
            if key not in fields or key == "id":
                continue
            old, new = _describe(old), _describe(new)
            changed.append(
                {
                    "field": fields[key].verbose_name,
                    "old": old if event.pgh_label == "update" else "",
                    "new": new,
                    "is_long": max(len(old), len(new)) > SHORT_VALUE,
                    "short_old": old[:SHORT_VALUE],
                    "short_new": new[:SHORT_VALUE],
                }
            )
        data = event.pgh_data or {}
        name = next(
            (
                data[key]
                for key in ("title", "name", "term", "feature")
                if data.get(key)
            ),
            f"#{event.pgh_obj_id}",
        )
        if tracked is ArticleReference:
            name = (
                f"citation [{data.get('order')}] of article #{data.get('article_id')}"
            )
        user = users.get(context.get("user"))
        rows.append(
            {
                "when": event.pgh_created_at,
                "who": user.email if user else "",
                "action": ACTION_LABELS.get(event.pgh_label, event.pgh_label),
                "what": tracked._meta.verbose_name,
                "name": name,
                "changes": changed,
            }
        )
    return rows


class HistoryAdminMixin:
    """The admin's History page shows the full change history from pghistory.

    It lists every change to the object and to the rows that point at it (an
    article's citations, a comparison's rows), with who made it.
    """

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        events = (
            MiddlewareEvents.objects.across(*content_event_models())
            .references(obj)
            .order_by("-pgh_created_at", "-pgh_id")
        )
        page = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change history: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "page_obj": page,
            "rows": history_rows(page.object_list),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "diseases/admin/history.html", context)


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
class ReferenceAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["title", "publisher", "accessed"]
    search_fields = ["title", "publisher", "url"]
    list_filter = ["publisher"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Disease)
class DiseaseAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "short_name",
        "is_published",
        "last_reviewed",
        "next_review",
        "review",
    ]
    list_filter = ["is_published", ReviewOverdueFilter]
    search_fields = ["name", "short_name", "also_known_as", "summary"]
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


class ArticleReferenceInline(admin.TabularInline):
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
        fields = [
            "disease",
            "section",
            "title",
            "slug",
            "order",
            "summary",
            "body",
            "status",
            "last_reviewed",
            "next_review",
            "reviewed_by",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reviewed_by" in self.fields:
            User = get_user_model()
            self.fields["reviewed_by"].queryset = User.objects.filter(
                models.Q(role=User.Role.CONTENT_EDITOR) | models.Q(is_superuser=True)
            )


@admin.register(Article)
class ArticleAdmin(HistoryAdminMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    change_list_template = "diseases/admin/article_change_list.html"
    list_display = [
        "title",
        "disease",
        "section",
        "status",
        "grade",
        "last_reviewed",
        "next_review",
        "review",
        "preview",
    ]
    list_filter = ["disease", "status", ReviewOverdueFilter, "section"]
    list_select_related = ["disease"]
    search_fields = ["title", "slug", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["grade", "review", "preview", "created_at", "updated_at"]
    inlines = [ArticleReferenceInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (
            None,
            {"fields": ["disease", "section", "title", "slug", "order", "status"]},
        ),
        ("Text", {"fields": ["summary", "body", "grade", "preview"]}),
        (
            "Review",
            {"fields": ["review", "last_reviewed", "next_review", "reviewed_by"]},
        ),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="Reading grade", ordering="reading_grade")
    def grade(self, obj):
        if obj.reading_grade is None:
            return "–"
        if obj.reading_grade > TARGET_READING_GRADE:
            return format_html(
                '{} <span class="grade-high">(aim for {} or lower)</span>',
                obj.reading_grade,
                TARGET_READING_GRADE,
            )
        return str(obj.reading_grade)

    @admin.display(description="Review", ordering="next_review")
    def review(self, obj):
        return review_status(obj)

    @admin.display(description="Preview")
    def preview(self, obj):
        if obj.pk is None:
            return "Save the article to preview it."
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview as the public will '
            "see it (opens in a new tab)</a>",
            reverse("diseases:article_preview", args=[obj.pk]),
        )

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
                "text.",
                messages.WARNING,
            )

    @admin.action(description="Publish the selected articles", permissions=["change"])
    def publish(self, request, queryset):
        count = queryset.update(
            status=Article.Status.PUBLISHED, updated_at=timezone.now()
        )
        self.message_user(request, f"{count} article(s) published.", messages.SUCCESS)
        hidden = queryset.filter(disease__is_published=False).count()
        if hidden:
            self.message_user(
                request,
                f"{hidden} of them belong to an unpublished disease and stay hidden "
                "until it is published.",
                messages.WARNING,
            )

    @admin.action(
        description="Unpublish the selected articles (back to draft)",
        permissions=["change"],
    )
    def unpublish(self, request, queryset):
        count = queryset.update(status=Article.Status.DRAFT, updated_at=timezone.now())
        self.message_user(
            request, f"{count} article(s) moved back to draft.", messages.SUCCESS
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
        events = MiddlewareEvents.objects.across(*content_event_models()).order_by(
            "-pgh_created_at", "-pgh_id"
        )
        page = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": "All changes to disease content",
            "subtitle": None,
            "opts": self.opts,
            "page_obj": page,
            "rows": history_rows(page.object_list),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "diseases/admin/history.html", context)


@admin.register(OverdueArticle)
class OverdueArticleAdmin(ArticleAdmin):
    """The same articles, only those whose review date has passed."""

    change_list_template = "admin/change_list.html"
    list_filter = ["disease", "status", "section"]

    def get_queryset(self, request):
        return super().get_queryset(request).review_overdue()

    def get_urls(self):
        return super(ArticleAdmin, self).get_urls()


class ComparisonRowInline(admin.TabularInline):
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
class ComparisonAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "first_disease",
        "second_disease",
        "is_published",
        "last_reviewed",
    ]
    list_filter = ["is_published"]
    list_select_related = ["first_disease", "second_disease"]
    search_fields = ["title", "introduction", "rows__feature"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ComparisonRowInline]
    actions = ["publish", "unpublish"]

    @admin.action(
        description="Publish the selected comparisons", permissions=["change"]
    )
    def publish(self, request, queryset):
        count = queryset.update(is_published=True)
        self.message_user(
            request, f"{count} comparison(s) published.", messages.SUCCESS
        )

    @admin.action(
        description="Unpublish the selected comparisons", permissions=["change"]
    )
    def unpublish(self, request, queryset):
        count = queryset.update(is_published=False)
        self.message_user(
            request, f"{count} comparison(s) unpublished.", messages.SUCCESS
        )


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["term", "also_matches", "related_article"]
    search_fields = ["term", "also_matches", "definition"]
    prepopulated_fields = {"slug": ["term"]}
    autocomplete_fields = ["reference", "related_article"]
    list_select_related = ["related_article"]

"""What the admin of every content and directory model shares: labelled inline
rows, the change history, and clinical sign-off (review, sign-off, publishing
refused while content is not signed off). Each app's admin.py builds on it."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from modeltranslation.admin import TranslationInlineModelAdmin

from .caching import forget_public_pages
from .history import Change, events_about, history_rows, is_long_text, word_diff
from .signoff import (
    ENGLISH,
    SPANISH,
    SignOffError,
    current_version,
    record_field,
    review_faults,
    review_of,
    sign_off,
    signed_version,
)

LANGUAGE_NAMES = {ENGLISH: "English", SPANISH: "Spanish"}


class LabelledInlineFormSet(BaseInlineFormSet):
    """Each field of a tabular inline row gets a name of its own ("Order, row 2").

    Django's tabular inlines show labels only as column headings, which assistive
    technology does not tie to the inputs below them.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = f", row {index + 1}" if index is not None else ", new row"
        for field in form.fields.values():
            widget = field.widget
            # The admin wraps related fields; the wrapper's attrs are not the copy
            # this form renders, so the label goes on the widget inside.
            while hasattr(widget, "widget"):
                widget = widget.widget
            if not widget.is_hidden:
                widget.attrs["aria-label"] = f"{field.label}{row}"


class LabelledTabularInline(admin.TabularInline):
    formset = LabelledInlineFormSet


class TranslatedTabularInline(TranslationInlineModelAdmin, LabelledTabularInline):
    """An inline whose translated fields show a column per language
    (django-modeltranslation; English first)."""


class ContentAdminMixin:
    """What every content and directory model's admin shares.

    - History: every change recorded by django-pghistory (imports and bulk actions
      too), to the record and to the rows that point at it, field by field, paged.
      A record that does not exist gets Django's own answer (back to the admin home
      with a message), as on its change page.
    - No counts beside the list filters (facets): a count can reveal what an
      editor must not see.
    - Public pages are forgotten after any change, so the cache never serves the
      old version.
    """

    object_history_template = "core/admin/history.html"
    show_facets = admin.ShowFacets.NEVER
    history_page_size = 50

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return self.render_history(
            request,
            events_about(obj),
            title=f"Change history: {obj}",
            extra_context={"object": obj, **(extra_context or {})},
        )

    def render_history(self, request, events, *, title: str, extra_context=None):
        page = Paginator(events, self.history_page_size).get_page(
            request.GET.get("page")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "opts": self.opts,
            "page_obj": page,
            "rows": history_rows(page.object_list),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(forget_public_pages)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(forget_public_pages)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(forget_public_pages)

    def response_action(self, request, queryset):
        response = super().response_action(request, queryset)
        transaction.on_commit(forget_public_pages)
        return response


class SignOffForm(forms.Form):
    name = forms.CharField(label="Reviewer's name", max_length=200)
    credentials = forms.CharField(
        label="Role and credentials",
        max_length=200,
        help_text="As the public will read it, for example Neurologist, MD.",
    )
    next_review = forms.DateField(
        label="Next review",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When this needs reviewing again; at most two years ahead.",
    )
    confirm = forms.BooleanField(
        label="I have checked this version for clinical accuracy.",
    )

    def clean_next_review(self):
        value = self.cleaned_data["next_review"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError("The next review must be after today.")
        if value > today + datetime.timedelta(days=2 * 366):
            raise forms.ValidationError("Choose a date within two years.")
        return value


def clinical_review_fieldset(description: str) -> tuple:
    """The "Clinical review" fieldset of a signed-off model's admin: each language's
    review (set only by a sign-off), English then Spanish."""
    return (
        "Clinical review",
        {
            "fields": [
                field
                for language in (ENGLISH, SPANISH)
                for field in (
                    record_field(name, language)
                    for name in (
                        "clinical_review",
                        "reviewer_name",
                        "reviewer_credentials",
                        "last_reviewed",
                        "next_review",
                    )
                )
            ],
            "description": description,
        },
    )


class SignOffAdminMixin(ContentAdminMixin):
    """Clinical sign-off and the publishing rules for content a reviewer signs
    (apps.core.models.ClinicallySignedOff).

    Subclasses name their publishing field: ``publish_field`` with its
    ``published_value`` and ``draft_value``, or none for content that is shown
    as soon as it exists (checklist items).
    """

    change_form_template = "core/admin/signed_change_form.html"
    publish_field = ""
    published_value = True
    draft_value = False
    # Only a sign-off sets these (each language's record).
    sign_off_readonly = [
        "clinical_review",
        "clinical_review_es",
        *(
            record_field(name, language)
            for language in (ENGLISH, SPANISH)
            for name in (
                "last_reviewed",
                "next_review",
                "reviewer_name",
                "reviewer_credentials",
                "reviewed_by",
            )
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [
            name for name in self.sign_off_readonly if name not in readonly
        ]

    @admin.display(description="Review", ordering="next_review")
    def review(self, obj):
        """The sign-off state in a word or two, for lists."""
        if not obj.is_signed_off:
            return "Not signed off"
        if obj.is_changed_since_review:
            return format_html('<strong class="review-changed">{}</strong>', "Changed")
        if obj.next_review is None:
            return "No review date set"
        if obj.next_review < timezone.localdate():
            return format_html(
                '<strong class="review-overdue">Overdue: review was due {}</strong>',
                date_format(obj.next_review),
            )
        return f"Next review {date_format(obj.next_review)}"

    @admin.display(description="Clinical review (English)")
    def clinical_review(self, obj):
        return describe_review(obj, ENGLISH)

    @admin.display(description="Clinical review (Spanish)")
    def clinical_review_es(self, obj):
        return describe_review(obj, SPANISH)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/sign-off/",
                self.admin_site.admin_view(self.sign_off_view),
                name="{}_{}_sign_off".format(*info),
            ),
            path(
                "<path:object_id>/sign-off/es/",
                self.admin_site.admin_view(self.sign_off_view),
                {"language": SPANISH},
                name="{}_{}_sign_off_es".format(*info),
            ),
            *super().get_urls(),
        ]

    def preview_url(self, obj) -> str:
        """Where an editor sees the current version as the public would."""
        return ""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = {**(extra_context or {})}
        if obj is not None:
            extra["can_sign_off"] = request.user.has_perm(obj.sign_off_permission)
            for language in (ENGLISH, SPANISH):
                if (
                    request.method == "GET"
                    and review_of(obj, language).is_changed_since_review
                ):
                    messages.warning(
                        request,
                        "Changed since its clinical sign-off "
                        f"({LANGUAGE_NAMES[language]} text): the public sees the "
                        "signed version until a clinical reviewer signs off this one.",
                    )
        return super().change_view(request, object_id, form_url, extra)

    def sign_off_view(self, request, object_id, language=ENGLISH):
        """Sign off one language's text (English: the text and everything else)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not request.user.has_perm(obj.sign_off_permission):
            raise PermissionDenied
        if request.method == "POST":
            form = SignOffForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    sign_off(
                        obj=obj,
                        reviewer=request.user,
                        name=data["name"],
                        credentials=data["credentials"],
                        next_review=data["next_review"],
                        language=language,
                    )
                except SignOffError as error:
                    form.add_error(None, str(error))
                else:
                    self.message_user(
                        request,
                        f"The {LANGUAGE_NAMES[language]} text of “{obj}” is signed "
                        "off. Next review "
                        f"{date_format(review_of(obj, language).next_review)}.",
                        messages.SUCCESS,
                    )
                    return redirect(
                        reverse(
                            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                            args=[obj.pk],
                        )
                    )
        else:
            review = review_of(obj, language)
            form = SignOffForm(
                initial={
                    "name": review.reviewer_name or request.user.full_name,
                    "credentials": review.reviewer_credentials,
                    "next_review": timezone.localdate() + datetime.timedelta(days=365),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Sign off the {LANGUAGE_NAMES[language]} text of “{obj}”",
            "subtitle": None,
            "opts": self.opts,
            "object": obj,
            "original": obj,
            "review": review_of(obj, language),
            "language_name": LANGUAGE_NAMES[language],
            "form": form,
            "changes": changes_since_sign_off(obj, language),
            "preview_url": self.preview_url(obj),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "core/admin/sign_off.html", context)

    def _is_published(self, obj) -> bool:
        return bool(self.publish_field) and (
            getattr(obj, self.publish_field) == self.published_value
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        becomes_public = not change or self.publish_field in form.changed_data
        if not (self._is_published(obj) and becomes_public):
            return
        faults = review_faults(obj)
        if faults:
            type(obj).objects.filter(pk=obj.pk).update(
                **{self.publish_field: self.draft_value}
            )
            setattr(obj, self.publish_field, self.draft_value)
            self.message_user(
                request, refusal_message(obj, faults, saved=True), messages.ERROR
            )

    @admin.action(
        description="Publish the selected %(verbose_name_plural)s",
        permissions=["change"],
    )
    def publish(self, request, queryset):
        published = 0
        for obj in queryset:
            if self._is_published(obj):
                continue
            faults = review_faults(obj)
            if faults:
                self.message_user(request, refusal_message(obj, faults), messages.ERROR)
                continue
            type(obj).objects.filter(pk=obj.pk).update(
                **{self.publish_field: self.published_value}
            )
            published += 1
        noun = (
            self.opts.verbose_name if published == 1 else self.opts.verbose_name_plural
        )
        self.message_user(request, f"{published} {noun} published.", messages.SUCCESS)
        return None

    @admin.action(
        description="Unpublish the selected %(verbose_name_plural)s",
        permissions=["change"],
    )
    def unpublish(self, request, queryset):
        count = queryset.update(**{self.publish_field: self.draft_value})
        noun = self.opts.verbose_name if count == 1 else self.opts.verbose_name_plural
        self.message_user(
            request,
            f"{count} {noun} unpublished: the public no longer sees them.",
            messages.SUCCESS,
        )


def refusal_message(obj, faults: list[str], *, saved: bool = False) -> str:
    start = f"“{obj}” was saved as a draft and" if saved else f"“{obj}” was"
    return f"{start} not published: " + "; ".join(faults) + "."


def describe_review(obj, language: str) -> str:
    """One language's sign-off, in a sentence for the change form."""
    review = review_of(obj, language) if obj is not None and obj.pk else None
    if review is None or not review.is_signed_off:
        return "Not signed off by a clinical reviewer"
    who = (
        review.reviewer_name,
        review.reviewer_credentials,
        date_format(review.last_reviewed),
    )
    if review.is_changed_since_review:
        return format_html(
            '<strong class="review-changed">Changed since review</strong> '
            "(signed off by {}, {}, on {}): the public sees the signed version",
            *who,
        )
    if review.next_review is None:
        due = "; no next review date"
    elif review.next_review < timezone.localdate():
        due = format_html(
            '; <strong class="review-overdue">review overdue since {}</strong>',
            date_format(review.next_review),
        )
    else:
        due = format_html("; next review {}", date_format(review.next_review))
    return format_html("Signed off by {}, {}, on {}{}", *who, due)


def changes_since_sign_off(obj, language: str = ENGLISH) -> list[Change]:
    """What differs between a language's signed version and the saved one, for
    the reviewer: each field with a word-level difference for long text."""
    signed = signed_version(obj, language)
    if signed is None:
        return []
    current = current_version(obj, language)
    fields = {field.attname: field for field in type(obj)._meta.concrete_fields}
    changes = []
    for key, old in signed["fields"].items():
        new = current["fields"].get(key)
        if new == old:
            continue
        old_text, new_text = ("" if v is None else str(v) for v in (old, new))
        field = fields.get(key)
        if field is None:
            continue
        change = Change(label=str(field.verbose_name), old=old_text, new=new_text)
        if is_long_text(field, old_text, new_text):
            change.diff = word_diff(old_text, new_text)
        changes.append(change)
    for name, rows in signed.get("children", {}).items():
        if rows != current["children"].get(name, []):
            related = type(obj)._meta.get_field(name).related_model
            changes.append(
                Change(
                    label=str(related._meta.verbose_name_plural),
                    old=f"{len(rows)} signed",
                    new=f"{len(current['children'].get(name, []))} now, changed",
                )
            )
    return changes

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models

from .models import BackendClient, Team, User
from .roles import assign_role, is_clinical_reviewer, set_clinical_reviewer
from .services import register_backend_client, update_backend_client


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserEditForm(UserChangeForm):
    is_clinical_reviewer = forms.BooleanField(
        label="Clinical reviewer",
        required=False,
        help_text="May sign off disease content and checklist items as clinically "
        "reviewed. Admin access still needs the content editor role.",
    )

    class Meta:
        model = User
        fields = ["email", "full_name", "role", "team", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["is_clinical_reviewer"].initial = is_clinical_reviewer(
                self.instance
            )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ["email", "full_name", "role", "team", "is_active", "last_login"]
    list_filter = ["role", "team", "is_active", "is_superuser"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "role", "team", "is_clinical_reviewer"]}),
        ("Access", {"fields": ["is_active", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined", "is_superuser"]
    filter_horizontal = []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The role decides groups and admin access; keep them in step.
        assign_role(user=obj, role=obj.role)
        if "is_clinical_reviewer" in form.cleaned_data:
            set_clinical_reviewer(
                user=obj, is_reviewer=form.cleaned_data["is_clinical_reviewer"]
            )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "role":
            kwargs["widget"] = forms.Select(
                choices=[("", "No role"), *User.Role.choices]
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(BackendClient)
class BackendClientAdmin(admin.ModelAdmin):
    """Partner systems reading referrals through FHIR (administrators only)."""

    list_display = ["name", "team", "client_id", "is_active", "created_at"]
    list_filter = ["is_active", "team"]
    search_fields = ["name", "client_id"]
    fields = ["name", "team", "client_id", "jwks", "jwks_url", "scope", "is_active"]
    readonly_fields = ["client_id"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    has_add_permission = has_change_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return False  # Switch a client off instead: the access log names it.

    def save_model(self, request, obj, form, change):
        if change:
            update_backend_client(client=obj)
        else:
            register_backend_client(client=obj)

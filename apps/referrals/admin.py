"""Personal data in the admin: read-only, and for administrators (superusers) only.

Content editors and everyone else never see these models: the admin index hides
them and every page answers 403. What an administrator reads here (lists, search
results, a record's page) goes to the access log like any other read.
"""

from django.contrib import admin

from .models import (
    Client,
    ClientInvitation,
    Note,
    ProgressShare,
    Referral,
    ReferralEvent,
)


class SuperuserReadOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


class LoggedReadAdmin(SuperuserReadOnlyAdmin):
    """Every client, referral or note the admin shows is a logged read."""

    def get_queryset(self, request):
        return super().get_queryset(request).logged(request)


@admin.register(Client)
class ClientAdmin(LoggedReadAdmin):
    list_display = ["id", "full_name", "caseworker", "team", "patient", "created_at"]
    list_filter = ["team"]
    search_fields = ["full_name", "email"]
    list_select_related = ["caseworker", "team", "patient"]


@admin.register(Referral)
class ReferralAdmin(LoggedReadAdmin):
    list_display = ["id", "client", "service", "status", "urgency", "updated_at"]
    list_filter = ["status", "urgency"]
    list_select_related = ["client", "service"]
    search_fields = ["id"]


@admin.register(ReferralEvent)
class ReferralEventAdmin(SuperuserReadOnlyAdmin):
    list_display = ["id", "referral", "from_status", "to_status", "actor", "at"]
    list_filter = ["to_status"]
    list_select_related = ["referral", "actor"]


@admin.register(Note)
class NoteAdmin(LoggedReadAdmin):
    list_display = ["id", "client", "referral", "author", "is_internal", "created_at"]
    list_filter = ["is_internal"]
    list_select_related = ["client", "referral", "author"]


@admin.register(ClientInvitation)
class ClientInvitationAdmin(SuperuserReadOnlyAdmin):
    list_display = ["id", "client", "created_at", "accepted_at", "revoked_at"]
    list_select_related = ["client"]


@admin.register(ProgressShare)
class ProgressShareAdmin(SuperuserReadOnlyAdmin):
    """The trail of consent: who let which team see their checklist, and until when."""

    list_display = ["id", "client", "caseworker", "team", "granted_at", "revoked_at"]
    list_select_related = ["client", "caseworker", "team"]

"""The admin of core's own records, for administrators: the access log (read-only)
and outgoing e-mail. What every content admin shares is in content_admin.py."""

from django.contrib import admin

from .mail import resend
from .models import AccessLog, OutgoingEmail


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only, for administrators: the trail of who opened which personal record."""

    list_display = ["at", "user", "action", "record_type", "record_id", "ip_address"]
    list_filter = ["action", "record_type"]
    search_fields = ["record_id", "subject_id", "user__email"]
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The mail outbox, for administrators only: messages may carry personal data.

    A message that kept failing stays here as failed; "Send again" queues it anew.
    """

    list_display = [
        "created_at",
        "subject",
        "to",
        "status",
        "attempts",
        "next_attempt_at",
    ]
    list_filter = ["status"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [field.name for field in OutgoingEmail._meta.fields]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again", permissions=["change"])
    def send_again(self, request, queryset):
        count = resend(queryset)
        self.message_user(request, f"{count} message(s) queued to be sent again.")

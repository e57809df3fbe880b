"""The admin's side of listing upkeep: the moderation queue (providers' proposals and
listing reports side by side), the review of one proposal field by field, how fresh
the directory is, and asking services to verify their listings."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Min, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from . import verification
from .listings import ListingProposal, VerificationRequest
from .models import ListingReport, Service, TaxonomyTerm

FRESH_DAYS = 365
WORST_ORGANISATIONS = 25


class DecisionForm(forms.Form):
    approve = forms.MultipleChoiceField(
        label="Approve these changes",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label="Note to the provider",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent with the decision. Say why when you reject a change.",
    )

    def __init__(self, *args, changes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approve"].choices = [(c["name"], c["label"]) for c in changes]

    def clean(self):
        data = super().clean()
        rejecting = len(data.get("approve", [])) < len(self.fields["approve"].choices)
        if rejecting and not data.get("note", "").strip():
            self.add_error("note", "Tell the provider why a change was not approved.")
        return data


def freshness() -> dict:
    """The share of listed services checked in the last year: overall, by type of
    service and the organisations with most listings left unchecked."""
    since = timezone.localdate() - timedelta(days=FRESH_DAYS)
    fresh = Q(last_verified__gte=since)
    listed = Service.objects.filter(status=Service.Status.ACTIVE)
    overall = listed.aggregate(total=Count("pk"), fresh=Count("pk", filter=fresh))
    by_type = (
        TaxonomyTerm.objects.annotate(
            total=Count("services", filter=Q(services__status=Service.Status.ACTIVE)),
            fresh=Count(
                "services",
                filter=Q(
                    services__status=Service.Status.ACTIVE,
                    services__last_verified__gte=since,
                ),
            ),
        )
        .filter(total__gt=0)
        .order_by("name")
        .values("name", "total", "fresh")
    )
    by_organisation = (
        listed.values(org_name=F("organization__name"), org=F("organization_id"))
        .annotate(total=Count("pk"), fresh=Count("pk", filter=fresh))
        .annotate(unchecked=F("total") - F("fresh"))
        .filter(unchecked__gt=0)
        .order_by("-unchecked", "org_name")[:WORST_ORGANISATIONS]
    )

    def share(row):
        return {
            **row,
            "percent": round(100 * row["fresh"] / row["total"]) if row["total"] else 0,
        }

    return {
        "overall": share(overall),
        "by_type": [share(row) for row in by_type],
        "by_organisation": [share(row) for row in by_organisation],
    }


def age(moment) -> str:
    days = (timezone.now() - moment).days if moment else None
    if days is None:
        return "-"
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''}"


@admin.register(ListingProposal)
class ListingProposalAdmin(admin.ModelAdmin):
    list_display = ["service", "submitted_at", "status", "waiting"]
    list_filter = ["status"]
    search_fields = ["service__name", "service__organization__name"]
    list_select_related = ["service"]
    ordering = ["status", "submitted_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Waiting")
    def waiting(self, obj):
        return age(obj.submitted_at) if obj.status == obj.Status.PENDING else "-"

    def changelist_view(self, request, extra_context=None):
        # The queue is where moderation starts; ?q= (or any filter) lists every
        # proposal ever made.
        if not request.GET:
            return redirect("admin:directory_listingproposal_queue")
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "queue/",
                self.admin_site.admin_view(self.queue_view),
                name="directory_listingproposal_queue",
            ),
            *super().get_urls(),
        ]

    def queue_view(self, request):
        """Pending proposals and open listing reports, oldest first, with how fresh
        the directory is and a way to ask services to verify."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST" and request.POST.get("action") == "campaign":
            if not self.has_change_permission(request):
                raise PermissionDenied
            verification.start_verification_campaign.enqueue()
            messages.success(
                request,
                "Asking every service unchecked for a year to verify its listing. "
                "The e-mails go out in batches in the background.",
            )
            return redirect("admin:directory_listingproposal_queue")
        proposals = ListingProposal.objects.pending().select_related("service")
        reports = ListingReport.objects.filter(is_resolved=False).select_related(
            "service"
        )
        oldest = {
            "proposal": proposals.aggregate(at=Min("submitted_at"))["at"],
            "report": reports.aggregate(at=Min("created_at"))["at"],
        }
        context = {
            **self.admin_site.each_context(request),
            "title": "Listing upkeep",
            "proposals": [(p, age(p.submitted_at)) for p in proposals[:100]],
            "reports": [
                (r, age(r.created_at)) for r in reports.order_by("created_at")[:100]
            ],
            "proposal_count": proposals.count(),
            "report_count": reports.count(),
            "oldest_proposal": age(oldest["proposal"]),
            "oldest_report": age(oldest["report"]),
            "freshness": freshness(),
            "fresh_days": FRESH_DAYS,
            "open_requests": VerificationRequest.objects.open().count(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/directory/listing_upkeep.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Review one proposal: the listing now, what the provider saw and what
        they propose, field by field; approve some or all, or reject."""
        proposal = get_object_or_404(
            ListingProposal.objects.select_related("service", "request"), pk=object_id
        )
        if not self.has_view_permission(request, proposal):
            raise PermissionDenied
        changes = verification.diff(proposal)
        pending = proposal.status == ListingProposal.Status.PENDING
        form = DecisionForm(changes=changes)
        if request.method == "POST":
            if not (pending and self.has_change_permission(request, proposal)):
                raise PermissionDenied
            data = request.POST.copy()
            if data.get("action") == "approve_all":
                data.setlist("approve", [change["name"] for change in changes])
            elif data.get("action") == "reject":
                data.setlist("approve", [])
            form = DecisionForm(data, changes=changes)
            if form.is_valid():
                verification.decide_proposal(
                    proposal=proposal,
                    approved=form.cleaned_data["approve"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
                messages.success(
                    request, f"Decision saved and sent to {proposal.request.email}."
                )
                return redirect("admin:directory_listingproposal_queue")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Changes proposed to {proposal.service.name}",
            "proposal": proposal,
            "changes": changes,
            "form": form,
            "pending": pending,
            "opts": self.model._meta,
            "original": proposal,
            "listing_url": reverse(
                "admin:directory_service_change", args=[proposal.service_id]
            ),
        }
        return TemplateResponse(
            request, "admin/directory/listingproposal_review.html", context
        )


@admin.register(VerificationRequest)
class VerificationRequestAdmin(admin.ModelAdmin):
    list_display = [
        "service",
        "email",
        "reason",
        "created_at",
        "answered_at",
        "revoked_at",
    ]
    list_filter = ["reason", ("answered_at", admin.EmptyFieldListFilter)]
    search_fields = ["service__name", "email"]
    list_select_related = ["service"]
    readonly_fields = [
        "service",
        "email",
        "reason",
        "created_at",
        "answered_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected links")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        messages.success(request, f"{count} link(s) revoked.")


def ask_to_verify(modeladmin, request, queryset):
    """Send each selected service a link to check its listing."""
    sent = 0
    for service in queryset.select_related("organization"):
        if verification.request_verification(
            service=service, reason=VerificationRequest.Reason.STAFF
        ):
            sent += 1
    skipped = queryset.count() - sent
    messages.success(
        request,
        f"Asked {sent} service(s) to check their listing."
        + (f" {skipped} have no e-mail address to ask." if skipped else ""),
    )


ask_to_verify.short_description = "Ask the selected services to check their listing"

"""The casework lists' filters: the client list's and the referral worklist's
(GET parameters), with the worklist's sorting."""

from datetime import timedelta

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User

from .models import OPEN_STATUSES, Client, Referral


class ClientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or e-mail"), method="filter_q", max_length=100
    )
    status = django_filters.ChoiceFilter(
        label=_("Has a referral that is"),
        choices=Referral.Status.choices,
        method="filter_status",
        empty_label=_("Any status"),
    )
    has_open = django_filters.ChoiceFilter(
        label=_("Open referrals"),
        choices=[("yes", _("Has an open referral")), ("no", _("No open referral"))],
        method="filter_has_open",
        empty_label=_("Either"),
    )

    class Meta:
        model = Client
        fields = []

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(full_name__icontains=value) | Q(email__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        return queryset.filter(
            Exists(Referral.objects.filter(client=OuterRef("pk"), status=value))
        )

    def filter_has_open(self, queryset, name, value):
        has_open = Exists(
            Referral.objects.filter(client=OuterRef("pk"), status__in=OPEN_STATUSES)
        )
        return queryset.filter(has_open if value == "yes" else ~has_open)


# The worklist's orderings: GET value -> label (model fields in ReferralFilter.sort).
SORT_LABELS = {
    "follow_up": _("Follow-up date (soonest first)"),
    "-updated": _("Last change (newest first)"),
    "status": _("Status"),
    "client": _("Client name"),
    "service": _("Service name"),
}


class ReferralFilter(django_filters.FilterSet):
    """The worklist's filters and sorting (GET parameters of /casework/referrals/)."""

    FOLLOW_UP_CHOICES = [
        ("passed", _("Date passed")),
        ("today", _("Today")),
        ("week", _("In the next 7 days")),
        ("none", _("No date set")),
    ]

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", _("Any open status")), *Referral.Status.choices],
        method="filter_status",
        empty_label=_("Any status"),
    )
    attention = django_filters.ChoiceFilter(
        label=_("Needs attention"),
        choices=[("yes", _("Only those that need attention"))],
        method="filter_attention",
        empty_label=_("All referrals"),
    )
    service = django_filters.CharFilter(
        label=_("Service name"),
        field_name="service__name",
        lookup_expr="icontains",
        max_length=100,
    )
    follow_up = django_filters.ChoiceFilter(
        label=_("Follow-up"),
        choices=FOLLOW_UP_CHOICES,
        method="filter_follow_up",
        empty_label=_("Any date"),
    )
    caseworker = django_filters.ModelChoiceFilter(
        label=_("Caseworker"),
        field_name="client__caseworker",
        queryset=User.objects.none(),
        empty_label=_("Every caseworker of the team"),
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Follow-up date"),
        fields=[
            ("follow_up_on", "follow_up"),
            ("updated_at", "updated"),
            ("status", "status"),
            ("client__full_name", "client"),
            ("service__name", "service"),
        ],
        choices=list(SORT_LABELS.items()),
    )

    class Meta:
        model = Referral
        fields = []

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == User.Role.SUPERVISOR and user.team_id:
            self.filters["caseworker"].queryset = User.objects.filter(
                role=User.Role.CASEWORKER, team_id=user.team_id
            ).order_by("full_name", "email")
        else:
            del self.filters["caseworker"]

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_attention(self, queryset, name, value):
        return queryset.filter(attention__isnull=False)

    def filter_follow_up(self, queryset, name, value):
        today = timezone.localdate()
        if value == "passed":
            return queryset.filter(follow_up_on__lt=today, status__in=OPEN_STATUSES)
        if value == "today":
            return queryset.filter(follow_up_on=today)
        if value == "week":
            return queryset.filter(
                follow_up_on__gte=today,
                follow_up_on__lte=today + timedelta(days=7),
            )
        return queryset.filter(follow_up_on__isnull=True)

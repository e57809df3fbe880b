"""Referral outcome reports: the page and its CSV downloads.

Who sees what: a caseworker their own referrals, a supervisor their team's, an
administrator every team's or one team's (with small counts protected, see
apps/referrals/report_tables.py). The referrals are always those of
Referral.objects.visible_to(user), narrowed by the administrator's team choice.
A report shows counts and times only, never a client, so reading one does not write
to the access log (which records who opened which client's record).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.models import Team, User

from ..forms import ReportPeriodForm
from ..models import Referral
from ..report_csv import table_csv
from ..report_tables import report_sections
from ..reports import REPORT_CACHE_SECONDS, Period, cached_report

# Services, needs and caseworkers shown on the page (the download has them all).
ROWS_SHOWN = 25
EVERY_TEAM = Team(name=gettext_lazy("every team"))


@dataclass
class Scope:
    referrals: QuerySet
    key: str  # the same for everyone who may see the same referrals
    suppress_small_counts: bool
    by_caseworker: bool
    team: Team | None = None

    @property
    def description(self) -> str:
        # Read only when the report is rendered, not on every look at a kept one.
        if self.team is None:
            return _("Your own referrals")
        return _("Referrals of %(team)s") % {"team": self.team.name}


def _require_report_reader(user: User) -> None:
    """Casework staff and administrators (superusers, who hold no casework role)."""
    if not (user.is_superuser or user.does_casework):
        raise PermissionDenied


def _scope(user: User, team) -> Scope:
    referrals = Referral.objects.visible_to(user)
    if user.is_superuser:
        # An administrator stands outside every team: small counts stay hidden.
        if team is None:
            return Scope(referrals, "all", True, True, team=EVERY_TEAM)
        return Scope(
            referrals.filter(client__team=team), f"team:{team.pk}", True, True, team
        )
    if user.is_supervisor:
        team = SimpleLazyObject(
            lambda: user.team or Team(name=gettext_lazy("your team"))
        )
        return Scope(referrals, f"team:{user.team_id}", False, True, team)
    return Scope(referrals, f"caseworker:{user.pk}", False, False)


def _period_form(request) -> ReportPeriodForm:
    asked = request.GET if {"start", "end"} & set(request.GET) else None
    data = asked or ReportPeriodForm.default_period(timezone.localdate())
    if asked is None and "team" in request.GET:
        data = {**data, "team": request.GET["team"]}
    return ReportPeriodForm(data, choose_team=request.user.is_superuser)


def _scope_and_period(request, form: ReportPeriodForm) -> tuple[Scope, Period]:
    scope = _scope(request.user, form.cleaned_data.get("team"))
    return scope, Period(form.cleaned_data["start"], form.cleaned_data["end"])


def _report_body(scope: Scope, period: Period, *, query: str) -> str:
    """The figures, charts and tables as HTML, rendered once per language, scope,
    period and protection, and kept as long as the report: the page around them is
    all that a second reader costs."""
    key = ":".join(
        ["referrals:report-page:v2", get_language(), scope.key]
        + [str(scope.suppress_small_counts)]
        + [period.start.isoformat(), period.end.isoformat()]
    )
    html = cache.get(key)
    if html is None:
        report = cached_report(
            scope.referrals,
            period,
            scope_key=scope.key,
            rows_per_breakdown=ROWS_SHOWN,
        )
        sections = report_sections(
            report,
            suppress=scope.suppress_small_counts,
            with_caseworkers=scope.by_caseworker,
            rows_shown=ROWS_SHOWN,
        )
        html = render_to_string(
            "referrals/reports/includes/report_body.html",
            {
                "scope": scope,
                "report": report,
                "sections": sections,
                "query": query,
                "cache_minutes": REPORT_CACHE_SECONDS // 60,
            },
        )
        # Kept as the template engine's SafeString (the cache pickles its type).
        cache.set(key, html, REPORT_CACHE_SECONDS)
    return html


@require_http_methods(["GET"])
def referral_report(request):
    _require_report_reader(request.user)
    form = _period_form(request)
    context = {"form": form}
    if not form.is_valid():
        return render(request, "referrals/reports/report.html", context, status=400)
    scope, period = _scope_and_period(request, form)
    asked = {"start": period.start, "end": period.end}
    if form.cleaned_data.get("team"):
        asked["team"] = form.cleaned_data["team"].pk
    context["report_body"] = _report_body(scope, period, query=urlencode(asked))
    return render(request, "referrals/reports/report.html", context)


@require_http_methods(["GET"])
def referral_report_csv(request, table: str):
    """One table of the report, every row, with small counts always protected:
    a file can be passed on beyond the team."""
    _require_report_reader(request.user)
    form = _period_form(request)
    if not form.is_valid():
        messages = "; ".join(
            f"{error}" for errors in form.errors.values() for error in errors
        )
        return HttpResponse(
            messages, status=400, content_type="text/plain; charset=utf-8"
        )
    scope, period = _scope_and_period(request, form)
    report = cached_report(scope.referrals, period, scope_key=scope.key)
    sections = report_sections(
        report, suppress=True, with_caseworkers=scope.by_caseworker
    )
    section = next((s for s in sections if s.slug == table), None)
    if section is None:
        raise Http404
    response = HttpResponse(
        table_csv(section.table), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="referrals-{table}-{period.start}-to-{period.end}.csv"'
    )
    return response

"""Outcome reports: every figure against a hand-built set of referrals whose
timelines have known times, small-count protection and the CSV."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.directory.tests.factories import ServiceFactory, TaxonomyTermFactory
from apps.referrals import services
from apps.referrals.models import Referral
from apps.referrals.report_csv import table_csv
from apps.referrals.report_tables import (
    FEWER_THAN,
    NOT_SHOWN,
    protected_counts,
    report_sections,
)
from apps.referrals.reports import Period, build_report
from apps.referrals.tests.factories import ClientFactory, ReferralFactory

PERIOD = Period(date(2025, 1, 1), date(2025, 3, 31))
QUERY = {"start": "2025-01-01", "end": "2025-03-31"}


@pytest.fixture(autouse=True)
def fresh_report_cache():
    """Reports are cached for minutes; each test starts without them."""
    cache.clear()
    yield
    cache.clear()


def at(month: int, day: int, plus_days: float = 0) -> datetime:
    return datetime(2025, month, day, 14, 0, tzinfo=UTC) + timedelta(days=plus_days)


def timeline(referral, steps) -> Referral:
    """Walk the referral through (status, when[, decline reason]) steps, each
    recorded at its own time, through the model's real status change."""
    for status, when, *reason in steps:
        with mock.patch("django.utils.timezone.now", return_value=when):
            extra = {"appointment_at": when + timedelta(days=7)}
            referral.change_status(
                status,
                by=referral.created_by,
                decline_reason=reason[0] if reason else "",
                **(extra if status == "scheduled" else {}),
            )
    return referral


@pytest.fixture
def needs():
    return {
        "speech": TaxonomyTermFactory(name="Speech therapy"),
        "equipment": TaxonomyTermFactory(name="Equipment loan"),
        "respite": TaxonomyTermFactory(name="Respite care"),
    }


@pytest.fixture
def north_referrals(caseworker, third_caseworker, other_caseworker, needs):
    """Nine referrals of the North team sent in the first quarter of 2025, and six
    that must not count. Expected figures are worked out in the tests."""
    speech = ServiceFactory(name="Speech and Equipment Service")
    speech.taxonomy_terms.set([needs["speech"], needs["equipment"]])
    respite = ServiceFactory(name="Respite House")
    respite.taxonomy_terms.set([needs["respite"]])
    mine = ClientFactory(caseworker=caseworker)
    theirs = ClientFactory(caseworker=third_caseworker)
    moving = ClientFactory(caseworker=third_caseworker)

    def referral(client, service, steps):
        created = datetime(2024, 12, 1, 12, 0, tzinfo=UTC)
        with mock.patch("django.utils.timezone.now", return_value=created):
            made = ReferralFactory(client=client, service=service)
        return timeline(made, steps)

    made = {
        # Accepted in 2 days, then scheduled and completed 10 days after sending.
        "r1": referral(
            mine,
            speech,
            [
                ("sent", at(1, 10)),
                ("accepted", at(1, 10, 2)),
                ("scheduled", at(1, 10, 3)),
                ("completed", at(1, 10, 10)),
            ],
        ),
        # Given an appointment straight away (counts as accepted) after 4 days.
        "r2": referral(
            mine,
            speech,
            [
                ("sent", at(1, 20)),
                ("scheduled", at(1, 20, 4)),
                ("completed", at(1, 20, 6)),
            ],
        ),
        "r3": referral(
            mine,
            speech,
            [("sent", at(2, 5)), ("declined", at(2, 5, 1), "no_capacity")],
        ),
        "r4": referral(
            mine,
            respite,
            [("sent", at(2, 10)), ("declined", at(2, 10, 3), "not_eligible")],
        ),
        "r5": referral(
            mine, respite, [("sent", at(2, 12)), ("no_response", at(2, 12, 30))]
        ),
        "r6": referral(mine, respite, [("sent", at(3, 1)), ("cancelled", at(3, 1, 2))]),
        "r7": referral(mine, respite, [("sent", at(3, 3)), ("accepted", at(3, 3, 5))]),
        # Sent by the third caseworker; the client then moves to `caseworker`.
        "r8": referral(
            moving,
            speech,
            [
                ("sent", at(1, 15)),
                ("accepted", at(1, 15, 6)),
                ("completed", at(1, 15, 20)),
            ],
        ),
        # Declined before reasons were asked for: "not recorded".
        "r9": referral(
            theirs, speech, [("sent", at(3, 10)), ("declined", at(3, 10, 2))]
        ),
        # Not counted: a draft; a draft cancelled; sent before and after the
        # period; another team's.
        "draft": referral(mine, speech, []),
        "draft_cancelled": referral(mine, speech, [("cancelled", at(1, 5))]),
        "before": referral(
            mine, speech, [("sent", datetime(2024, 12, 31, 12, 0, tzinfo=UTC))]
        ),
        "after": referral(mine, speech, [("sent", at(4, 2))]),
        "south": referral(
            ClientFactory(caseworker=other_caseworker), speech, [("sent", at(2, 1))]
        ),
    }
    services.reassign_client(client=moving, caseworker=caseworker)
    return made


def north_report(supervisor, **kwargs):
    return build_report(Referral.objects.visible_to(supervisor), PERIOD, **kwargs)


def test_counts_follow_the_timelines(supervisor, north_referrals):
    total = north_report(supervisor).total
    assert (total.sent, total.accepted, total.scheduled, total.completed) == (
        9,
        4,
        2,
        3,
    )
    assert (total.declined, total.cancelled, total.no_response) == (3, 1, 1)
    assert total.still_open == 1  # r7, accepted and waiting


def test_times_are_medians_and_90th_percentiles_in_days(supervisor, north_referrals):
    total = north_report(supervisor).total
    # First answers after 2, 4, 1, 3, 5, 6 and 2 days (no answer for r5 and r6).
    assert total.answered == 7
    assert total.answer_median == pytest.approx(3.0)
    assert total.answer_p90 == pytest.approx(5.4)  # 5 + 0.4 x (6 - 5)
    # Completed after 10, 6 and 20 days.
    assert total.completion_median == pytest.approx(10.0)
    assert total.completion_p90 == pytest.approx(18.0)  # 10 + 0.8 x (20 - 10)


def test_declines_by_reason(supervisor, north_referrals):
    declines = {reason: n for reason, _, n in north_report(supervisor).declines}
    assert declines == {"no_capacity": 1, "not_eligible": 1, "": 1}


def test_breakdowns_by_service_need_caseworker_and_month(
    supervisor, caseworker, third_caseworker, north_referrals
):
    report = north_report(supervisor)
    by_service = {row.label: row.figures for row in report.by_service}
    assert by_service["Speech and Equipment Service"].sent == 5
    assert by_service["Respite House"].sent == 4
    assert by_service["Respite House"].declined == 1
    assert by_service["Respite House"].answer_median == pytest.approx(4.0)  # 3, 5
    by_need = {row.label: row.figures.sent for row in report.by_need}
    assert by_need == {"Speech therapy": 5, "Equipment loan": 5, "Respite care": 4}
    by_caseworker = {row.key: row.figures for row in report.by_caseworker}
    # r8 was sent by the third caseworker but counts for whoever holds it now.
    assert by_caseworker[str(caseworker.pk)].sent == 8
    assert by_caseworker[str(caseworker.pk)].completed == 3
    assert by_caseworker[str(third_caseworker.pk)].sent == 1
    months = [(row.label, row.figures.sent) for row in report.by_month]
    assert months == [("Jan 2025", 3), ("Feb 2025", 3), ("Mar 2025", 3)]
    assert report.by_month[0].figures.completion_median == pytest.approx(10.0)


def test_caseworker_report_is_their_own_referrals(caseworker, north_referrals):
    report = build_report(Referral.objects.visible_to(caseworker), PERIOD)
    assert report.total.sent == 8  # r1-r8, with the reassigned r8
    assert [row.figures.sent for row in report.by_caseworker] == [8]


def test_empty_period_gives_zeros_and_every_month(supervisor, north_referrals):
    report = build_report(
        Referral.objects.visible_to(supervisor),
        Period(date(2024, 6, 1), date(2024, 8, 31)),
    )
    assert report.total.sent == 0 and report.total.answer_median is None
    assert [row.label for row in report.by_month] == [
        "Jun 2024",
        "Jul 2024",
        "Aug 2024",
    ]
    assert report.by_service == [] and report.declines == []


def test_breakdown_rows_can_be_limited_but_sizes_are_kept(supervisor, north_referrals):
    report = north_report(supervisor, rows_per_breakdown=1)
    assert [row.label for row in report.by_service] == ["Speech and Equipment Service"]
    assert report.breakdown_sizes == {"services": 2, "needs": 3, "caseworkers": 2}
    sections = {
        s.slug: s
        for s in report_sections(
            report, suppress=False, with_caseworkers=True, rows_shown=1
        )
    }
    assert sections["services"].table.more == 1
    assert "the 1 others are in the download" in sections["services"].summary


def test_report_is_one_query(supervisor, north_referrals, django_assert_num_queries):
    with django_assert_num_queries(1):
        north_report(supervisor)


# ----------------------------------------------------------------- protection


def test_small_counts_are_hidden_when_suppressed(supervisor, north_referrals):
    report = north_report(supervisor)
    shown = {
        s.slug: s for s in report_sections(report, suppress=True, with_caseworkers=True)
    }
    outcomes = {row[0]: row[1:] for row in shown["outcomes"].table.rows}
    assert outcomes["Sent"] == [9, "100%"]
    assert outcomes["Accepted by the service"] == [FEWER_THAN, FEWER_THAN]
    assert outcomes["Cancelled"] == [FEWER_THAN, FEWER_THAN]
    times = shown["times"].table.rows
    assert times[0][1:] == [7, 3.0, 5.4]  # 7 answers: shown
    assert times[1][1:] == [FEWER_THAN, "too few to show", "too few to show"]
    assert str(FEWER_THAN) in shown["outcomes"].summary
    # The charts draw no bar for a hidden count.
    bars = {bar.label: bar for bar in shown["outcomes"].chart.bars}
    assert bars["Cancelled"].width == 0 and bars["Cancelled"].value_text == FEWER_THAN
    assert bars["Sent"].width > 0


def test_a_lone_hidden_part_hides_the_next_smallest_too():
    counts = {"Sent": 20, "Completed": 10, "Declined": 2, "Cancelled": 8, "Open": 0}
    parts = ("Completed", "Declined", "Cancelled", "Open")
    shown = protected_counts(counts, suppress=True, parts=parts)
    # 20 - 10 - 8 - 0 would give the 2 away: the 8 is not shown either.
    assert shown == {
        "Sent": 20,
        "Completed": 10,
        "Declined": FEWER_THAN,
        "Cancelled": NOT_SHOWN,
        "Open": 0,
    }
    # Two hidden parts cannot be told apart: nothing more is hidden.
    counts["Cancelled"] = 3
    counts["Completed"] = 15
    shown = protected_counts(counts, suppress=True, parts=parts)
    assert shown["Completed"] == 15
    assert protected_counts(counts, suppress=False, parts=parts) == counts


def test_exact_counts_within_the_team(supervisor, north_referrals):
    report = north_report(supervisor)
    shown = {
        s.slug: s
        for s in report_sections(report, suppress=False, with_caseworkers=True)
    }
    outcomes = {row[0]: row[1] for row in shown["outcomes"].table.rows}
    assert outcomes["Accepted by the service"] == 4
    assert outcomes["Cancelled"] == 1


def test_csv_quotes_formula_like_names(supervisor, north_referrals):
    north_referrals["r1"].service.__class__.objects.filter(
        pk=north_referrals["r1"].service_id
    ).update(name="=HYPERLINK(1)")
    report = north_report(supervisor)
    services_section = next(
        s
        for s in report_sections(report, suppress=True, with_caseworkers=True)
        if s.slug == "services"
    )
    rows = list(csv.reader(io.StringIO(table_csv(services_section.table))))
    assert rows[0][:3] == ["Service", "Sent", "Accepted"]
    assert ["'=HYPERLINK(1)", "5"] == rows[1][:2]


# ----------------------------------------------------------------- the views


def test_supervisor_page_shows_exact_team_figures(client, supervisor, north_referrals):
    client.force_login(supervisor)
    response = client.get(reverse("referrals:referral_report"), QUERY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Referrals of North team" in body
    main = body.split("<main")[1].split("</main>")[0]
    assert "<svg" in main and "<script" not in main
    assert 'role="img"' in body and '<title id="outcomes-title">' in body
    assert "4 were accepted (44%)" in body  # exact: inside the team
    assert "Speech and Equipment Service" in body
    # Never a client's name.
    for referral in north_referrals.values():
        assert referral.client.full_name not in body
    # Looked at again, the kept report is the same page, not escaped text.
    again = client.get(reverse("referrals:referral_report"), QUERY)
    assert again.content.decode().count("<svg") == main.count("<svg")


def test_administrator_page_hides_small_counts(client, administrator, north_referrals):
    client.force_login(administrator)
    response = client.get(reverse("referrals:referral_report"), QUERY)
    body = response.content.decode()
    assert "Referrals of every team" in body
    assert "10 referrals were sent" in body  # 9 of North and 1 of South
    assert "fewer than 5 were accepted" in body


def test_administrator_can_choose_a_team(client, administrator, team, north_referrals):
    client.force_login(administrator)
    response = client.get(
        reverse("referrals:referral_report"), {**QUERY, "team": team.pk}
    )
    body = response.content.decode()
    assert "Referrals of North team" in body
    assert "9 referrals were sent" in body


def test_csv_download_is_protected_even_for_the_team(
    client, supervisor, north_referrals
):
    client.force_login(supervisor)
    response = client.get(
        reverse("referrals:referral_report_csv", args=["outcomes"]), QUERY
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="referrals-outcomes-2025-01-01-to-2025-03-31.csv"'
        in response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Outcome", "Referrals", "Share of those sent"]
    assert rows[1] == ["Sent", "9", "100%"]
    assert rows[2] == ["Accepted by the service", FEWER_THAN, FEWER_THAN]


@pytest.mark.parametrize(
    "table", ["outcomes", "declines", "times", "months", "services", "needs"]
)
def test_every_table_downloads(client, supervisor, north_referrals, table):
    client.force_login(supervisor)
    page = client.get(reverse("referrals:referral_report"), QUERY)
    link = reverse("referrals:referral_report_csv", args=[table])
    assert link in page.content.decode()
    response = client.get(link, QUERY)
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.content.decode())))) > 1


def test_caseworkers_table_only_for_supervisors(client, caseworker, north_referrals):
    client.force_login(caseworker)
    url = reverse("referrals:referral_report_csv", args=["caseworkers"])
    assert client.get(url, QUERY).status_code == 404
    page = client.get(reverse("referrals:referral_report"), QUERY)
    assert "Your own referrals" in page.content.decode()
    assert "By caseworker" not in page.content.decode()


def test_unknown_table_is_404(client, supervisor):
    client.force_login(supervisor)
    url = reverse("referrals:referral_report_csv", args=["clients"])
    assert client.get(url, QUERY).status_code == 404

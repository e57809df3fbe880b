"""Outcome reports: who may read them, bad periods, query counts, the way in, and
the decline reason they count."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from apps.directory.tests.factories import ServiceFactory, TaxonomyTermFactory
from apps.referrals.models import Referral
from apps.referrals.tests.factories import ClientFactory, ReferralFactory
from apps.referrals.tokens import make_respond_token


@pytest.fixture(autouse=True)
def fresh_report_cache():
    cache.clear()
    yield
    cache.clear()


def _send(caseworker, n: int, *, decline_every: int = 3) -> None:
    """n referrals of `caseworker`'s clients sent today; some declined, some
    accepted, over a few services with a need each."""
    services = ServiceFactory.create_batch(3)
    for service in services:
        service.taxonomy_terms.add(TaxonomyTermFactory())
    client_record = ClientFactory(caseworker=caseworker)
    for i in range(n):
        referral = ReferralFactory(client=client_record, service=services[i % 3])
        referral.change_status("sent", by=caseworker)
        if i % decline_every == 0:
            referral.change_status("declined", by=caseworker, decline_reason="other")
        else:
            referral.change_status("accepted", by=caseworker)


REPORT_ACCESS = {
    "anonymous": 302,
    "patient": 403,
    "content_editor": 403,
    "caseworker": 200,
    "other_caseworker": 200,
    "supervisor": 200,
    "other_supervisor": 200,
    "administrator": 200,
}


@pytest.mark.parametrize("name", ["referral_report", "referral_report_csv"])
def test_report_role_matrix(assert_access, caseworker, name):
    _send(caseworker, 6)
    args = ["outcomes"] if name == "referral_report_csv" else []
    url = reverse(f"referrals:{name}", args=args)
    assert_access(url, REPORT_ACCESS)
    assert_access(url, {"supervisor": 405}, method="post")


@pytest.mark.parametrize(
    ("who", "sent"),
    [
        ("caseworker", 6),  # their own
        ("third_caseworker", 3),  # same team: only their own clients' referrals
        ("other_caseworker", 0),
        ("supervisor", 9),  # the whole team
        ("other_supervisor", 0),  # another team
        ("administrator", 9),
    ],
)
def test_each_role_sees_only_its_referrals(
    client, request, caseworker, third_caseworker, who, sent
):
    _send(caseworker, 6)
    _send(third_caseworker, 3)
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("referrals:referral_report"))
    assert response.status_code == 200
    expected = (
        "No referrals were sent in this period."
        if sent == 0
        else f"{sent} referrals were sent in this period."
    )
    if who == "administrator" and sent < 5:
        expected = "fewer than 5 referrals"
    assertContains(response, expected)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"start": "2025-05-01", "end": "2025-03-31"},
            "The end date is before the start date.",
        ),
        (
            {"start": "2019-01-01", "end": "2025-03-31"},
            "A report covers at most 5 years",
        ),
        ({"start": "2025-13-01", "end": "2025-03-31"}, "Enter a valid date."),
        ({"start": "", "end": "2025-03-31"}, "This field is required."),
    ],
)
def test_impossible_period_is_explained(client, supervisor, query, message):
    client.force_login(supervisor)
    response = client.get(reverse("referrals:referral_report"), query)
    assertContains(response, message, status_code=400)
    # The form comes back with what was typed, and no figures.
    assertContains(response, f'value="{query["end"]}"', status_code=400)
    assert 'id="outcomes-heading"' not in response.content.decode()
    csv = client.get(reverse("referrals:referral_report_csv", args=["outcomes"]), query)
    assert csv.status_code == 400
    assert message in csv.content.decode()


def test_period_in_the_future_is_explained(client, supervisor):
    client.force_login(supervisor)
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    response = client.get(
        reverse("referrals:referral_report"),
        {"start": tomorrow.isoformat(), "end": tomorrow.isoformat()},
    )
    for message in (
        "The start date is in the future. Choose today or earlier.",
        "The end date is in the future. Choose today or earlier.",
    ):
        assertContains(response, message, status_code=400)


def test_five_years_exactly_is_allowed(client, supervisor):
    client.force_login(supervisor)
    today = timezone.localdate()
    start = today.replace(year=today.year - 5)
    response = client.get(
        reverse("referrals:referral_report"),
        {"start": start.isoformat(), "end": today.isoformat()},
    )
    assertContains(response, "No referrals were sent in the 61 months.")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# session, user (with whether they have a second factor), then per role
# (the first time, and again within minutes, when the report is kept):
REPORT_QUERIES = {
    # the report, the team's name to show with it; nothing more the second time
    "supervisor": (4, 2),
    # the report
    "caseworker": (3, 2),
    # the teams for the choice of team, the report
    "administrator": (4, 3),
}


@pytest.mark.parametrize("who", sorted(REPORT_QUERIES))
def test_report_query_count_is_flat(client, request, caseworker, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("referrals:referral_report")
    first, again = REPORT_QUERIES[who]
    _send(caseworker, 3)
    few = _count(client, url)
    cache.clear()
    _send(caseworker, 30)
    many = _count(client, url)
    assert few == many == first
    assert _count(client, url) == again


def test_csv_query_count_is_flat(client, supervisor, caseworker):
    client.force_login(supervisor)
    url = reverse("referrals:referral_report_csv", args=["services"])
    _send(caseworker, 3)
    few = _count(client, url)
    cache.clear()
    _send(caseworker, 30)
    # session, user, the report
    assert few == _count(client, url) == 3


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "administrator"])
def test_reports_are_in_the_navigation(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("referrals:referral_report"))
    assertContains(
        response,
        f'href="{reverse("referrals:referral_report")}" aria-current="page"',
    )


def test_dashboard_links_to_reports(client, caseworker):
    client.force_login(caseworker)
    response = client.get(reverse("referrals:dashboard"))
    assertContains(response, "Referral outcomes")
    assertContains(response, f'href="{reverse("referrals:referral_report")}"')


def test_patients_have_no_reports_link(client, patient):
    client.force_login(patient)
    response = client.get(reverse("core:home"), follow=True)
    assert reverse("referrals:referral_report") not in response.content.decode()


# ------------------------------------------------------- the reason for a decline


def _sent(caseworker):
    referral = ReferralFactory(client=ClientFactory(caseworker=caseworker))
    referral.change_status("sent", by=caseworker)
    return referral


def test_caseworker_recording_a_decline_gives_its_reason(client, caseworker):
    referral = _sent(caseworker)
    client.force_login(caseworker)
    url = reverse("referrals:referral_change_status", args=[referral.pk])
    data = {"to": "declined", "version": referral.version, "note": "Full."}
    response = client.post(url, data)
    assertContains(response, "Choose why it was declined.", status_code=400)
    response = client.post(url, {**data, "decline_reason": "out_of_area"})
    assert response.status_code == 303
    event = referral.events.last()
    assert (event.to_status, event.decline_reason) == ("declined", "out_of_area")
    page = client.get(referral.get_absolute_url())
    assertContains(page, "Reason: The client lives outside the service")


def test_a_reason_is_dropped_when_the_change_is_not_a_decline(client, caseworker):
    referral = _sent(caseworker)
    client.force_login(caseworker)
    url = reverse("referrals:referral_change_status", args=[referral.pk])
    client.post(
        url,
        {"to": "accepted", "version": referral.version, "decline_reason": "other"},
    )
    event = referral.events.last()
    assert (event.to_status, event.decline_reason) == ("accepted", "")


def test_service_declining_through_its_link_gives_a_reason(client, caseworker):
    referral = _sent(caseworker)
    Referral.objects.filter(pk=referral.pk).update(link_issued_at=timezone.now())
    referral.refresh_from_db()
    link = reverse("referrals:respond", args=[make_respond_token(referral)])
    data = {"action": "decline", "version": referral.version, "note": "No room."}
    response = client.post(link, {**data, "decline_reason": "made-up"})
    assert response.status_code == 400
    response = client.post(link, {**data, "decline_reason": "not_eligible"})
    assert response.status_code == 302
    assert referral.events.last().decline_reason == "not_eligible"


def test_the_database_refuses_a_reason_on_anything_but_a_decline(caseworker):
    from django.db import IntegrityError, transaction

    referral = _sent(caseworker)
    with pytest.raises(ValueError):
        referral.change_status("accepted", decline_reason="other")
    with pytest.raises(IntegrityError), transaction.atomic():
        referral.events.create(
            from_status="sent", to_status="accepted", decline_reason="other"
        )
    assert Referral.objects.get(pk=referral.pk).status == "sent"

"""The caseworkers' pages are kept rendered until the team's records change: every
change shows on the next load, a kept page only ever reaches the person it was
rendered for, and every read is logged even when the page comes from the cache."""

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from apps.accounts.backends import AccountBackend
from apps.core.models import AccessLog
from apps.referrals.models import Client, FeedMark
from apps.referrals.page_cache import forget_local_copies, page_key
from apps.referrals.team_changes import changes_of
from apps.referrals.tests.factories import ClientFactory
from apps.referrals.tokens import make_respond_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.CASEWORK_PAGE_CACHE_SECONDS = 60
    forget_local_copies()
    yield
    forget_local_copies()


def _signed_in(user) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def _pages(client_record) -> list[str]:
    return [
        reverse("referrals:dashboard"),
        reverse("referrals:referral_list"),
        reverse("referrals:client_detail", args=[client_record.pk]),
    ]


def _kept(browser, url) -> bool:
    """Whether the page now comes from the cache: it costs no query of its own."""
    with CaptureQueriesContext(connection) as queries:
        browser.get(url)
    return not any("referrals_referral" in q["sql"] for q in queries.captured_queries)


def test_a_second_load_is_kept_and_costs_a_flat_few_queries(
    caseworker, client_record, referral
):
    browser = _signed_in(caseworker)
    for url in _pages(client_record):
        browser.get(url)
        browser.get(url)  # the client page noted its opening the first time
        with CaptureQueriesContext(connection) as queries:
            response = browser.get(url)
        assert response.status_code == 200
        # session, user (with its second-factor answer and the team's count), and
        # the access-log INSERT when the page shows a personal record
        assert len(queries) <= 3, [q["sql"][:80] for q in queries.captured_queries]


def test_the_teams_count_is_read_with_the_account(caseworker, patient):
    backend = AccountBackend()
    before = backend.get_user(caseworker.pk).team_changes
    assert before == changes_of(caseworker.team_id)
    Client.objects.filter(caseworker=caseworker).update(phone="617-555-0142")
    ClientFactory(caseworker=caseworker)
    assert backend.get_user(caseworker.pk).team_changes > before
    assert backend.get_user(patient.pk).team_changes == 0  # no team


def test_a_status_change_shows_on_the_next_load(caseworker, client_record, referral):
    browser = _signed_in(caseworker)
    worklist = reverse("referrals:referral_list")
    assertContains(browser.get(worklist), "Sent")
    assert _kept(browser, worklist)
    response = browser.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"to": "cancelled", "version": referral.version},
    )
    assert response.status_code == 303
    browser.get(response.url)  # shows and clears the confirmation
    response = browser.get(worklist)
    assertContains(response, "Cancelled")


def test_a_service_answer_shows_in_the_feed_on_the_next_load(
    client, caseworker, client_record, referral
):
    browser = _signed_in(caseworker)
    dashboard = reverse("referrals:dashboard")
    assertNotContains(browser.get(dashboard), "Accepted by")
    assert _kept(browser, dashboard)
    link = reverse("referrals:respond", args=[make_respond_token(referral)])
    assert (
        client.post(link, {"action": "accept", "version": referral.version}).status_code
        == 302
    )
    assert not _kept(browser, dashboard)
    response = browser.get(dashboard)
    assertContains(response, referral.service.name)
    assertContains(response, "Accepted")


def test_a_renamed_client_shows_everywhere_on_the_next_load(
    caseworker, client_record, referral
):
    browser = _signed_in(caseworker)
    for url in _pages(client_record):
        browser.get(url)
    # A raw UPDATE (no model signal) is counted too: the database counts it.
    Client.objects.filter(pk=client_record.pk).update(full_name="Robin Renamed")
    for url in _pages(client_record):
        assertContains(browser.get(url), "Robin Renamed")


def test_a_reassigned_client_leaves_the_old_caseworkers_pages(
    caseworker, third_caseworker, supervisor, client_record, referral
):
    browser = _signed_in(caseworker)
    worklist = reverse("referrals:referral_list")
    assertContains(browser.get(worklist), client_record.full_name)
    boss = _signed_in(supervisor)
    response = boss.post(
        reverse("referrals:client_reassign", args=[client_record.pk]),
        {"caseworker": third_caseworker.pk},
    )
    assert response.status_code == 302
    assertNotContains(browser.get(worklist), client_record.full_name)
    page = browser.get(reverse("referrals:client_detail", args=[client_record.pk]))
    assert page.status_code == 404


def test_a_note_and_a_feed_mark_show_on_the_next_load(
    caseworker, client_record, referral
):
    browser = _signed_in(caseworker)
    page = reverse("referrals:client_detail", args=[client_record.pk])
    browser.get(page)
    browser.get(page)
    assert _kept(browser, page)
    browser.post(
        reverse("referrals:note_create", args=[client_record.pk]),
        {"text": "Called the clinic back.", "visibility": "internal"},
    )
    browser.get(page)  # shows and clears the confirmation
    assertContains(browser.get(page), "Called the clinic back.")
    before = changes_of(caseworker.team_id)
    FeedMark.objects.create(user=caseworker, seen_at=referral.updated_at)
    assert changes_of(caseworker.team_id) > before


def test_a_kept_page_never_reaches_another_person(
    caseworker, third_caseworker, supervisor, client_record, referral
):
    ClientFactory(caseworker=third_caseworker, full_name="Only Third's Client")
    mine = _signed_in(caseworker)
    theirs = _signed_in(third_caseworker)
    boss = _signed_in(supervisor)
    page = reverse("referrals:client_detail", args=[client_record.pk])
    mine.get(page)  # now among the dashboard's recently opened clients
    for url in (reverse("referrals:dashboard"), reverse("referrals:referral_list")):
        assertContains(mine.get(url), client_record.full_name)
        assert _kept(mine, url)
        # Same team, same URL, same count: still each person's own page.
        assertNotContains(theirs.get(url), client_record.full_name)
        assertContains(boss.get(url), client_record.full_name)
    mine.get(page)  # the others' sign-ins changed the team's count meanwhile
    assert _kept(mine, page)
    assert theirs.get(page).status_code == 404


def test_every_load_of_a_kept_page_logs_its_reads(caseworker, client_record, referral):
    browser = _signed_in(caseworker)
    url = reverse("referrals:client_detail", args=[client_record.pk])
    browser.get(url)
    AccessLog.objects.all().delete()
    browser.get(url)
    rendered = set(
        AccessLog.objects.values_list("record_type", "record_id", "subject_id")
    )
    AccessLog.objects.all().delete()
    assert _kept(browser, url)
    logged = AccessLog.objects.all()
    assert set(logged.values_list("record_type", "record_id", "subject_id")) == rendered
    assert ("referrals.referral", str(referral.pk), str(client_record.pk)) in rendered
    assert {(row.user_id, row.path, row.action) for row in logged} == {
        (caseworker.pk, url, "view")
    }


def test_the_key_names_the_language(rf, caseworker):
    request = rf.get(reverse("referrals:dashboard"))
    request.user = caseworker
    with translation.override("en"):
        english = page_key(request, 1)
    with translation.override("es"):
        spanish = page_key(request, 1)
    assert english != spanish
    assert page_key(request, 1) != page_key(request, 2)


def test_pages_with_a_message_are_rendered_fresh(caseworker, client_record, referral):
    browser = _signed_in(caseworker)
    dashboard = reverse("referrals:dashboard")
    browser.get(dashboard)
    assert _kept(browser, dashboard)
    browser.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"to": "cancelled", "version": referral.version},
    )
    # The confirmation waits for the next page, whichever it is.
    assertContains(browser.get(dashboard), "Status changed to Cancelled.")

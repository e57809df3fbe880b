"""A status change checks the version once, in its UPDATE, and sending issues the
service's link in that same UPDATE."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.referrals.models import Referral, ReferralEvent, StaleReferral


def _sql(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries]


def test_sending_is_one_statement_with_the_link_and_its_row_lock(draft_referral):
    with CaptureQueriesContext(connection) as queries:
        draft_referral.change_status("sent")
    # The row is locked by the statement that changes it: no round trip before.
    [sql] = _sql(queries)
    assert sql.count('UPDATE "referrals_referral"') == 1
    assert '"link_issued_at"' in sql and '"version" = ' in sql
    draft_referral.refresh_from_db()
    assert draft_referral.link_issued_at == draft_referral.sent_at


def test_a_change_is_one_statement_with_its_event(referral):
    with CaptureQueriesContext(connection) as queries:
        event = referral.change_status("accepted", note="Seen.")
    assert len(queries) == 1
    stored = ReferralEvent.objects.get(pk=event.pk)
    assert (stored.from_status, stored.to_status, stored.note) == (
        "sent",
        "accepted",
        "Seen.",
    )
    assert stored.at == event.at
    referral.refresh_from_db()
    assert (referral.status, referral.updated_at) == ("accepted", event.at)


def test_a_change_made_meanwhile_is_not_overwritten(referral):
    seen = Referral.objects.get(pk=referral.pk)
    referral.change_status("accepted")
    with pytest.raises(StaleReferral) as stale:
        seen.change_status("declined", note="Full.")
    assert stale.value.current.status == "accepted"
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_editing_details_is_refused_on_a_stale_version(referral):
    with pytest.raises(StaleReferral):
        referral.update_details(
            reason="New", urgency="soon", follow_up_on=None, expected_version=99
        )
    referral.update_details(
        reason="New",
        urgency="soon",
        follow_up_on=None,
        expected_version=referral.version,
    )
    referral.refresh_from_db()
    assert referral.reason == "New"


def test_status_change_query_count(client, caseworker, referral):
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("referrals:referral_change_status", args=[referral.pk]),
            {"to": "cancelled", "version": referral.version},
        )
    assert response.status_code == 303
    # pghistory puts its context in front of each write: look past it.
    statements = [q.split("true); ")[-1] for q in _sql(queries)]
    # session, user (with its second-factor answer), then one statement that
    # locks and checks the referral (visible, version, allowed change), changes
    # it and writes its event and access-log row, atomic by itself (no
    # transaction around it): no read of the referral before it.
    assert len(statements) == 3, statements
    assert statements[-1].startswith("WITH target AS (SELECT")
    assert '"core_accesslog"' in statements[-1]

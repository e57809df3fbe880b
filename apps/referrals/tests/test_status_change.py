"""A status change checks the version once, in its UPDATE, and sending issues the
service's link in that same UPDATE."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from apps.core.models import AccessLog
from apps.referrals.models import Referral, ReferralEvent, StaleReferral
from apps.referrals.tokens import make_respond_token


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
    statements = _sql(queries)
    # session, user (with its second-factor answer), then one statement that
    # locks and checks the referral (visible, version, allowed change), changes
    # it and writes its event and access-log row, atomic by itself (no
    # transaction around it): no read of the referral before it.
    assert len(statements) == 3, statements
    # One statement, without pghistory's context in front (so that it can be
    # prepared): none of the tables it writes is tracked.
    assert statements[-1].startswith("WITH target AS (SELECT")
    assert '"core_accesslog"' in statements[-1]


def test_no_table_the_status_change_writes_is_tracked_by_pghistory():
    """The statement runs without pghistory's context (without_history_context):
    right only while no history trigger of its tables would need it."""
    from django.apps import apps

    written = {Referral, ReferralEvent, AccessLog}
    tracked = {getattr(model, "pgh_tracked_model", None) for model in apps.get_models()}
    assert not written & tracked


def test_the_history_context_is_back_for_the_next_write(caseworker, referral):
    """without_history_context() leaves pghistory's context in place for the
    statements after the change."""
    import pghistory
    from pghistory.runtime import _inject_history_context

    with pghistory.context(user=caseworker.pk):
        before = list(connection.execute_wrappers)
        referral.change_status("cancelled")
        assert connection.execute_wrappers == before
        assert _inject_history_context in connection.execute_wrappers


# The caseworker's change: one statement, no read before it.


def _post(client, referral, **data):
    return client.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"version": referral.version, **data},
    )


def _unchanged(referral) -> bool:
    stored = Referral.objects.get(pk=referral.pk)
    return (stored.status, stored.version, stored.events.count()) == (
        referral.status,
        referral.version,
        referral.events.count(),
    )


def test_the_change_logs_its_access_in_its_statement(client, caseworker, referral):
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, referral, to="accepted")
    assert response.status_code == 303
    assert response.url == referral.get_absolute_url()
    [row] = AccessLog.objects.filter(record_id=str(referral.pk))
    assert (
        row.user_id,
        row.action,
        row.record_type,
        row.subject_type,
        row.subject_id,
        row.path,
    ) == (
        caseworker.pk,
        "change",
        "referrals.referral",
        "referrals.client",
        str(referral.client_id),
        reverse("referrals:referral_change_status", args=[referral.pk]),
    )
    # Written by the change's statement, not by an INSERT at the end.
    assert sum('"core_accesslog"' in q for q in _sql(queries)) == 1
    assert "WITH target AS" in _sql(queries)[-1]


@pytest.mark.parametrize(
    ("status", "to", "data"),
    [
        ("sent", "accepted", {}),
        ("scheduled", "scheduled", {"appointment_at": "2031-01-05T10:05"}),
        ("accepted", "declined", {"note": "Full.", "decline_reason": "no_capacity"}),
    ],
)
def test_the_event_says_what_the_status_was(
    client, caseworker, referral, status, to, data
):
    if status != "sent":
        referral.change_status("accepted", by=caseworker)
    if status == "scheduled":
        referral.change_status(
            "scheduled", by=caseworker, appointment_at=timezone.now()
        )
    client.force_login(caseworker)
    response = _post(client, referral, to=to, **data)
    assert response.status_code == 303
    event = referral.events.order_by("-pk").first()
    assert (event.actor, event.from_status, event.to_status) == (caseworker, status, to)
    assert event.decline_reason == data.get("decline_reason", "")
    stored = Referral.objects.get(pk=referral.pk)
    assert (stored.status, stored.version) == (to, referral.version + 1)


def test_a_reason_is_only_kept_for_a_decline(client, caseworker, referral):
    client.force_login(caseworker)
    _post(client, referral, to="accepted", decline_reason="no_capacity")
    assert referral.events.order_by("-pk").first().decline_reason == ""


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("caseworker", 303),
        ("supervisor", 303),
        ("other_caseworker", 404),
        ("other_supervisor", 404),
    ],
)
def test_only_who_may_see_the_referral_changes_it(
    client, request, referral, who, expected
):
    client.force_login(request.getfixturevalue(who))
    response = _post(client, referral, to="accepted")
    assert response.status_code == expected
    assert _unchanged(referral) == (expected == 404)
    if expected == 404:
        assert not AccessLog.objects.filter(record_id=str(referral.pk)).exists()


def test_a_stale_form_gets_the_stale_page_and_changes_nothing(
    client, caseworker, referral
):
    referral.change_status("accepted", by=caseworker)
    seen_version = referral.version - 1
    client.force_login(caseworker)
    response = client.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {
            "to": "declined",
            "version": seen_version,
            "note": "Full.",
            "decline_reason": "no_capacity",
        },
    )
    assert response.status_code == 409
    assert response.context["stale"]
    assert _unchanged(referral)


def test_a_change_not_allowed_is_refused_with_the_reason(client, caseworker, referral):
    client.force_login(caseworker)
    response = _post(client, referral, to="completed")
    assertContains(
        response, "A sent referral cannot become completed.", status_code=400
    )
    # The page offers what may follow now.
    offered = [
        value
        for value, _ in response.context["status_form"].fields["to"].widget.choices
    ]
    assert offered == list(Referral.TRANSITIONS["sent"])
    assert _unchanged(referral)


def test_sending_mails_the_service_in_the_changes_transaction(
    client, caseworker, draft_referral, django_capture_on_commit_callbacks
):
    client.force_login(caseworker)
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = _post(client, draft_referral, to="sent")
    assert response.status_code == 303
    sql = [q.split("true); ")[-1] for q in _sql(queries)]
    change = next(i for i, q in enumerate(sql) if q.startswith("WITH target AS"))
    mail_row = next(i for i, q in enumerate(sql) if '"core_outgoingemail"' in q)
    # The tests run in a transaction, so the view's own shows as a savepoint.
    assert sql[change - 1].startswith("SAVEPOINT")
    released = next(i for i, q in enumerate(sql) if q.startswith("RELEASE SAVEPOINT"))
    assert change < mail_row < released
    [sent] = mail.outbox
    stored = Referral.objects.get(pk=draft_referral.pk)
    assert stored.link_issued_at == stored.sent_at is not None
    assert make_respond_token(stored) in sent.body

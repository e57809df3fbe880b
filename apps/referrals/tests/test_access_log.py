"""Every page that reads a client or a referral leaves a row in the access log.

The rows come from fetching the records (visible_to(user).logged(request)), so
each place below is covered by the fetch itself, not by a line in the view.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AccessLog
from apps.referrals.models import Client, Referral
from apps.referrals.tests.factories import ClientFactory, NoteFactory, ReferralFactory
from apps.referrals.tokens import make_respond_token


def _logged(record_type: str, **filters) -> set[str]:
    return set(
        AccessLog.objects.filter(record_type=record_type, **filters).values_list(
            "record_id", flat=True
        )
    )


def _actions(record) -> list[str]:
    return list(
        AccessLog.objects.filter(
            record_type=record._meta.label_lower, record_id=str(record.pk)
        )
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )


# Casework pages


def test_dashboard_logs_the_referrals_and_clients_it_shows(
    client, caseworker, client_record, service
):
    overdue = ReferralFactory(
        client=client_record,
        service=service,
        follow_up_on=timezone.localdate() - timedelta(days=1),
    )
    client_record.last_seen_at = timezone.now()
    client_record.save()
    client.force_login(caseworker)
    client.get(reverse("referrals:dashboard"))
    assert _logged("referrals.referral") == {str(overdue.pk)}
    assert _logged("referrals.client") == {str(client_record.pk)}
    row = AccessLog.objects.get(record_type="referrals.referral")
    assert (row.subject_type, row.subject_id) == (
        "referrals.client",
        str(client_record.pk),
    )


def test_client_page_logs_the_client_and_each_referral(
    client, caseworker, client_record, service
):
    referrals = ReferralFactory.create_batch(3, client=client_record, service=service)
    client.force_login(caseworker)
    client.get(reverse("referrals:client_detail", args=[client_record.pk]))
    assert _logged("referrals.client") == {str(client_record.pk)}
    assert _logged("referrals.referral") == {str(r.pk) for r in referrals}


def test_a_page_writes_its_access_log_rows_in_one_insert(
    client, caseworker, client_record, service
):
    ReferralFactory.create_batch(5, client=client_record, service=service)
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("referrals:client_detail", args=[client_record.pk]))
    inserts = [
        q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "core_accesslog"')
    ]
    assert len(inserts) == 1
    assert AccessLog.objects.count() == 6


def test_new_referral_form_logs_every_client_offered(client, caseworker, service):
    clients = ClientFactory.create_batch(3, caseworker=caseworker)
    ClientFactory()  # someone else's client: neither offered nor logged
    client.force_login(caseworker)
    page = client.get(reverse("referrals:referral_create"), {"service": service.pk})
    for record in clients:
        assert record.full_name in page.content.decode()
    assert _logged("referrals.client") == {str(c.pk) for c in clients}


def test_posting_a_status_change_logs_a_change(client, caseworker, referral):
    client.force_login(caseworker)
    client.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"to": "cancelled", "version": referral.version},
    )
    assert _actions(referral) == ["change"]


def test_a_stale_status_change_logs_the_change_once(client, caseworker, referral):
    # The change's statement writes no log row when it changes nothing: the row
    # of the read is written at the end of the request, with the page's view.
    client.force_login(caseworker)
    response = client.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"to": "cancelled", "version": referral.version - 1},
    )
    assert response.status_code == 409
    assert _actions(referral) == ["change", "view"]


def test_printing_a_referral_logs_a_print(client, caseworker, referral):
    client.force_login(caseworker)
    client.get(reverse("referrals:referral_print", args=[referral.pk]))
    assert _actions(referral) == ["print"]


def test_the_patients_referral_page_logs_what_it_shows(
    client, patient, client_record, referral
):
    client.force_login(patient)
    client.get(reverse("referrals:my_referrals"))
    assert _logged("referrals.referral") == {str(referral.pk)}
    assert _logged("referrals.client") == {str(client_record.pk)}


# The service's answer page, whatever is posted to it


@pytest.mark.parametrize(
    ("data", "expected_status"),
    [
        ({}, 400),  # no answer chosen
        ({"action": "nonsense"}, 400),
        ({"action": "decline", "note": ""}, 400),  # a reason is needed
        ({"action": "complete"}, 409),  # a sent referral cannot be completed
        ({"action": "accept", "version": "1"}, 409),  # stale version
    ],
)
def test_every_answer_to_the_service_page_is_logged(
    client, referral, data, expected_status
):
    data = {"version": str(referral.version), **data}
    response = client.post(
        reverse("referrals:respond", args=[make_respond_token(referral)]), data
    )
    assert response.status_code == expected_status
    assert _actions(referral)
    row = AccessLog.objects.filter(record_type="referrals.referral").first()
    assert row.subject_id == str(referral.client_id)
    assert "respond/link/" in row.path


def test_a_saved_service_answer_logs_the_read_and_the_change(client, referral):
    client.post(
        reverse("referrals:respond", args=[make_respond_token(referral)]),
        {"action": "accept", "version": referral.version},
    )
    assert _actions(referral) == ["view", "change"]


def test_the_busy_answer_page_is_logged_too(client, referral, monkeypatch):
    from apps.referrals.views import respond

    monkeypatch.setattr(respond, "_seconds_to_wait", lambda request, pk: 60)
    url = reverse("referrals:respond", args=[make_respond_token(referral)])
    assert client.post(url, {"action": "accept"}).status_code == 429
    assert _actions(referral) == ["view"]


# The admin: list, search, a record's page, notes


def test_admin_client_list_and_search_log_the_clients_shown(
    client, administrator, client_record
):
    other = ClientFactory(full_name="Quinn Searchable")
    client.force_login(administrator)
    client.get(reverse("admin:referrals_client_changelist"))
    assert _logged("referrals.client") == {str(client_record.pk), str(other.pk)}
    AccessLog.objects.all().delete()
    client.get(reverse("admin:referrals_client_changelist"), {"q": "Quinn"})
    assert _logged("referrals.client") == {str(other.pk)}
    assert AccessLog.objects.get().user == administrator


def test_admin_change_view_logs_the_record(client, administrator, referral):
    client.force_login(administrator)
    client.get(reverse("admin:referrals_referral_change", args=[referral.pk]))
    assert _actions(referral) == ["view"]
    client.get(reverse("admin:referrals_client_change", args=[referral.client_id]))
    assert _logged("referrals.client") == {str(referral.client_id)}


def test_admin_note_list_logs_each_note_about_its_client(
    client, administrator, client_record, caseworker
):
    note = NoteFactory(client=client_record, author=caseworker)
    client.force_login(administrator)
    client.get(reverse("admin:referrals_note_changelist"))
    row = AccessLog.objects.get(record_type="referrals.note")
    assert (row.record_id, row.subject_type, row.subject_id) == (
        str(note.pk),
        "referrals.client",
        str(client_record.pk),
    )


def test_counting_is_not_a_read(caseworker, client_record, rf):
    request = rf.get("/")
    request.user = caseworker
    visible = Referral.objects.visible_to(caseworker).logged(request)
    assert visible.count() == 0
    assert not visible.exists()
    assert AccessLog.objects.count() == 0


def test_a_logged_queryset_logs_what_it_returns_by_any_way_of_fetching(caseworker, rf):
    records = ClientFactory.create_batch(3, caseworker=caseworker)
    request = rf.get("/casework/")
    request.user = caseworker
    logged = Client.objects.visible_to(caseworker).logged(request)
    list(logged)
    logged.get(pk=records[0].pk)
    list(logged.order_by("pk").iterator())
    logged.filter(pk=records[1].pk).first()
    ids = list(AccessLog.objects.values_list("record_id", flat=True))
    assert sorted(ids) == sorted(
        [str(r.pk) for r in records] * 2 + [str(records[0].pk), str(records[1].pk)]
    )

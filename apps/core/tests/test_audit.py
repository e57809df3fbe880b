import pytest
from django.test import RequestFactory

from apps.core.audit import flush_access_log, record_access, record_accesses
from apps.core.models import AccessLog


def test_record_access_names_user_record_subject_and_ip(patient, caseworker):
    request = RequestFactory().get("/casework/x/", REMOTE_ADDR="10.1.2.3")
    request.user = caseworker
    profile = patient.profile
    row = record_access(request, profile, subject=patient)
    assert row.user == caseworker
    assert row.record_type == "accounts.patientprofile"
    assert row.subject_type == "accounts.user"
    assert row.subject_id == str(patient.pk)
    assert row.ip_address == "10.1.2.3"
    assert AccessLog.objects.about("accounts.user", patient.pk).count() == 1


def test_record_accesses_writes_one_row_per_record_in_one_query(
    patient, other_patient, caseworker, django_assert_num_queries
):
    request = RequestFactory().get("/casework/")
    request.user = caseworker
    with django_assert_num_queries(1):
        record_accesses(request, [patient, other_patient])
    assert AccessLog.objects.count() == 2


def test_rows_wait_for_the_end_of_the_request_when_buffered(caseworker, rf):
    request = rf.get("/casework/")
    request.user = caseworker
    request._access_log_buffer = []
    record_access(request, caseworker)
    assert AccessLog.objects.count() == 0
    flush_access_log(request)
    assert AccessLog.objects.count() == 1


@pytest.mark.django_db
def test_the_access_log_keeps_its_rows_when_an_account_goes_without_locking_it():
    from django.db import connection

    from apps.accounts.tests.factories import UserFactory
    from apps.core.models import AccessLog

    reader = UserFactory()
    row = AccessLog.objects.create(
        user=reader, action="view", record_type="referrals.client", record_id="1"
    )
    reader.delete()
    row.refresh_from_db()
    assert row.user_id is None
    # Writing a row checks no account row in the database (no lock on it).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'f'",
            [AccessLog._meta.db_table],
        )
        assert cursor.fetchone()[0] == 0

"""FHIR R4 referrals: the access matrix (who may read the caseworker's referral), the
audit trail and query counts."""

import pytest
from django.urls import reverse
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from apps.core.models import AccessLog
from apps.referrals.models import ReferralEvent
from apps.referrals.tests.factories import NoteFactory, ReferralFactory

from .fhir_requests import (
    FHIR_JSON,
    assert_outcome,
    sr_url,
    task_url,
)

# Access -------------------------------------------------------------------------------

# Who may read the caseworker's referral: exactly those whose casework pages show it.
ACCESS = {
    "anonymous": 401,
    "patient": 403,
    "other_patient": 403,
    "caseworker": 200,
    "other_caseworker": 404,
    "supervisor": 200,
    "other_supervisor": 404,
    "content_editor": 403,
    "administrator": 200,
}


@pytest.mark.parametrize("url_name", ["service_request_detail", "task_detail"])
def test_access_matrix(assert_access, sent_referral, patient, url_name):
    # Even the patient the record is linked to reads it in CareNav, not here.
    sent_referral.client.patient = patient
    sent_referral.client.save()
    url = reverse(f"fhir_api:{url_name}", args=[sent_referral.pk])
    assert_access(url, ACCESS)


def test_matrix_follows_what_each_person_sees_in_carenav(
    login_as, client, sent_referral, patient
):
    """Nobody reads a referral through FHIR that CareNav's own pages would not show:
    staff see it on the referral page, administrators in the (read-only) admin."""
    sent_referral.client.patient = patient
    sent_referral.client.save()
    page = reverse("referrals:referral_detail", args=[sent_referral.pk])
    admin_page = reverse("admin:referrals_referral_change", args=[sent_referral.pk])
    for who in ACCESS:
        if who in ("anonymous", "patient", "other_patient"):
            continue  # signed-out people and patients: FHIR refuses them outright
        login_as(who)
        seen = client.get(page).status_code == 200
        seen = seen or client.get(admin_page).status_code == 200
        api_ok = client.get(sr_url(sent_referral.pk)).status_code == 200
        assert api_ok == seen, who


def test_anonymous_gets_401_with_a_challenge(client, sent_referral):
    response = client.get(sr_url(sent_referral.pk))
    assert_outcome(response, 401)
    assert "WWW-Authenticate" in response
    response = client.get(reverse("fhir_api:service_request_search"), {"subject": 1})
    assert_outcome(response, 401)


def test_teammate_caseworker_gets_404(client, team, sent_referral):
    from apps.accounts.models import User
    from apps.accounts.tests.factories import UserFactory

    teammate = UserFactory(role=User.Role.CASEWORKER, team=team)
    client.force_login(teammate)
    assert_outcome(client.get(sr_url(sent_referral.pk)), 404)
    assert_outcome(client.get(task_url(sent_referral.pk)), 404)


def test_capability_statement(client, db):
    response = client.get(reverse("fhir_api:metadata"))
    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    statement = CapabilityStatement.model_validate(response.json())
    assert statement.fhirVersion == "4.0.1"
    types = {r.type for r in statement.rest[0].resource}
    assert types == {
        "ServiceRequest",
        "Task",
        "Patient",
        "Practitioner",
        "PractitionerRole",
        "Organization",
        "HealthcareService",
    }


# Audit and query counts ---------------------------------------------------------------


def test_reads_are_written_to_the_access_log(client, caseworker, sent_referral):
    client.force_login(caseworker)
    client.get(sr_url(sent_referral.pk))
    client.get(reverse("fhir_api:task_search"), {"patient": sent_referral.client_id})
    logs = AccessLog.objects.filter(
        record_type="referrals.referral", record_id=str(sent_referral.pk)
    )
    assert logs.count() == 2
    assert {log.subject_id for log in logs} == {str(sent_referral.client_id)}
    assert {log.user_id for log in logs} == {caseworker.pk}


@pytest.mark.parametrize("count", [2, 10])
def test_search_queries_stay_flat(
    client, caseworker, client_of_caseworker, django_assert_num_queries, count
):
    for _ in range(count):
        referral = ReferralFactory(client=client_of_caseworker, created_by=caseworker)
        NoteFactory(client=client_of_caseworker, referral=referral, is_internal=False)
        ReferralEvent.objects.create(
            referral=referral, actor=caseworker, to_status="draft"
        )
    client.force_login(caseworker)
    subject = {"subject": client_of_caseworker.pk}
    # session, user with its second-factor answer; the count; referrals joined to
    # client, service, organization, location and author; the services' terms;
    # shared notes with authors; one access-log INSERT
    with django_assert_num_queries(7):
        data = client.get(reverse("fhir_api:service_request_search"), subject).json()
    assert data["total"] == count
    # session, user with its second-factor answer; the count; referrals joined;
    # the services' terms; events; one access-log INSERT
    with django_assert_num_queries(7):
        data = client.get(
            reverse("fhir_api:task_search"), {"patient": subject["subject"]}
        ).json()
    assert data["total"] == count


def test_personal_endpoints_do_not_allow_other_origins(client, caseworker):
    referral = ReferralFactory(client__caseworker=caseworker)
    client.force_login(caseworker)
    response = client.get(f"/api/fhir/ServiceRequest/{referral.pk}")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    page = client.get(reverse("referrals:referral_detail", args=[referral.pk]))
    assert "Access-Control-Allow-Origin" not in page

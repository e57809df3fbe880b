"""FHIR R4 ServiceRequest and Task for referrals: validity (fhir.resources R4B models,
plus the coded values that package does not check), the status mapping, the access
matrix, errors, audit and query counts."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from apps.core.models import AccessLog
from apps.directory.tests.factories import (
    LocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)
from apps.referrals.models import Referral, ReferralEvent
from apps.referrals.tests.factories import ClientFactory, NoteFactory, ReferralFactory

FHIR_JSON = "application/fhir+json"

# The FHIR R4 value sets of the coded elements used (fhir.resources checks the
# structure and data types, not these codes).
REQUEST_STATUSES = {
    "draft",
    "active",
    "on-hold",
    "revoked",
    "completed",
    "entered-in-error",
    "unknown",
}
REQUEST_INTENTS = {
    "proposal",
    "plan",
    "directive",
    "order",
    "original-order",
    "reflex-order",
    "filler-order",
    "instance-order",
    "option",
}
TASK_STATUSES = {
    "draft",
    "requested",
    "received",
    "accepted",
    "rejected",
    "ready",
    "cancelled",
    "in-progress",
    "on-hold",
    "failed",
    "completed",
    "entered-in-error",
}
TASK_INTENTS = REQUEST_INTENTS - {"directive"} | {"unknown"}
PRIORITIES = {"routine", "urgent", "asap", "stat"}


def assert_service_request(data: dict) -> ServiceRequest:
    resource = ServiceRequest.model_validate(data)
    assert resource.status in REQUEST_STATUSES
    assert resource.intent in REQUEST_INTENTS
    assert resource.priority in PRIORITIES
    assert data["subject"]["reference"].startswith("Patient/")
    assert "contained" not in data
    return resource


def assert_task(data: dict) -> Task:
    resource = Task.model_validate(data)
    assert resource.status in TASK_STATUSES
    assert resource.intent in TASK_INTENTS
    assert resource.priority in PRIORITIES
    assert data["for"]["reference"].startswith("Patient/")
    return resource


def assert_bundle(data: dict) -> Bundle:
    bundle = Bundle.model_validate(data)
    assert bundle.type == "searchset"
    assert bundle.total >= len(data.get("entry", []))
    for entry in data.get("entry", []):
        assert entry["search"]["mode"] == "match"
    return bundle


def assert_outcome(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == FHIR_JSON
    outcome = OperationOutcome.model_validate(response.json())
    assert outcome.issue[0].diagnostics


@pytest.fixture
def client_of_caseworker(caseworker):
    return ClientFactory(
        caseworker=caseworker,
        full_name="Morgan Example",
        email="morgan@example.org",
        date_of_birth=date(1961, 4, 2),
        preferred_language="es",
    )


@pytest.fixture
def fhir_service(db):
    term = TaxonomyTermFactory(code="aac", name="Communication devices")
    return ServiceFactory(name="Talking Tech Loans", taxonomy_terms=[term])


@pytest.fixture
def sent_referral(client_of_caseworker, fhir_service, caseworker):
    referral = ReferralFactory(
        client=client_of_caseworker,
        service=fhir_service,
        created_by=caseworker,
        urgency=Referral.Urgency.SOON,
        follow_up_on=date(2026, 3, 2),
        reason="Trial of an eye-gaze device before speech gets harder.",
    )
    referral.change_status(Referral.Status.SENT, by=caseworker)
    return referral


def sr_url(pk) -> str:
    return reverse("fhir_api:service_request_detail", args=[pk])


def task_url(pk) -> str:
    return reverse("fhir_api:task_detail", args=[pk])


# Resources ----------------------------------------------------------------------------


def test_service_request_is_valid_r4(client, caseworker, sent_referral):
    client.force_login(caseworker)
    response = client.get(sr_url(sent_referral.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    data = response.json()
    assert_service_request(data)
    assert data["id"] == str(sent_referral.pk)
    assert (data["status"], data["intent"], data["priority"]) == (
        "active",
        "order",
        "urgent",
    )
    assert data["subject"]["reference"] == f"Patient/{sent_referral.client_id}"
    patient = client.get("/api/fhir/" + data["subject"]["reference"]).json()
    assert patient["resourceType"] == "Patient"
    assert patient["name"][0]["text"] == "Morgan Example"
    assert (patient["name"][0]["family"], patient["name"][0]["given"]) == (
        "Example",
        ["Morgan"],
    )
    assert patient["birthDate"] == "1961-04-02"
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "es"
    assert patient["identifier"][0]["value"] == str(sent_referral.client_id)
    assert data["requester"] == {
        "reference": f"PractitionerRole/{caseworker.pk}",
        "display": caseworker.full_name,
    }
    service, organization = data["performer"]
    assert service["reference"] == f"HealthcareService/{sent_referral.service_id}"
    assert organization["display"] == sent_referral.service.organization.name
    snomed, own = data["code"]["coding"]
    assert snomed["system"] == "http://snomed.info/sct"
    assert own["code"] == "aac"
    assert data["reasonCode"] == [{"text": sent_referral.reason}]
    assert data["occurrencePeriod"] == {"end": "2026-03-02"}
    assert data["authoredOn"].endswith("Z")


def test_service_request_carries_appointment_location_and_shared_notes_only(
    client, caseworker, sent_referral
):
    location = LocationFactory(name="Eastside office")
    appointment = datetime.fromisoformat("2026-02-10T14:30:00+00:00")
    Referral.objects.filter(pk=sent_referral.pk).update(location=location)
    sent_referral.change_status(
        Referral.Status.SCHEDULED, by=caseworker, appointment_at=appointment
    )
    client_record = sent_referral.client
    NoteFactory(
        client=client_record, referral=sent_referral, text="PRIVATE: family conflict"
    )
    NoteFactory(client=client_record, text="PRIVATE client note")
    NoteFactory(
        client=client_record,
        referral=sent_referral,
        text="Bring your glasses to the appointment.",
        is_internal=False,
    )
    client.force_login(caseworker)
    response = client.get(sr_url(sent_referral.pk))
    data = response.json()
    assert_service_request(data)
    assert data["occurrenceDateTime"] == "2026-02-10T14:30:00Z"
    assert data["locationReference"][0]["display"] == "Eastside office"
    assert [n["text"] for n in data["note"]] == [
        "Bring your glasses to the appointment."
    ]
    assert b"PRIVATE" not in response.content

    task = client.get(task_url(sent_referral.pk))
    assert b"PRIVATE" not in task.content


def test_task_is_valid_r4_and_points_at_its_service_request(
    client, caseworker, sent_referral
):
    client.force_login(caseworker)
    response = client.get(task_url(sent_referral.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    data = response.json()
    assert_task(data)
    assert data["status"] == "requested"
    assert data["businessStatus"]["coding"][0]["code"] == "sent"
    assert data["focus"] == {"reference": f"ServiceRequest/{sent_referral.pk}"}
    assert data["basedOn"] == [{"reference": f"ServiceRequest/{sent_referral.pk}"}]
    assert data["owner"]["display"] == "Talking Tech Loans"
    assert data["restriction"] == {"period": {"end": "2026-03-02"}}
    assert "end" not in data["executionPeriod"]


@pytest.mark.parametrize(
    ("status", "request_status", "task_status"),
    [
        (Referral.Status.DRAFT, "draft", "draft"),
        (Referral.Status.SENT, "active", "requested"),
        (Referral.Status.ACCEPTED, "active", "accepted"),
        (Referral.Status.SCHEDULED, "active", "in-progress"),
        (Referral.Status.COMPLETED, "completed", "completed"),
        (Referral.Status.DECLINED, "revoked", "rejected"),
        (Referral.Status.CANCELLED, "revoked", "cancelled"),
        (Referral.Status.NO_RESPONSE, "revoked", "failed"),
    ],
)
def test_status_mapping(
    client, caseworker, client_of_caseworker, status, request_status, task_status
):
    referral = ReferralFactory(
        client=client_of_caseworker, created_by=caseworker, status=status
    )
    client.force_login(caseworker)
    data = client.get(sr_url(referral.pk)).json()
    assert_service_request(data)
    assert data["status"] == request_status
    data = client.get(task_url(referral.pk)).json()
    assert_task(data)
    assert data["status"] == task_status
    assert data["businessStatus"]["coding"][0]["code"] == status
    assert data["businessStatus"]["text"] == referral.get_status_display()


def test_closed_task_ends_when_it_was_closed(client, caseworker, sent_referral):
    event = sent_referral.change_status(Referral.Status.DECLINED, by=caseworker)
    client.force_login(caseworker)
    data = client.get(task_url(sent_referral.pk)).json()
    assert_task(data)
    end = datetime.fromisoformat(data["executionPeriod"]["end"])
    assert abs((end - event.at).total_seconds()) < 1


@pytest.mark.parametrize(
    ("urgency", "priority"),
    [("routine", "routine"), ("soon", "urgent"), ("urgent", "asap")],
)
def test_priority_from_urgency(
    client, caseworker, client_of_caseworker, urgency, priority
):
    referral = ReferralFactory(
        client=client_of_caseworker, created_by=caseworker, urgency=urgency
    )
    client.force_login(caseworker)
    assert client.get(sr_url(referral.pk)).json()["priority"] == priority
    assert client.get(task_url(referral.pk)).json()["priority"] == priority


# Searches -----------------------------------------------------------------------------


def test_service_request_search_by_subject(
    client, caseworker, sent_referral, client_of_caseworker
):
    second = ReferralFactory(client=client_of_caseworker, created_by=caseworker)
    ReferralFactory()  # someone else's client
    client.force_login(caseworker)
    url = reverse("fhir_api:service_request_search")
    for subject in [client_of_caseworker.pk, f"Patient/{client_of_caseworker.pk}"]:
        response = client.get(url, {"subject": subject})
        assert response.status_code == 200
        assert response["Content-Type"] == FHIR_JSON
        data = response.json()
        assert_bundle(data)
        assert {e["resource"]["id"] for e in data["entry"]} == {
            str(sent_referral.pk),
            str(second.pk),
        }
        for entry in data["entry"]:
            assert_service_request(entry["resource"])
            assert entry["fullUrl"] == "http://testserver" + sr_url(
                entry["resource"]["id"]
            )


def test_task_search_by_focus_and_patient(
    client, caseworker, sent_referral, client_of_caseworker
):
    ReferralFactory(client=client_of_caseworker, created_by=caseworker)
    client.force_login(caseworker)
    url = reverse("fhir_api:task_search")
    data = client.get(url, {"focus": f"ServiceRequest/{sent_referral.pk}"}).json()
    assert_bundle(data)
    (entry,) = data["entry"]
    assert_task(entry["resource"])
    assert entry["resource"]["id"] == str(sent_referral.pk)

    data = client.get(url, {"patient": client_of_caseworker.pk}).json()
    assert_bundle(data)
    assert data["total"] == 2
    data = client.get(
        url, {"patient": client_of_caseworker.pk, "focus": sent_referral.pk}
    ).json()
    assert data["total"] == 1


def test_searching_another_caseworkers_client_finds_nothing(
    client, other_caseworker, sent_referral
):
    client.force_login(other_caseworker)
    for url, params in [
        (
            reverse("fhir_api:service_request_search"),
            {"subject": sent_referral.client_id},
        ),
        (reverse("fhir_api:task_search"), {"focus": sent_referral.pk}),
        (reverse("fhir_api:task_search"), {"patient": sent_referral.client_id}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 200
        data = response.json()
        assert_bundle(data)
        assert data["total"] == 0
        assert "entry" not in data or data["entry"] == []


# Errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("service_request_search", {"subject": "Morgan"}),
        ("service_request_search", {"subject": "Patient/x1"}),
        ("service_request_search", {"subject": "9" * 40}),
        ("task_search", {"focus": "Task/3"}),
        ("task_search", {"patient": "-1"}),
    ],
)
def test_bad_search_parameters_answer_400(client, caseworker, name, params):
    client.force_login(caseworker)
    assert_outcome(client.get(reverse(f"fhir_api:{name}"), params), 400)


@pytest.mark.parametrize("url_name", ["service_request_detail", "task_detail"])
@pytest.mark.parametrize("pk", ["999999", "abc", "0"])
def test_unknown_ids_answer_404(client, caseworker, url_name, pk):
    client.force_login(caseworker)
    assert_outcome(client.get(reverse(f"fhir_api:{url_name}", args=[pk])), 404)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only(client, caseworker, sent_referral, method):
    client.force_login(caseworker)
    for url in [sr_url(sent_referral.pk), reverse("fhir_api:task_search")]:
        response = getattr(client, method)(url, {}, content_type=FHIR_JSON)
        assert_outcome(response, 405)


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

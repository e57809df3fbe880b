"""FHIR R4 ServiceRequest and Task for referrals: validity (fhir.resources R4B models,
plus the coded values that package does not check), the status mapping, searches and
errors."""

from datetime import datetime

import pytest
from django.urls import reverse

from apps.directory.tests.factories import (
    LocationFactory,
)
from apps.referrals.models import Referral
from apps.referrals.tests.factories import NoteFactory, ReferralFactory

from .fhir_requests import (
    FHIR_JSON,
    assert_bundle,
    assert_outcome,
    assert_service_request,
    assert_task,
    sr_url,
    task_url,
)

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

"""FHIR value sets, checks of the resources, and a caseworker's sent referral, for the
FHIR API tests (test_fhir_api.py, test_fhir_access.py)."""

from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

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


def sr_url(pk) -> str:
    return reverse("fhir_api:service_request_detail", args=[pk])


def task_url(pk) -> str:
    return reverse("fhir_api:task_detail", args=[pk])

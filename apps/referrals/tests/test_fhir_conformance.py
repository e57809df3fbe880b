"""Every FHIR resource the API serves, checked against the R4 models and the SDOH
Clinical Care / US Core rules written as data in fhir_profile_rules.json; every
reference a partner would follow can be fetched and conforms too."""

import copy

import pytest
from django.urls import reverse

from apps.directory.tests.factories import ServiceFactory, TaxonomyTermFactory
from apps.referrals.tests.factories import ClientFactory, ReferralFactory

from .fhir_conformance import PROFILES, check

SR_PROFILE = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ServiceRequest"
)
TASK_PROFILE = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/"
    "SDOHCC-TaskForReferralManagement"
)


@pytest.fixture
def referrals_in_every_state(caseworker):
    parent = TaxonomyTermFactory(code="community", name="Community")
    transport = TaxonomyTermFactory(
        code="transportation", name="Transportation", parent=parent
    )
    unmapped = TaxonomyTermFactory(code="brand-new-type", name="Something new")
    services = [
        ServiceFactory(taxonomy_terms=[transport]),
        ServiceFactory(taxonomy_terms=[unmapped]),
        ServiceFactory(taxonomy_terms=[]),
    ]
    client = ClientFactory(caseworker=caseworker, full_name="Ana María Ruiz Soto")
    made = []
    paths = {
        "sent": ["sent"],
        "declined": ["sent", "declined"],
        "cancelled": ["sent", "cancelled"],
        "no_response": ["sent", "no_response"],
        "completed": ["sent", "accepted", "completed"],
        "draft": [],
    }
    for index, steps in enumerate(paths.values()):
        referral = ReferralFactory(
            client=client, created_by=caseworker, service=services[index % 3]
        )
        for step in steps:
            note = "We have no driver in that area." if step == "declined" else ""
            referral.change_status(step, by=caseworker, note=note)
        made.append(referral)
    return made


def fetch(client, reference: str) -> dict:
    response = client.get(f"/api/fhir/{reference}")
    assert response.status_code == 200, (reference, response.content)
    return response.json()


def test_every_served_resource_conforms(client, caseworker, referrals_in_every_state):
    client.force_login(caseworker)
    followed = set()
    for referral in referrals_in_every_state:
        for kind, profile in [("ServiceRequest", SR_PROFILE), ("Task", TASK_PROFILE)]:
            resource = fetch(client, f"{kind}/{referral.pk}")
            assert profile in resource["meta"]["profile"]
            assert check(resource) == [], (kind, referral.status)
            for key in ("subject", "for", "requester", "owner"):
                if key in resource:
                    followed.add(resource[key]["reference"])
            for performer in resource.get("performer", []):
                followed.add(performer["reference"])
    kinds = {reference.split("/")[0] for reference in followed}
    assert kinds == {"Patient", "PractitionerRole", "HealthcareService", "Organization"}
    for reference in sorted(followed):
        resource = fetch(client, reference)
        assert check(resource) == [], reference
        if resource["resourceType"] == "PractitionerRole":
            for key in ("practitioner", "organization"):
                assert check(fetch(client, resource[key]["reference"])) == []


def test_codes_statuses_and_outputs(client, caseworker, referrals_in_every_state):
    client.force_login(caseworker)
    by_status = {r.status: r for r in referrals_in_every_state}
    sent = fetch(client, f"ServiceRequest/{by_status['sent'].pk}")
    snomed, own = sent["code"]["coding"]
    assert (snomed["system"], snomed["code"]) == ("http://snomed.info/sct", "41920009")
    assert own["code"] == "transportation"
    categories = [c["coding"][0]["code"] for c in sent["category"]]
    assert "transportation-insecurity" in categories
    # A type with no row of its own falls back to "Patient referral".
    other = fetch(client, f"ServiceRequest/{by_status['declined'].pk}")
    assert other["code"]["coding"][0]["code"] == "3457005"

    declined = fetch(client, f"Task/{by_status['declined'].pk}")
    assert declined["statusReason"]["text"] == "We have no driver in that area."
    for status in ("cancelled", "no_response"):
        task = fetch(client, f"Task/{by_status[status].pk}")
        assert task["statusReason"]["text"]
    completed = fetch(client, f"Task/{by_status['completed'].pk}")
    (output,) = completed["output"]
    assert output["type"]["coding"][0]["code"] == "resulting-activity"
    assert output["valueCodeableConcept"]["coding"][0]["system"] == (
        "http://snomed.info/sct"
    )
    assert "output" not in fetch(client, f"Task/{by_status['sent'].pk}")


def test_patient_meets_us_core(client, caseworker, referrals_in_every_state):
    client.force_login(caseworker)
    patient_id = referrals_in_every_state[0].client_id
    patient = fetch(client, f"Patient/{patient_id}")
    assert patient["gender"] == "unknown"
    assert patient["name"][0]["family"] == "Soto"
    assert patient["name"][0]["given"] == ["Ana", "María", "Ruiz"]


def test_the_checker_finds_what_is_wrong(client, caseworker, referrals_in_every_state):
    """The rules are not vacuous: breaking a served resource breaks the check."""
    client.force_login(caseworker)
    by_status = {r.status: r for r in referrals_in_every_state}
    task = fetch(client, f"Task/{by_status['declined'].pk}")
    broken = copy.deepcopy(task)
    del broken["statusReason"]
    broken["requester"] = {"reference": "Practitioner/1"}
    broken["intent"] = "plan"
    problems = check(broken)
    assert any("statusReason.text" in p for p in problems)
    assert any("requester" in p for p in problems)
    assert any("intent" in p for p in problems)

    request = fetch(client, f"ServiceRequest/{by_status['sent'].pk}")
    broken = copy.deepcopy(request)
    broken["code"]["coding"] = broken["code"]["coding"][1:]
    broken["category"][0]["coding"][0]["code"] = "not-a-category"
    problems = check(broken)
    assert any("code.coding" in p for p in problems)
    assert any("not-a-category" in p for p in problems)


def test_rules_cover_every_profile_the_capability_statement_names(client, db):
    statement = client.get(reverse("fhir_api:metadata")).json()
    named = {
        profile
        for resource in statement["rest"][0]["resource"]
        for profile in resource.get("supportedProfile", [])
    }
    assert named <= set(PROFILES)
    assert any(
        "sdoh-clinicalcare" in guide for guide in statement["implementationGuide"]
    )

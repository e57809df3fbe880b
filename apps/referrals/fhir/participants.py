"""Who takes part in a referral, as FHIR resources a partner can fetch: the client
(US Core Patient), the caseworker (US Core Practitioner, and an SDOHCC
PractitionerRole at their team), the team (US Core Organization), and the
directory's service and organisation (HealthcareService, Organization).

Ids: Patient/<client id>, Practitioner/<user id>, PractitionerRole/<user id>,
Organization/team-<team id> for a CareNav team, Organization/<uuid> and
HealthcareService/<uuid> for the directory (its HSDS ids).
"""

from django.conf import settings

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition"
SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition"
PROFILES = {
    "Patient": f"{US_CORE}/us-core-patient|7.0.0",
    "Practitioner": f"{US_CORE}/us-core-practitioner|7.0.0",
    "PractitionerRole": f"{SDOHCC}/SDOHCC-practitionerrole",
    "Organization": f"{US_CORE}/us-core-organization|7.0.0",
    "ServiceRequest": f"{SDOHCC}/SDOHCC-ServiceRequest",
    "Task": f"{SDOHCC}/SDOHCC-TaskForReferralManagement",
}
TEAM_PREFIX = "team-"
# CareNav itself, the organisation of staff who belong to no team (administrators).
CARENAV_ORGANIZATION_ID = "carenav"


def system(name: str) -> str:
    """A URI naming one of CareNav's own code systems or identifier spaces."""
    return f"{settings.SITE_URL}/api/fhir/{name}"


def meta(resource_type: str) -> dict:
    return {"profile": [PROFILES[resource_type]]}


def human_name(full_name: str, fallback: str) -> dict:
    """A HumanName from one free-text name: the last word as family name."""
    words = (full_name or "").split()
    if not words:
        return {"text": fallback, "family": fallback}
    name = {"text": " ".join(words), "family": words[-1]}
    if len(words) > 1:
        name["given"] = words[:-1]
    return name


def patient_reference(client) -> dict:
    return {"reference": f"Patient/{client.pk}", "display": client.full_name}


def practitioner_role_reference(user) -> dict:
    return {
        "reference": f"PractitionerRole/{user.pk}",
        "display": user.full_name or "CareNav caseworker",
    }


def healthcare_service_reference(service) -> dict:
    return {"reference": f"HealthcareService/{service.id}", "display": service.name}


def organization_reference(org) -> dict:
    return {"reference": f"Organization/{org.id}", "display": org.name}


def team_reference(team) -> dict:
    if team is None:
        return {
            "reference": f"Organization/{CARENAV_ORGANIZATION_ID}",
            "display": "CareNav",
        }
    return {"reference": f"Organization/{TEAM_PREFIX}{team.pk}", "display": team.name}


def patient(client) -> dict:
    resource = {
        "resourceType": "Patient",
        "id": str(client.pk),
        "meta": meta("Patient"),
        "identifier": [{"system": system("client"), "value": str(client.pk)}],
        "name": [human_name(client.full_name, "Unknown")],
        "gender": client.gender,
    }
    telecom = []
    if client.phone:
        telecom.append({"system": "phone", "value": client.phone})
    if client.email:
        telecom.append({"system": "email", "value": client.email})
    if telecom:
        resource["telecom"] = telecom
    if client.date_of_birth:
        resource["birthDate"] = client.date_of_birth.isoformat()
    if client.zip_code:
        resource["address"] = [{"postalCode": client.zip_code, "country": "US"}]
    if client.preferred_language:
        resource["communication"] = [
            {
                "language": {
                    "coding": [
                        {
                            "system": "urn:ietf:bcp:47",
                            "code": client.preferred_language,
                        }
                    ]
                },
                "preferred": True,
            }
        ]
    return resource


def practitioner(user) -> dict:
    return {
        "resourceType": "Practitioner",
        "id": str(user.pk),
        "meta": meta("Practitioner"),
        "identifier": [{"system": system("staff"), "value": str(user.pk)}],
        "active": user.is_active,
        "name": [human_name(user.full_name, "Caseworker")],
    }


def practitioner_role(user) -> dict:
    resource = {
        "resourceType": "PractitionerRole",
        "id": str(user.pk),
        "meta": meta("PractitionerRole"),
        "active": user.is_active,
        "practitioner": {
            "reference": f"Practitioner/{user.pk}",
            "display": user.full_name or "CareNav caseworker",
        },
        "code": [{"text": user.get_role_display() or "Administrator"}],
    }
    resource["organization"] = team_reference(user.team if user.team_id else None)
    if user.email:
        resource["telecom"] = [{"system": "email", "value": user.email}]
    return resource


def team_organization(team) -> dict:
    """A CareNav team, or CareNav itself when ``team`` is None."""
    return {
        "resourceType": "Organization",
        "id": f"{TEAM_PREFIX}{team.pk}" if team else CARENAV_ORGANIZATION_ID,
        "meta": meta("Organization"),
        "identifier": [
            {"system": system("team"), "value": str(team.pk) if team else "carenav"}
        ],
        "active": True,
        "name": team.name if team else "CareNav",
    }


def directory_organization(org) -> dict:
    resource = {
        "resourceType": "Organization",
        "id": str(org.id),
        "meta": meta("Organization"),
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{org.id}"}],
        "active": True,
        "name": org.name,
    }
    telecom = []
    if org.email:
        telecom.append({"system": "email", "value": org.email})
    if org.website:
        telecom.append({"system": "url", "value": org.website})
    if telecom:
        resource["telecom"] = telecom
    return resource


def healthcare_service(service) -> dict:
    resource = {
        "resourceType": "HealthcareService",
        "id": str(service.id),
        "identifier": [
            {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{service.id}"}
        ],
        "active": service.status == "active",
        "providedBy": organization_reference(service.organization),
        "name": service.name,
        "appointmentRequired": False,
    }
    types = [
        {
            "coding": [
                {"system": system("CodeSystem/care-service-type"), "code": t.code}
            ],
            "text": t.name,
        }
        for t in service.taxonomy_terms.all()
    ]
    if types:
        resource["type"] = types
    if service.description:
        resource["comment"] = service.description[:1000]
    telecom = [{"system": "phone", "value": p.number} for p in service.phones.all()]
    if service.email:
        telecom.append({"system": "email", "value": service.email})
    if service.url:
        telecom.append({"system": "url", "value": service.url})
    if telecom:
        resource["telecom"] = telecom
    if service.eligibility_description:
        resource["eligibility"] = [{"comment": service.eligibility_description}]
    return resource

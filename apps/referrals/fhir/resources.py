"""Referrals as FHIR R4 resources: a ServiceRequest (what is asked, for whom, of whom)
and a Task (where the request stands in its workflow).

The resources are plain dicts in FHIR's JSON shape; the tests check them with the
fhir.resources models (its R4B package: R4B changed nothing in these two resources).
The client travels as a contained Patient, so each resource stands on its own.
Internal notes never leave CareNav.
"""

from datetime import UTC, date, datetime

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from apps.directory.hsds.mapping import taxonomy_id
from apps.directory.models import TaxonomyTerm
from apps.referrals.models import Note, Referral, ReferralEvent

Status = Referral.Status

# CareNav status -> ServiceRequest.status (http://hl7.org/fhir/request-status).
REQUEST_STATUS = {
    Status.DRAFT: "draft",
    Status.SENT: "active",
    Status.ACCEPTED: "active",
    Status.SCHEDULED: "active",
    Status.COMPLETED: "completed",
    Status.DECLINED: "revoked",
    Status.CANCELLED: "revoked",
    Status.NO_RESPONSE: "revoked",
}

# CareNav status -> Task.status (http://hl7.org/fhir/task-status).
TASK_STATUS = {
    Status.DRAFT: "draft",
    Status.SENT: "requested",
    Status.ACCEPTED: "accepted",
    Status.SCHEDULED: "in-progress",
    Status.COMPLETED: "completed",
    Status.DECLINED: "rejected",
    Status.CANCELLED: "cancelled",
    Status.NO_RESPONSE: "failed",
}

# CareNav urgency -> priority (http://hl7.org/fhir/request-priority).
PRIORITY = {
    Referral.Urgency.ROUTINE: "routine",
    Referral.Urgency.SOON: "urgent",
    Referral.Urgency.URGENT: "asap",
}

TERMINAL = {
    Status.COMPLETED,
    Status.DECLINED,
    Status.CANCELLED,
    Status.NO_RESPONSE,
}
REFERRAL_CATEGORY = {
    "coding": [
        {
            "system": "http://snomed.info/sct",
            "code": "3457005",
            "display": "Patient referral",
        }
    ]
}
TASK_CODE = {
    "coding": [
        {
            "system": "http://hl7.org/fhir/CodeSystem/task-code",
            "code": "fulfill",
            "display": "Fulfill the focal request",
        }
    ]
}
PATIENT_ID = "patient"
# When what this server offers last changed (CapabilityStatement.date).
CAPABILITIES_DATE = "2026-11-22"


def system(name: str) -> str:
    """A URI naming one of CareNav's own code systems or identifier spaces."""
    return f"{settings.SITE_URL}/api/fhir/{name}"


def instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def day(value: date) -> str:
    return value.isoformat()


def service_requests(user) -> QuerySet:
    """The referrals this user may read, with what a ServiceRequest shows."""
    return (
        Referral.objects.visible_to(user)
        .select_related("client", "service__organization", "location", "created_by")
        .prefetch_related(
            Prefetch(
                "service__taxonomy_terms",
                queryset=TaxonomyTerm.objects.order_by("name"),
            ),
            Prefetch(
                "notes",
                queryset=Note.objects.shared().select_related("author"),
                to_attr="shared_notes",
            ),
        )
        .order_by("-updated_at", "-pk")
    )


def tasks(user) -> QuerySet:
    """The referrals this user may read, with what a Task shows."""
    return (
        Referral.objects.visible_to(user)
        .select_related("client", "service__organization", "created_by")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ReferralEvent.objects.order_by("at", "pk"),
                to_attr="timeline",
            )
        )
        .order_by("-updated_at", "-pk")
    )


def patient(client) -> dict:
    resource = {
        "resourceType": "Patient",
        "id": PATIENT_ID,
        "identifier": [{"system": system("client"), "value": str(client.pk)}],
        "name": [{"text": client.full_name}],
    }
    telecom = []
    if client.phone:
        telecom.append({"system": "phone", "value": client.phone})
    if client.email:
        telecom.append({"system": "email", "value": client.email})
    if telecom:
        resource["telecom"] = telecom
    if client.date_of_birth:
        resource["birthDate"] = day(client.date_of_birth)
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
        "type": "Practitioner",
        "identifier": {"system": system("staff"), "value": str(user.pk)},
        "display": user.full_name or "CareNav staff member",
    }


def healthcare_service(service) -> dict:
    # HSDS ids are UUIDs, so the directory's id is the identifier.
    return {
        "type": "HealthcareService",
        "identifier": {
            "system": "urn:ietf:rfc:3986",
            "value": f"urn:uuid:{service.id}",
        },
        "display": service.name,
    }


def organization(org) -> dict:
    return {
        "type": "Organization",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{org.id}"},
        "display": org.name,
    }


def identifier(referral) -> list[dict]:
    return [{"system": system("referral"), "value": str(referral.pk)}]


def service_request(referral: Referral) -> dict:
    """A referral as a ServiceRequest (from a service_requests() queryset)."""
    service = referral.service
    code = {
        "text": service.name,
        "coding": [
            {
                # The HSDS taxonomy the term comes from, by its id in /api/hsds/.
                "system": f"urn:uuid:{taxonomy_id(term.taxonomy)}",
                "code": term.code,
                "display": term.name,
            }
            for term in service.taxonomy_terms.all()
        ],
    }
    if not code["coding"]:
        del code["coding"]
    resource = {
        "resourceType": "ServiceRequest",
        "id": str(referral.pk),
        "meta": {"lastUpdated": instant(referral.updated_at)},
        "contained": [patient(referral.client)],
        "identifier": identifier(referral),
        "status": REQUEST_STATUS[referral.status],
        "intent": "order",
        "category": [REFERRAL_CATEGORY],
        "priority": PRIORITY[referral.urgency],
        "code": code,
        "subject": {"reference": f"#{PATIENT_ID}"},
        "authoredOn": instant(referral.sent_at or referral.created_at),
        "requester": practitioner(referral.created_by),
        "performer": [healthcare_service(service), organization(service.organization)],
        "reasonCode": [{"text": referral.reason}],
    }
    if referral.appointment_at:
        resource["occurrenceDateTime"] = instant(referral.appointment_at)
    elif referral.follow_up_on:
        resource["occurrencePeriod"] = {"end": day(referral.follow_up_on)}
    if referral.location:
        resource["locationReference"] = [
            {
                "type": "Location",
                "identifier": {
                    "system": "urn:ietf:rfc:3986",
                    "value": f"urn:uuid:{referral.location.id}",
                },
                "display": str(referral.location),
            }
        ]
    notes = [
        {
            "authorString": note.author.full_name or "CareNav staff member",
            "time": instant(note.created_at),
            "text": note.text,
        }
        for note in referral.shared_notes
    ]
    if notes:
        resource["note"] = notes
    return resource


def task(referral: Referral) -> dict:
    """A referral's workflow as a Task (from a tasks() queryset)."""
    service = referral.service
    resource = {
        "resourceType": "Task",
        "id": str(referral.pk),
        "meta": {"lastUpdated": instant(referral.updated_at)},
        "contained": [patient(referral.client)],
        "identifier": identifier(referral),
        "basedOn": [{"reference": f"ServiceRequest/{referral.pk}"}],
        "status": TASK_STATUS[referral.status],
        "businessStatus": {
            "coding": [
                {
                    "system": system("CodeSystem/referral-status"),
                    "code": referral.status,
                    "display": referral.get_status_display(),
                }
            ],
            "text": referral.get_status_display(),
        },
        "intent": "order",
        "priority": PRIORITY[referral.urgency],
        "code": TASK_CODE,
        "focus": {"reference": f"ServiceRequest/{referral.pk}"},
        "for": {"reference": f"#{PATIENT_ID}"},
        "authoredOn": instant(referral.created_at),
        "lastModified": instant(referral.updated_at),
        "requester": practitioner(referral.created_by),
        "owner": healthcare_service(service),
    }
    period = {}
    if referral.sent_at:
        period["start"] = instant(referral.sent_at)
    if referral.status in TERMINAL:
        ended = [e.at for e in referral.timeline if e.to_status == referral.status]
        period["end"] = instant(ended[-1] if ended else referral.updated_at)
    if period:
        resource["executionPeriod"] = period
    if referral.follow_up_on:
        resource["restriction"] = {"period": {"end": day(referral.follow_up_on)}}
    return resource


def bundle(entries: list[tuple[str, dict]], self_url: str) -> dict:
    """A searchset Bundle of (full URL, resource) pairs."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(entries),
        "link": [{"relation": "self", "url": self_url}],
        "entry": [
            {"fullUrl": url, "resource": resource, "search": {"mode": "match"}}
            for url, resource in entries
        ],
    }


def operation_outcome(code: str, message: str) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": message}],
    }


def capability_statement(base_url: str) -> dict:
    def searchable(resource_type: str, params: list[tuple[str, str, str]]) -> dict:
        return {
            "type": resource_type,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": name, "type": kind, "documentation": text}
                for name, kind, text in params
            ],
        }

    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": CAPABILITIES_DATE,
        "kind": "instance",
        "software": {"name": "CareNav"},
        "implementation": {
            "description": "CareNav referrals, read-only",
            "url": base_url,
        },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Caseworkers, supervisors and administrators, "
                "signed in to CareNav, read the referrals they can see in CareNav.",
                "resource": [
                    searchable(
                        "ServiceRequest",
                        [
                            ("subject", "reference", "The client (Patient) referred."),
                            ("patient", "reference", "Same as subject."),
                        ],
                    ),
                    searchable(
                        "Task",
                        [
                            ("focus", "reference", "The referral's ServiceRequest."),
                            ("patient", "reference", "The client (Patient) referred."),
                        ],
                    ),
                ],
            }
        ],
    }

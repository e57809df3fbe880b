"""Referrals as FHIR R4 resources: a ServiceRequest (what is asked, for whom, of whom)
and a Task (where the request stands in its workflow).

The resources are plain dicts in FHIR's JSON shape; the tests check them with the
fhir.resources models (its R4B package: R4B changed nothing in these two resources).
They follow the HL7 SDOH Clinical Care profiles (SDOHCC ServiceRequest and SDOHCC
Task For Referral Management) on US Core 7.0.0: the client, the caseworker and the
service are references a partner can fetch (participants.py), what is asked is
coded in SNOMED CT (terminology.py). Internal notes never leave CareNav.
"""

from datetime import UTC, date, datetime

from django.db.models import Prefetch, QuerySet

from apps.directory.hsds.mapping import taxonomy_id
from apps.directory.models import TaxonomyTerm
from apps.referrals.models import Note, Referral, ReferralEvent

from . import participants, terminology
from .participants import system

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
                queryset=TaxonomyTerm.objects.select_related("parent").order_by("name"),
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
                "service__taxonomy_terms",
                queryset=TaxonomyTerm.objects.select_related("parent").order_by("name"),
            ),
            Prefetch(
                "events",
                queryset=ReferralEvent.objects.order_by("at", "pk"),
                to_attr="timeline",
            ),
        )
        .order_by("-updated_at", "-pk")
    )


def identifier(referral) -> list[dict]:
    return [{"system": system("referral"), "value": str(referral.pk)}]


def requested_codes(service) -> tuple[dict, list[dict]]:
    """ServiceRequest.code (SNOMED CT first, the care-service type second) and the
    SDOH categories, from the service's taxonomy terms."""
    terms = list(service.taxonomy_terms.all())
    mapped = [terminology.codes_for(term) for term in terms] or [
        terminology.codes_for(None)
    ]
    concept = mapped[0][0]
    coding = [terminology.snomed_coding(concept)]
    coding += [
        {
            # The HSDS taxonomy the term comes from, by its id in /api/hsds/.
            "system": f"urn:uuid:{taxonomy_id(term.taxonomy)}",
            "code": term.code,
            "display": term.name,
        }
        for term in terms
    ]
    categories = sorted({category for _, category in mapped if category}) or [""]
    return (
        {"coding": coding, "text": service.name},
        [terminology.sdoh_category(c) for c in categories],
    )


def service_request(referral: Referral) -> dict:
    """A referral as an SDOHCC ServiceRequest (from a service_requests() queryset)."""
    service = referral.service
    code, sdoh_categories = requested_codes(service)
    resource = {
        "resourceType": "ServiceRequest",
        "id": str(referral.pk),
        "meta": {
            "lastUpdated": instant(referral.updated_at),
            **participants.meta("ServiceRequest"),
        },
        "identifier": identifier(referral),
        "status": REQUEST_STATUS[referral.status],
        "intent": "order",
        "category": [*sdoh_categories, REFERRAL_CATEGORY],
        "priority": PRIORITY[referral.urgency],
        "code": code,
        "subject": participants.patient_reference(referral.client),
        "authoredOn": instant(referral.sent_at or referral.created_at),
        "requester": participants.practitioner_role_reference(referral.created_by),
        "performer": [
            participants.healthcare_service_reference(service),
            participants.organization_reference(service.organization),
        ],
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


# Why a Task stopped, when the service or the caseworker gave no words of their own.
STATUS_REASON = {
    Status.DECLINED: "The service declined the referral.",
    Status.CANCELLED: "The referral was cancelled.",
    Status.NO_RESPONSE: "The service did not answer the referral.",
}


def task(referral: Referral) -> dict:
    """A referral's workflow as an SDOHCC Task (from a tasks() queryset)."""
    service = referral.service
    resource = {
        "resourceType": "Task",
        "id": str(referral.pk),
        "meta": {
            "lastUpdated": instant(referral.updated_at),
            **participants.meta("Task"),
        },
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
        "for": participants.patient_reference(referral.client),
        "authoredOn": instant(referral.created_at),
        "lastModified": instant(referral.updated_at),
        "requester": participants.practitioner_role_reference(referral.created_by),
        "owner": participants.healthcare_service_reference(service),
    }
    ended = [e for e in referral.timeline if e.to_status == referral.status]
    last_event = ended[-1] if ended else None
    if referral.status in STATUS_REASON:
        text = (last_event.note if last_event else "") or STATUS_REASON[referral.status]
        resource["statusReason"] = {"text": text}
    if referral.status == Status.COMPLETED:
        code, _ = requested_codes(service)
        resource["output"] = [
            {
                "type": {
                    "coding": [
                        {
                            "system": terminology.SDOHCC_CODES,
                            "code": "resulting-activity",
                            "display": "Resulting Activity",
                        }
                    ]
                },
                "valueCodeableConcept": {"coding": code["coding"][:1]},
            }
        ]
    period = {}
    if referral.sent_at:
        period["start"] = instant(referral.sent_at)
    if referral.status in TERMINAL:
        period["end"] = instant(last_event.at if last_event else referral.updated_at)
    if period:
        resource["executionPeriod"] = period
    if referral.follow_up_on:
        resource["restriction"] = {"period": {"end": day(referral.follow_up_on)}}
    return resource


def operation_outcome(code: str, message: str) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": message}],
    }

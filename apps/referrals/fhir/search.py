"""FHIR search that says what it did: the one table of supported search parameters,
used both to apply them and to describe them in the CapabilityStatement.

A parameter that is not in the table is refused with a 400 (never ignored), the
Bundle's self link lists only what was applied, and results come in pages of
``_count`` with a ``next`` link.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from rest_framework import exceptions

from . import participants, smart
from .resources import REQUEST_STATUS, TASK_STATUS

DEFAULT_COUNT = 50
MAX_COUNT = 200
# When what this server offers last changed (CapabilityStatement.date).
CAPABILITIES_DATE = "2026-11-26"
# Parameters every search accepts; _format only in its JSON spellings.
COMMON = {"_count", "_page", "_format"}
JSON_FORMATS = {"json", "application/json", "application/fhir+json"}


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # FHIR search parameter type
    documentation: str


SEARCH_PARAMS = {
    "ServiceRequest": [
        Param("subject", "reference", "The client (Patient) referred."),
        Param("patient", "reference", "Same as subject."),
        Param("status", "token", "draft, active, revoked or completed; commas for or."),
    ],
    "Task": [
        Param("focus", "reference", "The referral's ServiceRequest."),
        Param("based-on", "reference", "Same as focus."),
        Param("patient", "reference", "The client (Patient) referred."),
        Param("subject", "reference", "Same as patient."),
        Param(
            "status",
            "token",
            "requested, accepted, in-progress, completed, rejected, cancelled or "
            "failed; commas for or.",
        ),
    ],
}
STATUS_MAPS = {"ServiceRequest": REQUEST_STATUS, "Task": TASK_STATUS}


def parse_reference(value: str, resource_type: str) -> int:
    """ "123" or "ResourceType/123" -> 123; anything else is a 400."""
    raw = value.removeprefix(f"{resource_type}/")
    if not raw.isdigit() or len(raw) > 18:
        raise exceptions.ParseError(
            f"Give a {resource_type} id, such as 42 or {resource_type}/42."
        )
    return int(raw)


def statuses(resource_type: str, value: str) -> list[str]:
    """CareNav statuses behind a FHIR status search (a comma means "or")."""
    mapping = STATUS_MAPS[resource_type]
    wanted = [code.strip() for code in value.split(",") if code.strip()]
    unknown = sorted(set(wanted) - set(mapping.values()))
    if unknown or not wanted:
        known = ", ".join(sorted(set(mapping.values())))
        raise exceptions.ParseError(f"Unknown status {unknown}: use one of {known}.")
    return [ours for ours, theirs in mapping.items() if theirs in wanted]


def check_parameters(resource_type: str, params) -> dict[str, str]:
    """The search's own parameters, after refusing any this server does not apply."""
    supported = {p.name for p in SEARCH_PARAMS[resource_type]}
    unknown = sorted(set(params) - supported - COMMON)
    if unknown:
        raise exceptions.ParseError(
            f"This server does not support the search parameter(s) "
            f"{', '.join(unknown)} on {resource_type}; it supports "
            f"{', '.join(sorted(supported | {'_count'}))}."
        )
    fmt = params.get("_format")
    if fmt is not None and fmt not in JSON_FORMATS:
        raise exceptions.ParseError("Only JSON is served (_format=json).")
    for name in params:
        if len(params.getlist(name)) > 1:
            raise exceptions.ParseError(f"Give {name} once (use commas for 'or').")
    return {name: params[name] for name in params if name in supported}


def page_size(params) -> int:
    raw = params.get("_count", str(DEFAULT_COUNT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_COUNT:
        raise exceptions.ParseError(f"_count must be a number from 1 to {MAX_COUNT}.")
    return int(raw)


def page_number(params) -> int:
    raw = params.get("_page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise exceptions.ParseError("_page must be a page number from 1.")
    return int(raw)


def page_link(base_url: str, applied: dict[str, str], count: int, page: int) -> str:
    query = {**applied, "_count": count}
    if page > 1:
        query["_page"] = page
    return f"{base_url}?{urlencode(query)}"


def bundle(
    entries: list[tuple[str, dict]],
    *,
    total: int,
    base_url: str,
    applied: dict[str, str],
    count: int,
    page: int,
) -> dict:
    """A searchset Bundle of (full URL, resource) pairs, one page of the matches."""
    links = [{"relation": "self", "url": page_link(base_url, applied, count, page)}]
    if page * count < total:
        links.append(
            {"relation": "next", "url": page_link(base_url, applied, count, page + 1)}
        )
    if page > 1:
        links.append(
            {
                "relation": "previous",
                "url": page_link(base_url, applied, count, page - 1),
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [
            {"fullUrl": url, "resource": resource, "search": {"mode": "match"}}
            for url, resource in entries
        ],
    }


def capability_statement(base_url: str) -> dict:
    """What this server answers, how to get a token, and which profiles it follows."""

    def resource(resource_type: str, search: bool = True) -> dict:
        entry = {"type": resource_type, "interaction": [{"code": "read"}]}
        if resource_type in participants.PROFILES:
            entry["supportedProfile"] = [participants.PROFILES[resource_type]]
        if search:
            entry["interaction"].append({"code": "search-type"})
            entry["searchParam"] = [
                {"name": p.name, "type": p.kind, "documentation": p.documentation}
                for p in SEARCH_PARAMS[resource_type]
            ] + [
                {
                    "name": "_count",
                    "type": "number",
                    "documentation": f"Results per page (1-{MAX_COUNT}).",
                }
            ]
        return entry

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
        "implementationGuide": [
            "http://hl7.org/fhir/us/sdoh-clinicalcare/ImplementationGuide/"
            "hl7.fhir.us.sdoh-clinicalcare|3.0.0",
            "http://hl7.org/fhir/us/core/ImplementationGuide/hl7.fhir.us.core|7.0.0",
        ],
        "rest": [
            {
                "mode": "server",
                "documentation": "Caseworkers, supervisors and administrators signed "
                "in to CareNav, and partner systems with a SMART Backend Services "
                "token, read the referrals they may see in CareNav.",
                "security": {
                    "cors": False,
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/"
                                    "restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "extension": [
                        {
                            "url": "http://fhir-registry.smarthealthit.org/"
                            "StructureDefinition/oauth-uris",
                            "extension": [
                                {"url": "token", "valueUri": smart.token_url()}
                            ],
                        }
                    ],
                    "description": "SMART Backend Services: a registered client "
                    "signs a JWT assertion (private_key_jwt, RS384 or ES384) and "
                    "exchanges it at the token endpoint (client_credentials) for a "
                    "short-lived bearer token with system/ scopes. See "
                    ".well-known/smart-configuration.",
                },
                "resource": [
                    resource("ServiceRequest"),
                    resource("Task"),
                    resource("Patient", search=False),
                    resource("Practitioner", search=False),
                    resource("PractitionerRole", search=False),
                    resource("Organization", search=False),
                    resource("HealthcareService", search=False),
                ],
            }
        ],
    }

"""Codes a referral carries to other systems: CareNav's care-service taxonomy mapped
to SNOMED CT (the code system US Core requires for what a ServiceRequest asks) and
to the SDOH Clinical Care categories.

The table is the one place the mapping lives. Each SNOMED CT concept below was
checked against a SNOMED CT browser (concept id, fully specified name, active) on
2026-11-26. Where no narrower concept fits a type, the type maps to the broadest
true concept ("Patient referral") rather than to a guess; a new taxonomy term
takes its parent's codes until a row is added for it.
"""

from dataclasses import dataclass

SNOMED = "http://snomed.info/sct"
SDOHCC_CODES = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"


@dataclass(frozen=True)
class Concept:
    code: str
    display: str


PATIENT_REFERRAL = Concept("3457005", "Patient referral")
MEDICAL_CONSULTATION = Concept("54395008", "Patient referral for medical consultation")
CONSULTATION = Concept("44383000", "Patient referral for consultation")
NON_PHYSICIAN = Concept("103698003", "Patient referral to non-physician provider")
DIETITIAN = Concept("103699006", "Patient referral to dietitian")
PALLIATIVE_CARE = Concept("103735009", "Palliative care")
SOCIAL_SERVICES = Concept("306238000", "Referral to Social Services")
SOCIOECONOMIC = Concept("41920009", "Patient referral for socioeconomic factors")

# taxonomy code -> (SNOMED CT concept, SDOH category code or "")
TAXONOMY_TO_CODES: dict[str, tuple[Concept, str]] = {
    "medical-care": (MEDICAL_CONSULTATION, ""),
    "als-clinic": (MEDICAL_CONSULTATION, ""),
    "ms-centre": (MEDICAL_CONSULTATION, ""),
    "neurology": (MEDICAL_CONSULTATION, ""),
    "pulmonology": (MEDICAL_CONSULTATION, ""),
    "gastroenterology": (MEDICAL_CONSULTATION, ""),
    "genetic-counselling": (CONSULTATION, ""),
    "clinical-trials": (MEDICAL_CONSULTATION, ""),
    "therapy": (NON_PHYSICIAN, ""),
    "speech-language": (NON_PHYSICIAN, ""),
    "physical-therapy": (NON_PHYSICIAN, ""),
    "occupational-therapy": (NON_PHYSICIAN, ""),
    "dietitian": (DIETITIAN, ""),
    "mental-health": (NON_PHYSICIAN, "stress"),
    "equipment": (PATIENT_REFERRAL, "material-hardship"),
    "equipment-loan": (PATIENT_REFERRAL, "material-hardship"),
    "aac": (PATIENT_REFERRAL, "material-hardship"),
    "home-modifications": (PATIENT_REFERRAL, "inadequate-housing"),
    "care-at-home": (PATIENT_REFERRAL, ""),
    "home-care": (PATIENT_REFERRAL, ""),
    "respite": (PATIENT_REFERRAL, "stress"),
    "palliative-care": (PALLIATIVE_CARE, ""),
    "community": (SOCIAL_SERVICES, ""),
    "social-work": (SOCIAL_SERVICES, ""),
    "support-group": (PATIENT_REFERRAL, "social-connection"),
    "legal-benefits": (SOCIOECONOMIC, "financial-insecurity"),
    "transportation": (SOCIOECONOMIC, "transportation-insecurity"),
}

SDOH_DISPLAY = {
    "sdoh-category-unspecified": "SDOH Category Unspecified",
    "stress": "Stress",
    "material-hardship": "Material Hardship",
    "inadequate-housing": "Inadequate Housing",
    "social-connection": "Social Connection",
    "financial-insecurity": "Financial Insecurity",
    "transportation-insecurity": "Transportation Insecurity",
}


def codes_for(term) -> tuple[Concept, str]:
    """The SNOMED CT concept and SDOH category of a taxonomy term (or its parent)."""
    while term is not None:
        if term.code in TAXONOMY_TO_CODES:
            return TAXONOMY_TO_CODES[term.code]
        term = term.parent
    return PATIENT_REFERRAL, ""


def snomed_coding(concept: Concept) -> dict:
    return {"system": SNOMED, "code": concept.code, "display": concept.display}


def sdoh_category(code: str) -> dict:
    code = code or "sdoh-category-unspecified"
    return {
        "coding": [
            {"system": SDOHCC_CODES, "code": code, "display": SDOH_DISPLAY[code]}
        ]
    }

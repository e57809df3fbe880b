"""Checks a FHIR resource against the profile rules in fhir_profile_rules.json and
against the R4 models of fhir.resources (its R4B package, identical for these
resources). Returns the list of problems, empty when the resource conforms."""

import json
from pathlib import Path

from fhir.resources.R4B import get_fhir_model_class

RULES = json.loads((Path(__file__).parent / "fhir_profile_rules.json").read_text())
VALUE_SETS = RULES["_value_sets"]
PROFILES = RULES["profiles"]


def values(node, path: str) -> list:
    """Every value at a dotted path, walking lists."""
    found = [node]
    for part in path.split("."):
        nxt = []
        for item in found:
            value = item.get(part) if isinstance(item, dict) else None
            if isinstance(value, list):
                nxt.extend(value)
            elif value is not None:
                nxt.append(value)
        found = nxt
    return found


def reference_type(reference: dict) -> str:
    return reference.get("reference", "").split("/", 1)[0]


def check_profile(resource: dict, profile_url: str) -> list[str]:
    rule = PROFILES[profile_url]
    problems = []
    if resource.get("resourceType") != rule["resourceType"]:
        return [f"not a {rule['resourceType']}"]
    for path in rule.get("required", []):
        if not values(resource, path):
            problems.append(f"{path} is required")
    for path in rule.get("absent", []):
        if values(resource, path):
            problems.append(f"{path} must be absent")
    for path, expected in rule.get("fixed", {}).items():
        if resource.get(path) != expected:
            problems.append(f"{path} must be {expected!r}")
    for path, (system, code) in rule.get("fixed_coding", {}).items():
        if not any(
            c.get("system") == system and c.get("code") == code
            for c in values(resource, path)
        ):
            problems.append(f"{path} must hold {system}#{code}")
    for path, value_set in rule.get("value_in", {}).items():
        for value in values(resource, path):
            if value not in VALUE_SETS[value_set]:
                problems.append(f"{path} {value!r} is not in {value_set}")
    for path, value_set in rule.get("one_coding_from", {}).items():
        systems = {c.get("system") for c in values(resource, path)}
        if not systems & set(VALUE_SETS[value_set]):
            problems.append(f"{path} needs a coding from {value_set}")
    for binding in rule.get("codes_in", []):
        for coding in values(resource, binding["path"]):
            if (
                coding.get("system") == binding["system"]
                and coding.get("code") not in VALUE_SETS[binding["value_set"]]
            ):
                problems.append(f"{binding['path']} {coding.get('code')!r} not bound")
    for path, allowed in rule.get("reference_targets", {}).items():
        for reference in values(resource, path):
            if reference_type(reference) not in allowed:
                problems.append(f"{path} must reference one of {allowed}")
    for name, choices in rule.get("choice_only", {}).items():
        for key in resource:
            if key.startswith(name) and key not in choices:
                problems.append(f"{key} is not an allowed {name}[x]")
    for condition in rule.get("required_when", []):
        if resource.get(condition["field"]) in condition["values"] and not values(
            resource, condition["path"]
        ):
            problems.append(
                f"{condition['path']} is required when {condition['field']} is "
                f"{resource.get(condition['field'])}"
            )
    for path, keys in rule.get("each_has_one_of", {}).items():
        for item in values(resource, path):
            if not any(item.get(key) for key in keys):
                problems.append(f"each {path} needs one of {keys}")
    value_set = rule.get("output_resulting_activity_codes")
    if value_set:
        for output in resource.get("output", []):
            codes = [c.get("code") for c in values(output, "type.coding")]
            if "resulting-activity" in codes:
                systems = {
                    c.get("system")
                    for c in values(output, "valueCodeableConcept.coding")
                }
                if not systems & set(VALUE_SETS[value_set]):
                    problems.append("output resulting-activity needs a procedure code")
    return problems


def check(resource: dict) -> list[str]:
    """Base R4 validity, then every profile the resource claims in meta.profile."""
    problems = []
    try:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except Exception as error:  # the model's own message says what is wrong
        problems.append(f"R4: {error}")
    for profile_url in resource.get("meta", {}).get("profile", []):
        if profile_url not in PROFILES:
            problems.append(f"unknown profile {profile_url}")
            continue
        problems += check_profile(resource, profile_url)
    return problems

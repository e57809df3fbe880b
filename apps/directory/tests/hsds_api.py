"""The HSDS JSON Schemas, a fresh rate limit and a small directory, for the API tests
(test_api_hsds.py, test_api_hsds_limits.py)."""

import copy
import json
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.urls import reverse
from jsonschema import Draft202012Validator
from referencing import Resource
from referencing.jsonschema import DRAFT202012

from apps.directory.hsds import schemas as hsds_schemas

# The object schemas (and the Page envelope) come with the HSDS import/export; the
# compiled list schemas the API's lists follow are kept next to the API.
COMPILED_DIR = Path(__file__).resolve().parents[1] / "api" / "hsds_schema" / "compiled"
REGISTRY = hsds_schemas.registry().with_resources(
    (
        f"compiled/{path.name}",
        Resource.from_contents(
            json.loads(path.read_text()), default_specification=DRAFT202012
        ),
    )
    for path in COMPILED_DIR.glob("*.json")
)
PAGE_SCHEMA = json.loads((hsds_schemas.SCHEMA_DIR / "page.json").read_text())
PAGE_KEYS = set(PAGE_SCHEMA["properties"]) | {"contents"}


# jsonschema checks uuid and email itself; date-time and uri need optional packages,
# so they are checked here with the standard library.
FORMATS = copy.deepcopy(Draft202012Validator.FORMAT_CHECKER)


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value) -> bool:
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        return "T" in value and parsed.tzinfo is not None
    return True


@FORMATS.checks("uri")
def is_uri(value) -> bool:
    if isinstance(value, str):
        parts = urlsplit(value)
        return bool(parts.scheme and (parts.netloc or parts.path))
    return True


def assert_valid(instance, schema_name: str) -> None:
    """Validate against one HSDS schema, formats (uuid, email, date-time, uri) too."""
    validator = Draft202012Validator(
        {"$ref": schema_name}, registry=REGISTRY, format_checker=FORMATS
    )
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(instance)
    ]
    assert not errors, errors


def assert_page(data, item_schema: str) -> None:
    Draft202012Validator(PAGE_SCHEMA).validate(data)
    assert set(data) == PAGE_KEYS
    assert data["size"] == len(data["contents"])
    for item in data["contents"]:
        assert_valid(item, item_schema)


def get(client, name, *args, **params):
    return client.get(reverse(f"hsds_api:{name}", args=args), params)

"""The HSDS 3.0 JSON Schemas, for checking JSON against them.

The schema files refer to each other by file name (``"$ref": "phone.json"``) and
carry no ``$id``, so each is registered under its file name in a ``referencing``
registry, as JSON Schema draft 2020-12. Needs ``jsonschema`` (a development
dependency).
"""

import json
from functools import cache
from pathlib import Path

SCHEMA_DIR = Path(__file__).parent / "spec" / "schema"


@cache
def registry(folder: Path = SCHEMA_DIR):
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = [
        (
            path.name,
            Resource.from_contents(
                json.loads(path.read_text(encoding="utf-8")),
                default_specification=DRAFT202012,
            ),
        )
        for path in sorted(folder.glob("*.json"))
    ]
    return Registry().with_resources(resources)


def validator(schema: dict, folder: Path = SCHEMA_DIR):
    """A validator of ``schema``, which may refer to the HSDS files by name."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(
        schema,
        registry=registry(folder),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def page_schema(item: str) -> dict:
    """An HSDS API Page whose contents are objects of the named schema.

    The Page envelope is written in (it comes from the HSDS OpenAPI file, not from
    a schema file), so the HSDS schema folder itself can be used as it is.
    """
    page = json.loads((SCHEMA_DIR / "page.json").read_text(encoding="utf-8"))
    return {
        "allOf": [page],
        "type": "object",
        "required": ["contents"],
        "properties": {
            "contents": {"type": "array", "items": {"$ref": f"{item}.json"}}
        },
    }


def errors(document, schema: dict, folder: Path = SCHEMA_DIR) -> list[str]:
    """Every way the document breaks the schema, as "path: message" lines."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(top)'}: "
        f"{error.message}"
        for error in validator(schema, folder).iter_errors(document)
    ]

"""Writing the directory as an HSDS 3.0 CSV datapackage: one file per table
CareNav holds, with every HSDS column of that table (empty where CareNav holds
nothing), and a ``datapackage.json`` built from the HSDS descriptor, cut down to
those tables. The values are written as the JSON export writes them (exporter.py)."""

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from django.utils import timezone

from apps.core.bulk import ProgressFactory, no_progress
from apps.directory.models import Service, TaxonomyTerm

from .exporter import (
    attribute_rows,
    canonical_datapackage,
    counted,
    csv_cell,
    hsds_datetime,
    plain_columns,
    write_atomically,
)
from .mapping import (
    FACTS,
    FACTS_TAXONOMY,
    TABLES_BY_NAME,
    fact_term_object,
    taxonomy_id,
    taxonomy_object,
)

CSV_TABLES = (
    "organization",
    "service",
    "attribute",
    "service_at_location",
    "location",
    "phone",
    "address",
    "schedule",
    "language",
    "taxonomy_term",
    "taxonomy",
)


def _model_rows(table_name: str, extra: tuple[str, ...] = ()) -> Iterator[dict]:
    table = TABLES_BY_NAME[table_name]
    pairs = [*plain_columns(table_name), *((name, name) for name in extra)]
    attributes = [attribute for _column, attribute in pairs]
    rows = table.model.objects.order_by("pk").values_list("pk", *attributes)
    for values in rows.iterator(chunk_size=2000):
        row = {"id": values[0]}
        row.update(zip([column for column, _a in pairs], values[1:], strict=True))
        yield row


def _taxonomy_term_rows() -> Iterator[dict]:
    for row in _model_rows("taxonomy_term"):
        if row["taxonomy"]:
            row["taxonomy_id"] = taxonomy_id(row["taxonomy"])
        yield row
    for fact in FACTS:
        yield fact_term_object(fact)


def _taxonomy_rows() -> Iterator[dict]:
    names = (
        TaxonomyTerm.objects.exclude(taxonomy="")
        .order_by("taxonomy")
        .values_list("taxonomy", flat=True)
        .distinct()
    )
    for name in names:
        yield taxonomy_object(name)
    yield FACTS_TAXONOMY


def _attribute_rows() -> Iterator[dict]:
    services = (
        Service.objects.only(*(fact.field for fact in FACTS))
        .prefetch_related("taxonomy_terms")
        .order_by("pk")
    )
    for service in services.iterator(chunk_size=2000):
        yield from attribute_rows(service, service.taxonomy_terms.all())


ROW_SOURCES = {
    "organization": lambda: _model_rows("organization"),
    "service": lambda: _model_rows("service", extra=("last_modified",)),
    "attribute": _attribute_rows,
    "service_at_location": lambda: _model_rows("service_at_location"),
    "location": lambda: _model_rows("location"),
    "phone": lambda: _model_rows("phone"),
    "address": lambda: _model_rows("address"),
    "schedule": lambda: _model_rows("schedule"),
    "language": lambda: _model_rows("language"),
    "taxonomy_term": _taxonomy_term_rows,
    "taxonomy": _taxonomy_rows,
}


def datapackage_descriptor() -> dict:
    canonical = canonical_datapackage()
    resources = [
        json.loads(json.dumps(resource))
        for resource in canonical["resources"]
        if resource["name"] in CSV_TABLES
    ]
    for resource in resources:
        keys = [
            key
            for key in resource["schema"].get("foreignKeys", [])
            if key["reference"]["resource"] in CSV_TABLES
        ]
        if keys:
            resource["schema"]["foreignKeys"] = keys
        else:
            resource["schema"].pop("foreignKeys", None)
    return {
        "name": "carenav-directory",
        "title": "CareNav care-service directory",
        "description": (
            "The CareNav directory as an HSDS 3.0 tabular data package. CareNav's "
            "own details of each service (diseases known well, referrals, "
            "telehealth, last verified) are attributes with terms of the "
            f"{FACTS_TAXONOMY['name']} taxonomy."
        ),
        "profile": "tabular-data-package",
        "created": hsds_datetime(timezone.now()),
        "resources": resources,
    }


def export_csv(folder: Path, progress: ProgressFactory = no_progress) -> dict[str, int]:
    """Write the CSV datapackage; returns the number of rows in each file."""
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = datapackage_descriptor()
    written = {}
    for resource in descriptor["resources"]:
        columns = [column["name"] for column in resource["schema"]["fields"]]
        rows = counted(
            ROW_SOURCES[resource["name"]](),
            progress(desc=f"Writing {resource['path']}", unit="rows"),
        )
        count = 0

        def write(handle, rows=rows, columns=columns):
            nonlocal count
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([csv_cell(row.get(column)) for column in columns])
                count += 1

        write_atomically(folder / resource["path"], write)
        written[resource["path"]] = count
    write_atomically(
        folder / "datapackage.json",
        lambda handle: handle.write(json.dumps(descriptor, indent=2) + "\n"),
    )
    return written

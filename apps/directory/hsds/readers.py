"""Reading HSDS 3.0 files into flat rows, one per HSDS object.

Two serialisations are read:

- the Tabular Data Package: a folder with ``datapackage.json`` and one CSV per table,
  rows referring to each other by id;
- JSON in the shapes of the HSDS API: one object, a list of objects, a ``Page``
  envelope (``contents``), or the ``{"services.csv": [...]}`` tabular shape. Nested
  objects are unfolded into rows of their own tables, and the nesting gives the
  reference (a phone inside a service gets that service's ``service_id``). The same
  object may appear in several places (a phone of a service and of its location): the
  copies are merged into one row (values missing from the first copy are taken from
  the others; references must agree).

A file that cannot be read as a whole (not UTF-8, not CSV or JSON at all, a required
column missing, a resource missing) raises ``HSDSFileError`` with a one-line message.
Problems of single rows are left to validation.
"""

import codecs
import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .mapping import HSDS_TABLES, TABLES_BY_CSV, TABLES_BY_NAME, Table


class HSDSFileError(Exception):
    """A file that cannot be read at all (the message is one line, for people)."""


@dataclass
class Record:
    table: str
    source: str  # file name
    row: str  # "row 3" in a CSV, a path such as "contents[0].phones[1]" in JSON
    data: dict = field(default_factory=dict)
    # JSON copies of one object are merged; CSV rows with the same id are an error.
    mergeable: bool = False
    error: str = ""
    # Position in reading order, so problems are reported in the order of the files.
    seq: int = 0

    @property
    def where(self) -> str:
        return f"{self.source}, {self.row}"


@dataclass
class Batch:
    """Everything read from the given paths."""

    records: list[Record] = field(default_factory=list)
    # Rows or objects of tables CareNav does not hold, by HSDS table name.
    not_held: Counter = field(default_factory=Counter)
    # CSV files of a datapackage for tables CareNav does not hold.
    not_held_files: list[str] = field(default_factory=list)
    _index: dict = field(default_factory=dict)

    def add(self, record: Record) -> None:
        record.seq = len(self.records)
        key = _id_key(record)
        if key is None:
            self.records.append(record)
            return
        first = self._index.get(key)
        if first is None:
            self._index[key] = record
            self.records.append(record)
        elif first.mergeable and record.mergeable:
            _merge(first, record)
        else:
            record.error = f"id {record.data['id']} is used twice (also {first.where})"
            self.records.append(record)


def _id_key(record: Record):
    value = record.data.get("id")
    if isinstance(value, str) and value.strip():
        return record.table, value.strip().lower()
    return None


def _merge(first: Record, copy: Record) -> None:
    """Fill in what the first copy of a JSON object lacks; links must agree."""
    for key, value in copy.data.items():
        if value in (None, ""):
            continue
        current = first.data.get(key)
        if current in (None, ""):
            first.data[key] = value
        elif key.endswith("_id") and str(current).lower() != str(value).lower():
            first.error = first.error or (
                f"{key} {current} disagrees with {value} in its copy at {copy.where}"
            )


def read_paths(paths: list[Path]) -> Batch:
    batch = Batch()
    for path in paths:
        read_path(Path(path), batch)
    return batch


def read_path(path: Path, batch: Batch) -> None:
    if not path.exists():
        raise HSDSFileError(f"{path}: no such file or folder.")
    if path.is_dir():
        descriptor = path / "datapackage.json"
        if descriptor.exists():
            read_datapackage(descriptor, batch)
            return
        json_files = sorted(path.glob("*.json"))
        if not json_files:
            hint = ""
            if (path / "csv" / "datapackage.json").exists():
                hint = " Give its csv or json folder (export_hsds writes both)."
            raise HSDSFileError(
                f"{path}: this folder holds neither a datapackage.json nor .json "
                f"files.{hint}"
            )
        for json_file in json_files:
            read_json(json_file, batch)
    elif path.name == "datapackage.json":
        read_datapackage(path, batch)
    elif path.suffix.lower() == ".json":
        read_json(path, batch)
    else:
        raise HSDSFileError(
            f"{path.name}: give an HSDS JSON file, a datapackage.json, or the folder "
            "holding the datapackage."
        )


def _decode(path: Path, encoding: str = "utf-8-sig") -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise HSDSFileError(
            f"{path.name}: cannot be read ({error.strerror})."
        ) from None
    if b"\x00" in raw:
        raise HSDSFileError(f"{path.name}: holds binary data, not text.")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        shown = "UTF-8" if encoding.startswith("utf-8") else encoding
        raise HSDSFileError(
            f"{path.name}: is not {shown} text (byte 0x{raw[error.start]:02x} at "
            f"offset {error.start}); save it as UTF-8 and try again."
        ) from None


def _load_json(path: Path, label: str | None = None):
    text = _decode(path)
    try:
        return json.loads(text)
    except RecursionError:
        raise HSDSFileError(f"{label or path.name}: nested too deeply.") from None
    except json.JSONDecodeError as error:
        raise HSDSFileError(
            f"{label or path.name}: not valid JSON ({error.msg} at line "
            f"{error.lineno}, column {error.colno})."
        ) from None


# ---------------------------------------------------------------- datapackage (CSV)


def _load_descriptor(path: Path) -> dict:
    text = _decode(path).strip()
    # In a checkout without symbolic links, a link is a small file holding its
    # target (the HSDS examples' datapackage.json is one): follow it like the link.
    if text and "\n" not in text and not text.startswith(("{", "[")):
        target = (path.parent / text).resolve()
        if target.is_file() and target.name.endswith(".json"):
            return _load_descriptor(target)
    descriptor = _load_json(path, "datapackage.json")
    if not isinstance(descriptor, dict) or not isinstance(
        descriptor.get("resources"), list
    ):
        raise HSDSFileError("datapackage.json: has no list of resources.")
    return descriptor


def read_datapackage(path: Path, batch: Batch) -> None:
    folder = path.parent
    descriptor = _load_descriptor(path)
    for number, resource in enumerate(descriptor["resources"], start=1):
        if not isinstance(resource, dict):
            raise HSDSFileError(
                f"datapackage.json: resource {number} is not an object."
            )
        name = resource.get("name")
        location = resource.get("path")
        if not isinstance(location, str) or not location:
            raise HSDSFileError(
                f"datapackage.json: resource {name or number} has no file path "
                "(one local file per resource is supported)."
            )
        relative = PurePosixPath(location)
        if "://" in location or relative.is_absolute() or ".." in relative.parts:
            raise HSDSFileError(
                f"datapackage.json: resource {name or number} points outside the "
                f"package ({location}); only files inside its folder are read."
            )
        table = TABLES_BY_NAME.get(name) or TABLES_BY_CSV.get(relative.name)
        if table is None:
            batch.not_held_files.append(relative.name)
            continue
        file = folder / relative
        if not file.is_file():
            raise HSDSFileError(
                f"datapackage.json: resource {table.name} is {location}, but there is "
                "no such file in the package."
            )
        read_csv(file, table, batch, **_dialect(resource))


def _dialect(resource: dict) -> dict:
    encoding = resource.get("encoding") or "utf-8"
    try:
        encoding = codecs.lookup(encoding).name
    except (LookupError, TypeError):
        raise HSDSFileError(
            f"datapackage.json: resource {resource.get('name')} has an unknown "
            f"encoding {encoding!r}."
        ) from None
    if encoding == "utf-8":
        encoding = "utf-8-sig"
    dialect = (
        resource.get("dialect") if isinstance(resource.get("dialect"), dict) else {}
    )
    delimiter = dialect.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise HSDSFileError(
            f"datapackage.json: resource {resource.get('name')} has a delimiter "
            "that is not one character."
        )
    return {"encoding": encoding, "delimiter": delimiter}


def read_csv(
    path: Path, table: Table, batch: Batch, *, encoding="utf-8-sig", delimiter=","
) -> None:
    text = _decode(path, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise HSDSFileError(f"{path.name}: is empty (no header row).")
        header = [column.strip() for column in header]
        _check_header(path.name, header, table)
        known = [
            (i, column) for i, column in enumerate(header) if column in _wanted(table)
        ]
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            record = Record(table.name, path.name, f"row {number}")
            if len(cells) != len(header):
                record.error = (
                    f"has {len(cells)} values but the header has {len(header)} columns"
                )
            else:
                record.data = {column: cells[i] for i, column in known}
            batch.add(record)
    except csv.Error as error:
        raise HSDSFileError(
            f"{path.name}: not a valid CSV file (line {reader.line_num}: {error})."
        ) from None


def _wanted(table: Table) -> set[str]:
    return {*table.columns, "contact_id"}


def _check_header(name: str, header: list[str], table: Table) -> None:
    duplicates = sorted({column for column in header if header.count(column) > 1})
    if duplicates:
        raise HSDSFileError(f"{name}: the header repeats {', '.join(duplicates)}.")
    missing = [column for column in table.required_columns if column not in header]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise HSDSFileError(
            f"{name}: missing required column{plural} {', '.join(missing)} "
            f"(is it an HSDS {table.name} file?)."
        )


# ---------------------------------------------------------------- JSON

# Lists nested in an object of a kind: key -> (kind of the items, column in each item
# that refers back to the object).
NESTED_LISTS = {
    "organization": {
        "services": ("service", "organization_id"),
        "locations": ("location", "organization_id"),
        "phones": ("phone", "organization_id"),
    },
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "languages": ("language", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "attributes": ("attribute", "link_id"),
    },
    "service_at_location": {
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
    },
    "location": {
        "addresses": ("address", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
        "languages": ("language", "location_id"),
    },
    "phone": {"languages": ("language", "phone_id")},
}
# Single objects nested in an object: key -> (kind, column of the object that
# holds its id).
NESTED_OBJECTS = {
    "service": {"organization": ("organization", "organization_id")},
    "service_at_location": {
        "location": ("location", "location_id"),
        "service": ("service", "service_id"),
    },
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}
# Longest first, so "service_at_location_list.json" is not taken for a service.
KINDS_BY_PREFIX = (
    "service_at_location",
    "taxonomy_term",
    "organization",
    "service",
    "location",
    "taxonomy",
)


def _kind_from_name(stem: str) -> str | None:
    stem = stem.lower()
    for kind in KINDS_BY_PREFIX:
        if stem.startswith(kind):
            return kind
    return None


def _kind_from_shape(obj: dict) -> str | None:
    keys = set(obj)
    if keys & {"service_at_locations", "status"} or isinstance(
        obj.get("organization"), dict
    ):
        return "service"
    if isinstance(obj.get("location"), dict) or {"service_id", "location_id"} <= keys:
        return "service_at_location"
    if keys & {"location_type", "addresses"}:
        return "location"
    if keys & {"taxonomy_detail", "term_uri", "parent_id", "taxonomy_id", "code"}:
        return "taxonomy_term"
    if keys & {
        "services",
        "locations",
        "website",
        "year_incorporated",
        "legal_status",
        "tax_status",
        "tax_id",
        "parent_organization_id",
        "organization_identifiers",
    }:
        return "organization"
    return None


def read_json(path: Path, batch: Batch) -> None:
    document = _load_json(path)
    name = path.name
    if isinstance(document, dict) and any(key.endswith(".csv") for key in document):
        _read_tabular_json(name, document, batch)
        return
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        items = [
            (f"contents[{i}]", item) for i, item in enumerate(document["contents"])
        ]
    elif isinstance(document, list):
        items = [(f"[{i}]", item) for i, item in enumerate(document)]
    elif isinstance(document, dict):
        items = [("", document)]
    else:
        raise HSDSFileError(f"{name}: holds neither an HSDS object nor a list of them.")
    hint = _kind_from_name(path.stem)
    for where, item in items:
        kind = hint or (_kind_from_shape(item) if isinstance(item, dict) else None)
        if kind is None:
            raise HSDSFileError(
                f"{name}: {where or 'the top-level object'} is not an HSDS service, "
                "organization, location, "
                "service at location or taxonomy term (name the file after what it "
                "holds, e.g. services.json, if the objects are sparse)."
            )
        _unfold(kind, item, name, where, {}, batch)


def _read_tabular_json(name: str, document: dict, batch: Batch) -> None:
    for key, rows in document.items():
        table = TABLES_BY_CSV.get(key)
        if not isinstance(rows, list):
            raise HSDSFileError(f"{name}: {key} is not a list of rows.")
        if table is None:
            stem = key.removesuffix(".csv")
            batch.not_held[HSDS_PLURALS.get(stem, stem)] += len(rows)
            continue
        for i, row in enumerate(rows):
            record = Record(table.name, name, f"{key}[{i}]")
            if isinstance(row, dict):
                record.data = {k: v for k, v in row.items() if k in _wanted(table)}
            else:
                record.error = "is not an object"
            batch.add(record)


def _unfold(kind: str, obj, source: str, where: str, links: dict, batch: Batch) -> None:
    """Add the object as a row of its table, then each object nested in it."""
    record = Record(kind, source, where or "the top-level object", mergeable=True)
    if not isinstance(obj, dict):
        record.error = "is not an object"
        batch.add(record)
        return
    table = TABLES_BY_NAME[kind]
    lists = NESTED_LISTS.get(kind, {})
    objects = NESTED_OBJECTS.get(kind, {})
    record.data = {
        key: value
        for key, value in obj.items()
        if key in _wanted(table) and not isinstance(value, dict | list)
    }
    for column, value in links.items():
        current = record.data.get(column)
        if current not in (None, "") and str(current).lower() != str(value).lower():
            record.error = (
                f"{column} {current} disagrees with the object it is in ({value})"
            )
        record.data[column] = value
    if kind == "attribute" and "link_id" in links:
        # Nested in a service, an attribute describes that service, whatever its
        # link_entity says.
        record.data["link_entity"] = "service"
    for key, (child_kind, column) in objects.items():
        child = obj.get(key)
        if isinstance(child, dict):
            if record.data.get(column) in (None, "") and child.get("id") is not None:
                record.data[column] = child.get("id")
            _unfold(child_kind, child, source, _path(where, key), {}, batch)
    batch.add(record)
    own_id = obj.get("id")
    for key, value in obj.items():
        if key in objects or not isinstance(value, list | dict):
            continue
        if key in lists and isinstance(value, list):
            child_kind, column = lists[key]
            child_links = {column: own_id} if own_id is not None else {}
            for i, child in enumerate(value):
                path = f"{_path(where, key)}[{i}]"
                _unfold(child_kind, child, source, path, child_links, batch)
        elif key in HSDS_PLURALS:
            batch.not_held[HSDS_PLURALS[key]] += len(value)
        elif key in HSDS_TABLES:
            batch.not_held[key] += 1


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


# Nested lists of tables CareNav does not hold, counted in the report.
HSDS_PLURALS = {
    "contacts": "contact",
    "funding": "funding",
    "service_areas": "service_area",
    "cost_options": "cost_option",
    "required_documents": "required_document",
    "accessibility": "accessibility",
    "programs": "program",
    "organization_identifiers": "organization_identifier",
    "metadata": "metadata",
    "meta_table_descriptions": "meta_table_description",
    "attributes": "attribute",
}

"""Writing checked HSDS rows into the directory.

Rows are upserted by id: a row whose id is new is created; a row whose id exists is
updated only when one of the values the file gives differs from what is stored, so a
second import of the same file writes nothing (and ``last_modified``, the change
history and the search index stay as they were). Values the file does not give are
left as they are. Taxonomy links are added, never removed.

The whole import runs in one transaction: if anything fails part-way, nothing of it
stays. With ``strict``, nothing is written when any row has a problem; with
``dry_run``, everything is checked and written, then rolled back.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.bulk import ProgressFactory, analyze, no_progress
from apps.directory.models import Service, ServiceAtLocation
from apps.directory.search import refresh_search_index

from .mapping import TABLES, TABLES_BY_NAME
from .plan import CHUNK, Plan
from .readers import read_paths
from .validation import validate

# A large import refreshes the planner's statistics before indexing what it wrote
# (see apps.core.bulk.analyze); a small one costs more to analyze than to index.
ANALYZE_FROM_SERVICES = 1000
WRITE_ORDER = (
    "organization",
    "taxonomy_term",
    "service",
    "location",
    "address",
    "service_at_location",
    "phone",
    "schedule",
    "language",
)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: "Counts") -> "Counts":
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


@dataclass
class ImportResult:
    plan: Plan
    counts: dict[str, Counts] = field(default_factory=dict)
    links_added: int = 0
    not_held_files: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.counts.values():
            total += counts
        return total


def import_hsds(
    paths: list[Path],
    *,
    strict: bool = False,
    dry_run: bool = False,
    progress: ProgressFactory = no_progress,
):
    """Read, check and write HSDS files; raises HSDSFileError for unreadable ones."""
    batch = read_paths(paths)
    with transaction.atomic():
        plan = validate(batch)
        result = ImportResult(plan=plan, not_held_files=batch.not_held_files)
        if strict and plan.problems:
            return result
        write(plan, result, refresh_index=not dry_run, progress=progress)
        if dry_run:
            transaction.set_rollback(True)
        else:
            result.written = True
    return result


def write(
    plan: Plan,
    result: ImportResult,
    *,
    refresh_index: bool = True,
    progress: ProgressFactory = no_progress,
) -> None:
    touched_services = set()
    changed = {}
    bar = progress(
        total=sum(len(plan.rows[name]) for name in WRITE_ORDER), desc="Importing"
    )
    for name in WRITE_ORDER:
        rows = {row_id: row.values for row_id, row in plan.rows[name].items()}
        if name == "service":
            # CareNav's own fields, carried by attributes, may concern services
            # that the file does not otherwise list.
            for service_id, facts in plan.facts.items():
                rows.setdefault(service_id, {}).update(facts)
        counts, changed_ids = upsert(TABLES_BY_NAME[name].model, rows)
        if name == "service":
            counts.unchanged -= len(
                set(plan.facts) - set(plan.rows[name]) - changed_ids
            )
        result.counts[name] = counts
        changed[name] = changed_ids
        bar.update(len(plan.rows[name]))
    bar.close()
    linked = add_links(plan.links)
    result.links_added = len(linked)
    touched_services |= changed["service"]
    touched_services |= {service_id for service_id, _term in linked}
    if changed["organization"]:
        touched_services |= set(
            Service.objects.filter(
                organization_id__in=changed["organization"]
            ).values_list("pk", flat=True)
        )
    if changed["location"] or changed["service_at_location"]:
        # Their places (coordinates, links) are what distance searches read.
        touched_services |= set(
            ServiceAtLocation.objects.filter(
                Q(pk__in=changed["service_at_location"])
                | Q(location_id__in=changed["location"])
            ).values_list("service_id", flat=True)
        )
    # A card shows the service's phone, addresses and hours (stored_card.py), and
    # its languages are a filter: a row of these alone changes the service too.
    touched_services |= _services_of_details(changed)
    if changed["taxonomy_term"]:
        touched_services |= set(
            Service.taxonomy_terms.through.objects.filter(
                taxonomyterm_id__in=changed["taxonomy_term"]
            ).values_list("service_id", flat=True)
        )
    if touched_services and refresh_index:
        if len(touched_services) >= ANALYZE_FROM_SERVICES:
            # The rows just written are not in the planner's statistics yet.
            analyze(
                *(TABLES_BY_NAME[name].model for name in WRITE_ORDER),
                Service.taxonomy_terms.through,
            )
        refresh_search_index(touched_services)


def _services_of_details(changed: dict) -> set:
    """The services whose phones, schedules, languages or sites' addresses,
    phones, schedules or languages are among the changed rows."""
    sites = Q()
    services = set()
    for name in ("phone", "schedule", "language"):
        if not changed[name]:
            continue
        model = TABLES_BY_NAME[name].model
        rows = model.objects.filter(pk__in=changed[name])
        services |= set(rows.exclude(service=None).values_list("service_id", flat=True))
        if name != "language":
            sites |= Q(pk__in=rows.values("service_at_location_id"))
        sites |= Q(location_id__in=rows.values("location_id"))
    if changed["address"]:
        sites |= Q(
            location_id__in=TABLES_BY_NAME["address"]
            .model.objects.filter(pk__in=changed["address"])
            .values("location_id")
        )
    if sites:
        services |= set(
            ServiceAtLocation.objects.filter(sites).values_list("service_id", flat=True)
        )
    return services


def upsert(model, rows: dict) -> tuple[Counts, set]:
    """Create or update rows (id -> model values); returns counts and changed ids."""
    counts = Counts()
    changed_ids = set()
    ids = list(rows)
    has_last_modified = any(f.name == "last_modified" for f in model._meta.fields)
    now = timezone.now()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        existing = model.objects.in_bulk(chunk)
        new, updated, fields = [], [], set()
        # When the source says it last changed a row: not a value to compare.
        stamps = {}
        for row_id in chunk:
            values = rows[row_id]
            if "last_modified" in values:
                values = dict(values)
                if stamp := values.pop("last_modified"):
                    stamps[row_id] = stamp
            obj = existing.get(row_id)
            if obj is None:
                new.append(model(id=row_id, **values))
                continue
            differences = {
                name: value
                for name, value in values.items()
                if not _same(getattr(obj, name), value)
            }
            if not differences:
                counts.unchanged += 1
                continue
            for name, value in differences.items():
                setattr(obj, name, value)
            fields |= set(differences)
            if has_last_modified:
                obj.last_modified = now
            updated.append(obj)
        if new:
            model.objects.bulk_create(new, batch_size=1000)
        if updated:
            if has_last_modified:
                fields.add("last_modified")
            model.objects.bulk_update(updated, sorted(fields), batch_size=1000)
        _restamp([*new, *updated], stamps)
        counts.created += len(new)
        counts.updated += len(updated)
        changed_ids.update(obj.pk for obj in new)
        changed_ids.update(obj.pk for obj in updated)
    return counts, changed_ids


def _restamp(objs: list, stamps: dict) -> None:
    """Give written rows the change time their source gave.

    bulk_create stamps "now" (auto_now); bulk_update writes the value as it is,
    so this second, narrow UPDATE keeps the source's time.
    """
    stamped = [obj for obj in objs if obj.pk in stamps]
    for obj in stamped:
        obj.last_modified = stamps[obj.pk]
    if stamped:
        type(stamped[0]).objects.bulk_update(
            stamped, ["last_modified"], batch_size=1000
        )


def _same(stored, value) -> bool:
    if isinstance(stored, list) and isinstance(value, list):
        return sorted(stored) == sorted(value)
    return stored == value


def add_links(links: set) -> list[tuple]:
    """Add the (service, taxonomy term) links that are not there yet; returns them."""
    through = Service.taxonomy_terms.through
    links = list(links)
    added = []
    for start in range(0, len(links), CHUNK):
        chunk = links[start : start + CHUNK]
        service_ids = {service_id for service_id, _term in chunk}
        present = set(
            through.objects.filter(service_id__in=service_ids).values_list(
                "service_id", "taxonomyterm_id"
            )
        )
        missing = [
            through(service_id=service_id, taxonomyterm_id=term_id)
            for service_id, term_id in chunk
            if (service_id, term_id) not in present
        ]
        through.objects.bulk_create(missing, batch_size=1000)
        added += [(link.service_id, link.taxonomyterm_id) for link in missing]
    return added


TABLE_LABELS = {table.name: table.csv.removesuffix(".csv") for table in TABLES}

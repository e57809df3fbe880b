from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from apps.core.bulk import terminal_progress, without_statement_timeout
from apps.directory.hsds.importer import TABLE_LABELS, WRITE_ORDER, import_hsds
from apps.directory.hsds.readers import HSDSFileError


class Command(BaseCommand):
    help = (
        "Import HSDS 3.0 directory data: a CSV datapackage (its folder or its "
        "datapackage.json) or HSDS JSON (a service, an organization, a list of them or "
        "an API page; a folder of such files). Rows are upserted by id, so importing "
        "the same data again changes nothing. Every row is checked; a row with a "
        "missing or wrong value, a bad id or a reference to nothing is skipped and "
        "reported, the others are imported, and the command exits with status 1. "
        "Everything runs in one transaction: a failure or an interruption part-way "
        "leaves the directory as it was. Runs without the web's statement timeout, "
        "with a progress bar on a terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Import nothing if any row has a problem.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check and count everything, then write nothing.",
        )

    def handle(self, *args, paths, strict, dry_run, **options):
        try:
            with without_statement_timeout():
                result = import_hsds(
                    paths,
                    strict=strict,
                    dry_run=dry_run,
                    progress=terminal_progress(self.stderr._out),
                )
        except KeyboardInterrupt:
            raise CommandError(
                "Interrupted: nothing was imported; the directory is as it was."
            ) from None
        except HSDSFileError as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        except DatabaseError as error:
            lines = str(error).strip().splitlines() or [""]
            raise CommandError(
                "The import failed part-way and was rolled back; the directory is as "
                f"it was before ({type(error).__name__}: {lines[0]})."
            ) from None
        self.report(result, strict=strict, dry_run=dry_run)

    def report(self, result, *, strict, dry_run):
        plan = result.plan
        write = self.stdout.write
        if plan.problems:
            write(f"Problems ({len(plan.problems)}):")
            for problem in plan.problems:
                write(f"  {problem}")
        if strict and plan.problems:
            raise CommandError(
                f"Strict mode: nothing was imported, because {len(plan.problems)} "
                "problems were found (listed above)."
            )
        for name in WRITE_ORDER:
            counts = result.counts[name]
            if counts.created or counts.updated or counts.unchanged:
                write(
                    f"{TABLE_LABELS[name]}: {counts.created} created, "
                    f"{counts.updated} updated, {counts.unchanged} unchanged"
                )
        not_held = dict(plan.not_held)
        for name in result.not_held_files:
            not_held.setdefault(name, 0)
        if not_held:
            listed = ", ".join(
                f"{name} ({count})" if count else name
                for name, count in sorted(not_held.items())
            )
            write(f"Not held by CareNav, passed over: {listed}")
        total = result.total
        skipped = counted(plan.rows_skipped, "row")
        dropped = counted(plan.links_dropped, "link")
        summary = (
            f"{total.created} created, {total.updated} updated, "
            f"{total.unchanged} unchanged, "
            f"{counted(result.links_added, 'taxonomy link')} added; "
            f"{skipped} skipped, {dropped} dropped."
        )
        if dry_run:
            write(f"Dry run, nothing was written. The import would give: {summary}")
        else:
            write(f"Imported: {summary}")
        if plan.problems:
            raise CommandError(
                f"{skipped} skipped and {dropped} dropped (listed above)."
            )


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"

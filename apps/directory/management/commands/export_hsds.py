from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core.bulk import terminal_progress, without_statement_timeout
from apps.directory.hsds.csv_export import export_csv
from apps.directory.hsds.exporter import export_json, snapshot


class Command(BaseCommand):
    help = (
        "Export the whole directory as HSDS 3.0 into the folder PATH: a CSV "
        "datapackage (datapackage.json and one CSV per table) and JSON files in the "
        "shapes of the HSDS API (services.json with every service fully nested, "
        "organizations.json, locations.json, taxonomy_terms.json). With --format "
        "both, they go into PATH/csv and PATH/json. import_hsds reads either back. "
        "CareNav's own service details travel as attributes of the "
        "carenav-service-details taxonomy. Runs without the web's statement timeout, "
        "with a progress bar on a terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, metavar="PATH")
        parser.add_argument(
            "--format",
            choices=["csv", "json", "both"],
            default="both",
            help="What to write (default: both, into PATH/csv and PATH/json).",
        )

    def handle(self, *args, path, format, **options):
        if path.exists() and not path.is_dir():
            raise CommandError(f"{path} is a file; give a folder to write into.")
        targets = {"csv": path, "json": path}
        if format == "both":
            targets = {"csv": path / "csv", "json": path / "json"}
        progress = terminal_progress(self.stderr._out)
        try:
            with without_statement_timeout(), snapshot():
                if format in ("csv", "both"):
                    counts = export_csv(targets["csv"], progress)
                    self.summary("CSV datapackage", targets["csv"], counts)
                if format in ("json", "both"):
                    counts = export_json(targets["json"], progress)
                    self.summary("JSON", targets["json"], counts)
        except OSError as error:
            raise CommandError(
                f"Cannot write to {error.filename or path}: {error.strerror}."
            ) from None

    def summary(self, what, folder, counts):
        listed = ", ".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(f"Wrote HSDS 3.0 {what} to {folder}: {listed}.")

import time

from django.core.management.base import BaseCommand, CommandError

from apps.core.bulk import terminal_progress, without_statement_timeout
from apps.directory.seeding import DirectorySeeder


class Command(BaseCommand):
    help = (
        "Add N random, clearly fictional services to the directory, spread across the "
        "care-service taxonomy and real US ZIP code areas, with organizations, "
        "locations, addresses, phones, opening hours and languages. Existing rows are "
        "kept. The same --seed gives the same directory. The search index of the new "
        "services is refreshed once at the end. Runs without the web's statement "
        "timeout, in one transaction (interrupted, it leaves nothing behind), with a "
        "progress bar on a terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--services", type=int, required=True, metavar="N")
        parser.add_argument(
            "--seed", type=int, default=None, help="Random seed, for repeatable data."
        )

    def handle(self, *args, services, seed, **options):
        if services < 1:
            raise CommandError("--services must be at least 1.")
        started = time.monotonic()
        with without_statement_timeout():
            summary = DirectorySeeder(seed=seed).run(
                services, progress=terminal_progress(self.stderr._out)
            )
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Created {summary.services} services, {summary.organizations} "
            f"organizations and {summary.locations} locations "
            f"({summary.rows} rows) in {elapsed:.1f}s."
        )

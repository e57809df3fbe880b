import time

from django.core.management.base import BaseCommand

from apps.core.bulk import chunks, terminal_progress, without_statement_timeout
from apps.directory.models import Service
from apps.directory.places import refresh_narrow_tables
from apps.directory.search import refresh_search_index

CHUNK = 5000


class Command(BaseCommand):
    help = (
        "Rebuild the stored search columns of every service (full-text vector, "
        "taxonomy and language filters) and the word list for typo correction. "
        "Run it after writing services by any path that does not call "
        "refresh_search_index() itself, or after changing how the search indexes. "
        "Works through the services 5,000 at a time, without the web's statement "
        "timeout, with a progress bar on a terminal."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
        bar = terminal_progress(self.stderr._out)(
            total=len(ids), desc="Indexing for search", unit="services"
        )
        count = 0
        with without_statement_timeout():
            for chunk in chunks(ids, CHUNK):
                count += refresh_search_index(chunk)
                bar.update(len(chunk))
            # The chunks' narrow rows, written again in the order searches read.
            refresh_narrow_tables()
        bar.close()
        self.stdout.write(
            f"Search index refreshed for {count} services "
            f"in {time.monotonic() - started:.1f}s."
        )

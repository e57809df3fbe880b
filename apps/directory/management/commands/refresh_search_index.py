import time

from django.core.management.base import BaseCommand

from apps.directory.search import refresh_search_index


class Command(BaseCommand):
    help = (
        "Rebuild the stored search columns of every service (full-text vector, "
        "taxonomy and language filters) and the word list for typo correction. "
        "Run it after writing services by any path that does not call "
        "refresh_search_index() itself, or after changing how the search indexes."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        count = refresh_search_index()
        self.stdout.write(
            f"Search index refreshed for {count} services "
            f"in {time.monotonic() - started:.1f}s."
        )

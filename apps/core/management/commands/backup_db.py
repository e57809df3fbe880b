from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core.backup import BackupError, backup_database


class Command(BaseCommand):
    help = (
        "Back up the whole database to FILE with pg_dump (custom format, no owners), "
        "ready for restore_db. The file holds personal data: store it encrypted."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            backup_database(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = file.stat().st_size
        self.stdout.write(f"Backed up the database to {file} ({size:,} bytes).")

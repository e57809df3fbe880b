from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core.backup import BackupError, restore_database


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_db, replacing what the target database holds "
        "(the configured one, or --database-name). All in one transaction: on any "
        "error the target is left as it was. Asks for --yes because it overwrites."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--database-name", help="Restore into this database.")
        parser.add_argument(
            "--yes", action="store_true", help="Confirm replacing the contents."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file, change nothing."
        )

    def handle(self, *args, file, database_name, yes, dry_run, **options):
        target = database_name or settings.DATABASES["default"]["NAME"]
        if not file.is_file():
            raise CommandError(f"No backup file at {file}")
        if dry_run:
            self.stdout.write(f"Would restore {file} into {target}.")
            return
        if not yes:
            raise CommandError(f"This replaces everything in {target}. Add --yes.")
        try:
            restore_database(file, database_name=database_name)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {file} into {target}.")

from django.core.management.base import BaseCommand

from apps.checklists.reminders import enqueue_reminder_digests, opted_in_profiles


class Command(BaseCommand):
    help = (
        "Enqueue this week's checklist reminder e-mails. Only patients who turned "
        "reminders on get one, and only when a step is overdue, due soon, or a "
        "time-limited window is closing; anyone sent one in the last six days is "
        "skipped. Run it once a week, e.g. from cron: "
        "'0 9 * * MON cd /srv/carenav && .venv/bin/python manage.py "
        "send_reminder_digests'. The task worker sends the messages."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the patients who asked for reminders; enqueue nothing.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        if dry_run:
            count = opted_in_profiles().count()
            self.stdout.write(f"{count} patients asked for reminders (dry run).")
            return
        enqueue_reminder_digests.enqueue()
        self.stdout.write("Enqueued the weekly reminders; the task worker sends them.")

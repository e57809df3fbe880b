from django.conf import settings
from django.core.management.base import BaseCommand

from apps.core.mail import enqueue_due, sent_to_forget
from apps.core.models import OutgoingEmail


class Command(BaseCommand):
    help = (
        "Queue a delivery for every outgoing e-mail still waiting whose next attempt "
        "is due, and delete sent messages older than EMAIL_KEEP_SENT_DAYS (they may "
        "hold personal data). The worker normally schedules retries itself; this "
        "catches a task that was lost (a worker killed mid-task) and is safe to run "
        "at any time, from cron for example: a message is sent once however often "
        "it is queued. Failed messages are kept for an administrator."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count what would be queued and deleted.",
        )

    def handle(self, *args, dry_run=False, **options):
        old_sent = sent_to_forget()
        if dry_run:
            due, deleted = OutgoingEmail.objects.due().count(), old_sent.count()
            done = "would be"
        else:
            due, (deleted, _) = enqueue_due(), old_sent.delete()
            done = "were"
        self.stdout.write(
            f"{due} waiting e-mail(s) {done} queued for delivery; {deleted} sent "
            f"e-mail(s) older than {settings.EMAIL_KEEP_SENT_DAYS} days {done} "
            "deleted."
        )

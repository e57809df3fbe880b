from django.core.management.base import BaseCommand

from apps.directory.verification import (
    due_for_verification,
    start_verification_campaign,
)


class Command(BaseCommand):
    help = (
        "Ask every service whose listing was not verified for VERIFY_AFTER_MONTHS "
        "(and that has an e-mail address and no link out) to check it. The task "
        "queue sends the e-mails in batches; run this daily (cron or a timer)."
    )

    def handle(self, *args, **options):
        due = due_for_verification().count()
        start_verification_campaign.enqueue()
        self.stdout.write(f"{due} service(s) due; the worker sends their links.")

from django.core.management.base import BaseCommand

from apps.core.mail import enqueue_due


class Command(BaseCommand):
    help = (
        "Queue a delivery for every outgoing e-mail still waiting whose next attempt "
        "is due. The worker normally schedules retries itself; this catches a task "
        "that was lost (a worker killed mid-task) and is safe to run at any time, "
        "from cron for example: a message is sent once however often it is queued."
    )

    def handle(self, *args, **options):
        count = enqueue_due()
        self.stdout.write(f"{count} waiting e-mail(s) queued for delivery.")

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from .models import ListingReport, Service


@transaction.atomic
def create_listing_report(
    *, service: Service, message: str, contact_email: str = ""
) -> ListingReport:
    """Store a report about a listing and tell the content team by e-mail."""
    report = ListingReport(
        service=service, message=message, contact_email=contact_email
    )
    report.full_clean()
    report.save()
    transaction.on_commit(lambda: notify_content_team(report_id=report.pk))
    return report


def notify_content_team(*, report_id: int) -> None:
    report = ListingReport.objects.select_related("service").get(pk=report_id)
    body = render_to_string(
        "directory/email/listing_report.txt",
        {"report": report, "site_url": settings.SITE_URL},
    )
    send_mail(
        f"Listing report: {report.service.name}"[:150],
        body,
        None,
        [settings.CONTENT_TEAM_EMAIL],
    )


def email_saved_list(*, user, saved: list) -> None:
    """Send a patient their own saved list; only ever to the account's address."""
    body = render_to_string(
        "directory/email/saved_list.txt",
        {"saved": saved, "site_url": settings.SITE_URL},
    )
    send_mail("Your saved services on CareNav", body, None, [user.email])

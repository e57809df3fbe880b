from django.conf import settings
from django.db import transaction

from apps.core.mail import queue_mail, render_plain, written_for, written_in

from . import verification
from .listings import VerificationRequest
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
    notify_content_team(report=report)
    # The service itself is asked to check its listing, unless a link is out.
    if not service.verification_requests.open().exists():
        verification.request_verification(
            service=service, reason=VerificationRequest.Reason.REPORT
        )
    return report


def notify_content_team(*, report: ListingReport) -> None:
    with written_in(settings.LANGUAGE_CODE):
        body = render_plain(
            "directory/email/listing_report.txt",
            {"report": report, "site_url": settings.SITE_URL},
        )
        queue_mail(
            subject=f"Listing report: {report.service.name}",
            body=body,
            to=[settings.CONTENT_TEAM_EMAIL],
            reply_to=report.contact_email or None,
        )


def email_saved_list(*, user, saved: list) -> None:
    """Send a patient their own saved list; only ever to the account's address."""
    with written_for(user):
        body = render_plain(
            "directory/email/saved_list.txt",
            {"saved": saved, "site_url": settings.SITE_URL},
        )
        queue_mail(subject="Your saved services on CareNav", body=body, to=[user.email])

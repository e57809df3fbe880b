"""Outgoing e-mail: queued with the change, sent by the worker, never lost."""

import re
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.asserts import assertContains, assertRedirects

from apps.core.mail import queue_mail, retry_delay
from apps.core.models import OutgoingEmail
from apps.directory.tests.factories import ServiceFactory
from apps.referrals.models import Referral
from apps.referrals.tests.factories import ClientFactory, ReferralFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox(Message):
    """A fake mail server's mailbox: what it received, in order."""

    def __init__(self):
        super().__init__()
        self.received = []

    def handle_message(self, message):
        self.received.append(message)


@pytest.fixture
def smtp_down(settings):
    """The real SMTP backend, pointed at a port where no server listens (yet)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 5
    return settings.EMAIL_PORT


@pytest.fixture
def start_smtp(smtp_down):
    """Bring the mail server up on the port `smtp_down` pointed at."""
    controllers = []

    def _start() -> Inbox:
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_down)
        controller.start()
        controllers.append(controller)
        return inbox

    yield _start
    for controller in controllers:
        controller.stop()


def run_worker(*args):
    call_command("db_worker", "--batch", "--no-startup-delay", *args)


def test_queued_mail_is_sent_by_the_task_and_marked_sent(db):
    message = queue_mail(subject="Hello", body="Body", to="someone@example.org")
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT
    assert message.attempts == 1 and message.sent_at is not None
    assert [m.to for m in mail.outbox] == [["someone@example.org"]]


def test_a_failed_attempt_keeps_the_message_waiting_with_back_off(db, smtp_down):
    message = queue_mail(subject="Hello", body="Body", to="someone@example.org")
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=50)


def test_retry_delay_doubles_and_is_capped(settings):
    settings.EMAIL_RETRY_BASE_SECONDS = 60
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert retry_delay(30) == timedelta(hours=6)


def test_a_message_that_keeps_failing_is_kept_as_failed(db, smtp_down, settings):
    settings.EMAIL_MAX_ATTEMPTS = 2
    settings.EMAIL_RETRY_BASE_SECONDS = 0
    message = queue_mail(subject="Hello", body="Body", to="someone@example.org")
    call_command("send_queued_mail")
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.FAILED
    assert message.attempts == 2
    # Nothing more is tried on its own: it waits for an administrator.
    call_command("send_queued_mail")
    message.refresh_from_db()
    assert message.attempts == 2


def test_send_queued_mail_sends_what_is_due_once(db, smtp_down, settings):
    settings.EMAIL_RETRY_BASE_SECONDS = 0
    message = queue_mail(subject="Hello", body="Body", to="someone@example.org")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_queued_mail")
    call_command("send_queued_mail")
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_queues_nothing(db, settings):
    settings.TASKS = DATABASE_TASKS
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_mail(subject="Hello", body="Body", to="someone@example.org")
        raise RuntimeError("the change fails")
    assert not OutgoingEmail.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_referral_sent_while_mail_server_is_down_is_delivered_when_it_is_back(
    client, caseworker, settings, smtp_down, start_smtp
):
    """The real path: database queue, `db_worker`, an SMTP server that was down."""
    settings.TASKS = DATABASE_TASKS
    settings.EMAIL_RETRY_BASE_SECONDS = 0
    service = ServiceFactory(name="St. Mary's ALS Clinic")
    referral = ReferralFactory(
        client=ClientFactory(caseworker=caseworker), service=service
    )
    client.force_login(caseworker)

    response = client.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"to": "sent", "version": referral.version},
        follow=True,
    )
    assert response.status_code == 200
    assertContains(response, "Sent")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    message = OutgoingEmail.objects.get()
    assert message.status == OutgoingEmail.Status.PENDING
    assert message.attempts == 0  # queued, not tried inside the request

    run_worker("--max-tasks", "1")  # the server is down: the attempt fails
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.PENDING
    assert message.attempts == 1

    inbox = start_smtp()
    run_worker()
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT
    assert message.attempts == 2
    [delivered] = inbox.received
    assert delivered["To"] == service.referral_email
    assert delivered["Subject"] == "A referral for St. Mary's ALS Clinic"


def test_signup_with_mail_server_down_shows_the_normal_page(client, db, smtp_down):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "mail.down@example.org",
            "password1": "a-long-enough-password-9",
            "password2": "a-long-enough-password-9",
        },
        follow=True,
    )
    assert response.status_code == 200
    assertContains(response, "Confirm your e-mail address")
    message = OutgoingEmail.objects.get()
    assert message.to == ["mail.down@example.org"]
    assert message.status == OutgoingEmail.Status.PENDING


def test_listing_report_with_mail_server_down_shows_the_normal_page(
    client, db, smtp_down
):
    service = ServiceFactory()
    response = client.post(
        reverse("directory:service_report", args=[service.id]),
        {"message": "The phone number is wrong.", "contact_email": ""},
    )
    assertRedirects(response, service.get_absolute_url(), fetch_redirect_response=False)
    assertContains(client.get(response["Location"]), "Your report has reached our team")
    # The content team's message (and the service's request to check its listing,
    # when it has an address) wait in the outbox.
    assert OutgoingEmail.objects.exists()
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {
        OutgoingEmail.Status.PENDING
    }


@pytest.fixture
def failed_message(db):
    return OutgoingEmail.objects.create(
        subject="Hello",
        body="Body",
        to=["someone@example.org"],
        status=OutgoingEmail.Status.FAILED,
        attempts=10,
        last_error="ConnectionRefusedError",
    )


def test_outbox_admin_is_for_administrators_only(assert_access, failed_message):
    expected = {
        "anonymous": 302,
        "patient": 302,  # not staff: the admin sends them to sign in
        "caseworker": 302,
        "content_editor": 403,
        "administrator": 200,
    }
    assert_access(reverse("admin:core_outgoingemail_changelist"), expected)
    change = reverse("admin:core_outgoingemail_change", args=[failed_message.pk])
    assert_access(change, expected)


def test_administrator_sends_a_failed_message_again(client, administrator, db):
    message = OutgoingEmail.objects.create(
        subject="Hello",
        body="Body",
        to=["someone@example.org"],
        status=OutgoingEmail.Status.FAILED,
        attempts=10,
    )
    client.force_login(administrator)
    response = client.post(
        reverse("admin:core_outgoingemail_changelist"),
        {"action": "send_again", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT
    assert message.attempts == 1
    assert len(mail.outbox) == 1


def test_administrator_finds_a_message_by_recipient(client, administrator, db):
    OutgoingEmail.objects.create(subject="Hello", body="Body", to=["kim@example.org"])
    OutgoingEmail.objects.create(subject="Other", body="Body", to=["lee@example.org"])
    client.force_login(administrator)
    response = client.get(reverse("admin:core_outgoingemail_changelist"), {"q": "kim@"})
    assert [m.subject for m in response.context["cl"].result_list] == ["Hello"]


def test_send_queued_mail_forgets_old_sent_messages_only(db, settings, capsys):
    settings.EMAIL_KEEP_SENT_DAYS = 30
    long_ago = timezone.now() - timedelta(days=31)
    old = OutgoingEmail.objects.create(
        subject="Old", body="B", to=["a@example.org"], status="sent", sent_at=long_ago
    )
    failed = OutgoingEmail.objects.create(
        subject="Failed", body="B", to=["a@example.org"], status="failed"
    )
    recent = OutgoingEmail.objects.create(
        subject="New",
        body="B",
        to=["a@example.org"],
        status="sent",
        sent_at=timezone.now(),
    )
    call_command("send_queued_mail", "--dry-run")
    assert "1 sent e-mail(s) older than 30 days would be deleted" in (
        capsys.readouterr().out
    )
    assert OutgoingEmail.objects.filter(pk=old.pk).exists()
    call_command("send_queued_mail")
    assert "1 sent e-mail(s) older than 30 days were deleted" in capsys.readouterr().out
    assert set(OutgoingEmail.objects.values_list("pk", flat=True)) == {
        failed.pk,
        recent.pk,
    }


def test_nothing_sends_mail_but_the_outbox():
    """Every sender goes through queue_mail: a direct send would run inside a
    request again, where a mail server outage breaks the page."""
    from pathlib import Path

    import apps

    root = Path(apps.__file__).parent
    allowed = {root / "core" / "mail.py"}
    direct = re.compile(
        r"(?<!def )\bsend_mail\(|\bsend_mass_mail\(|\bmail_admins\("
        r"|\bEmail(MultiAlternatives|Message)\(|\.send\(\)"
    )
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path not in allowed
        and direct.search(path.read_text())
    ]
    assert not offenders

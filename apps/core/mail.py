"""Every e-mail CareNav sends goes through here: an outbox row and a queued task.

    queue_mail(subject=..., body=..., to=[...])

writes the message to the outbox (`OutgoingEmail`) and enqueues `deliver_email` in
the caller's transaction, so a rolled-back change sends nothing and a committed one
is never lost. The task sends the message; when the mail server fails it tries
again later with exponential back-off, and after EMAIL_MAX_ATTEMPTS it marks the
message failed for an administrator to resend from the admin. A page never waits
for, or breaks on, the mail server.

Templates: `render_mail("app/email/name", context)` renders `name_subject.txt` and
`name.txt` as plain text (no HTML escaping). Links: `absolute_url(path)` builds
them from SITE_URL, never from the request's Host header.

Language: a message is written in its reader's language, not the page's that caused
it. Build it inside `written_for(user)` (the account's language; for an address
with no account, `written_in(language)`), so its words, dates and links
(`absolute_url` gives the page in the language being written) are all in it.
"""

import logging
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, Engine
from django.utils import timezone, translation
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from .languages import in_language, language_of
from .models import OutgoingEmail
from .validators import CONTROL_CHARACTERS

logger = logging.getLogger(__name__)

SUBJECT_MAX_LENGTH = OutgoingEmail._meta.get_field("subject").max_length
# Longest wait between two attempts, however many attempts failed before.
MAX_RETRY_DELAY = timedelta(hours=6)


def absolute_url(path: str) -> str:
    """A link for an e-mail: the configured site address, never the request's, to
    the page in the language the message is being written in."""
    return f"{settings.SITE_URL}{in_language(path, translation.get_language())}"


def written_in(language: str):
    """Write a message in `language` (a context manager)."""
    return translation.override(language)


@contextmanager
def written_for(user):
    """Write a message to `user` in the language kept on their account."""
    with translation.override(language_of(user)):
        yield


def header_text(value: str) -> str:
    """One line of plain text for a header: control characters and runs of
    white space (from old data, which input validation did not see) become one
    space."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", str(value)).split())


def render_plain(template_name: str, context: dict) -> str:
    """Render a plain-text template: nothing is HTML-escaped ("St. Mary's")."""
    template = Engine.get_default().get_template(template_name)
    return template.render(Context(context, autoescape=False))


def render_mail(template_prefix: str, context: dict) -> tuple[str, str]:
    """The subject and body of `<prefix>_subject.txt` and `<prefix>.txt`."""
    subject = render_plain(f"{template_prefix}_subject.txt", context)
    body = render_plain(f"{template_prefix}.txt", context)
    return header_text(subject), body


def queue_mail(
    *,
    subject: str,
    body: str,
    to: list[str] | str,
    html_body: str = "",
    reply_to: list[str] | str | None = None,
    from_email: str = "",
) -> OutgoingEmail:
    """Put one message in the outbox and enqueue its delivery, atomically.

    Call it inside the transaction of the change that causes the message.
    """
    to = [to] if isinstance(to, str) else list(to)
    reply_to = [reply_to] if isinstance(reply_to, str) else list(reply_to or [])
    with transaction.atomic():
        message = OutgoingEmail.objects.create(
            subject=header_text(subject)[:SUBJECT_MAX_LENGTH],
            body=body,
            html_body=html_body or "",
            to=[header_text(address) for address in to],
            reply_to=[header_text(address) for address in reply_to if address],
            from_email=header_text(from_email),
        )
        _enqueue(message.pk)
    return message


def _enqueue(message_id: int, *, run_after=None) -> None:
    if run_after is None:
        deliver_email.enqueue(message_id)
    elif isinstance(deliver_email.get_backend(), ImmediateBackend):
        # It cannot wait: the message stays pending for `send_queued_mail`.
        return
    else:
        deliver_email.using(run_after=run_after).enqueue(message_id)


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: the base delay, doubled after each failed attempt."""
    seconds = settings.EMAIL_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_RETRY_DELAY)


def _build(message: OutgoingEmail) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=message.to,
        reply_to=message.reply_to or None,
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    return email


@task()
def deliver_email(message_id: int) -> str:
    """Send one outbox message; on failure, schedule the next attempt or give up.

    Safe to run twice for one message: the row is locked and only a pending
    message is sent.
    """
    with transaction.atomic():
        message = (
            OutgoingEmail.objects.select_for_update()
            .filter(pk=message_id, status=OutgoingEmail.Status.PENDING)
            .first()
        )
        if message is None:
            return "not pending"
        message.attempts += 1
        try:
            _build(message).send()
        except Exception as error:  # any fault of the server, network or address
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= settings.EMAIL_MAX_ATTEMPTS:
                message.status = OutgoingEmail.Status.FAILED
            else:
                message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
            message.save()
            # Ids and error types only: addresses and contents stay out of logs.
            logger.warning(
                "E-mail %s not sent (attempt %s, %s): %s",
                message.pk,
                message.attempts,
                message.status,
                type(error).__name__,
            )
            if message.status == OutgoingEmail.Status.PENDING:
                _enqueue(message.pk, run_after=message.next_attempt_at)
            return message.status
        message.status = OutgoingEmail.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save()
        return message.status


def enqueue_due() -> int:
    """Enqueue a delivery for every pending message whose time has come.

    Catches what a lost task or a backend that cannot wait left behind; a
    message enqueued twice is still sent once.
    """
    with transaction.atomic():
        ids = list(OutgoingEmail.objects.due().values_list("pk", flat=True))
        for message_id in ids:
            _enqueue(message_id)
    return len(ids)


def sent_to_forget():
    """Sent messages older than EMAIL_KEEP_SENT_DAYS: they may hold personal data
    and are no longer needed once delivered. Failed and waiting ones are kept."""
    cutoff = timezone.now() - timedelta(days=settings.EMAIL_KEEP_SENT_DAYS)
    return OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.SENT, sent_at__lt=cutoff
    )


def resend(messages) -> int:
    """An administrator sends failed (or stuck) messages again, from scratch."""
    with transaction.atomic():
        ids = list(
            messages.exclude(status=OutgoingEmail.Status.SENT).values_list(
                "pk", flat=True
            )
        )
        OutgoingEmail.objects.filter(pk__in=ids).update(
            status=OutgoingEmail.Status.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
        )
        for message_id in ids:
            _enqueue(message_id)
    return len(ids)

"""Weekly e-mail reminders of checklist steps, only for patients who asked for them.

Run weekly (cron or a systemd timer) `manage.py send_reminder_digests`: it enqueues
`enqueue_reminder_digests`, which walks the opted-in patients in batches and
enqueues one `send_reminder_digest` each. A digest lists the steps overdue, due
soon and the time-limited windows closing soon; with nothing to say, nothing is
sent. Each message carries a signed link that stops the reminders without signing
in. A patient who got a digest in the last few days is skipped, so running the
command twice in a week sends nothing twice.
"""

from dataclasses import dataclass, field

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from apps.accounts.models import PatientProfile, User
from apps.core.mail import absolute_url, queue_mail, render_mail, written_for

from .personalise import TimingState
from .services import build_patient_checklist

BATCH_SIZE = 200
# A second run within the same week finds the digest already sent.
MIN_DAYS_BETWEEN = 6
UNSUBSCRIBE_SALT = "checklists.reminders.unsubscribe"


def unsubscribe_token(user: User) -> str:
    """A signed token naming the account; it does not expire, like the message."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user: User) -> str:
    return absolute_url(
        reverse("checklists:reminders_unsubscribe", args=[unsubscribe_token(user)])
    )


def user_id_for_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def stop_reminders(user_id: int) -> None:
    PatientProfile.objects.filter(user_id=user_id).update(email_reminders=False)


@dataclass
class Digest:
    overdue: list = field(default_factory=list)
    due_soon: list = field(default_factory=list)
    closing_soon: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overdue or self.due_soon or self.closing_soon)


def collect_digest(checklist) -> Digest:
    """The steps worth a reminder: still to do, for this patient, and urgent."""
    digest = Digest()
    buckets = {
        TimingState.OVERDUE: digest.overdue,
        TimingState.DUE_SOON: digest.due_soon,
        TimingState.CLOSING_SOON: digest.closing_soon,
    }
    for row in checklist.rows:
        if row.applies and row.is_open and row.timing.state in buckets:
            buckets[row.timing.state].append(row)
    for rows in buckets.values():
        rows.sort(key=lambda row: (row.timing.date, row.item.order))
    return digest


def opted_in_profiles():
    return PatientProfile.objects.filter(
        email_reminders=True, user__is_active=True, user__role=User.Role.PATIENT
    ).exclude(user__is_superuser=True)


@task()
def enqueue_reminder_digests() -> int:
    """One digest task per opted-in patient, read in batches of BATCH_SIZE."""
    last_pk = 0
    count = 0
    while True:
        batch = list(
            opted_in_profiles()
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "user_id")[:BATCH_SIZE]
        )
        if not batch:
            return count
        with transaction.atomic():
            for _, user_id in batch:
                send_reminder_digest.enqueue(user_id)
        count += len(batch)
        last_pk = batch[-1][0]


@task()
def send_reminder_digest(user_id: int) -> str:
    """Queue one patient's digest, if they still want it and something is due."""
    today = timezone.localdate()
    with transaction.atomic():
        profile = (
            opted_in_profiles()
            .select_for_update(of=("self",))
            .select_related("user")
            .filter(user_id=user_id)
            .first()
        )
        if profile is None:
            return "not opted in"
        sent = profile.reminder_sent_on
        if sent and (today - sent).days < MIN_DAYS_BETWEEN:
            return "sent recently"
        user = profile.user
        # The steps' own words too, in the patient's language.
        with written_for(user):
            checklist = build_patient_checklist(user, profile=profile, today=today)
            digest = collect_digest(checklist)
            if not digest:
                return "nothing due"
            subject, body = render_mail(
                "checklists/email/reminder_digest",
                {
                    "digest": digest,
                    "checklist_url": absolute_url(reverse("checklists:my_checklist")),
                    "account_url": absolute_url(reverse("accounts:account")),
                    "unsubscribe_url": unsubscribe_url(user),
                },
            )
        queue_mail(subject=subject, body=body, to=[user.email])
        profile.reminder_sent_on = today
        profile.save(update_fields=["reminder_sent_on"])
    return "queued"

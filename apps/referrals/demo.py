"""Demo clients and referrals for both demo caseworkers (never in production).

Every referral status appears for each caseworker, reached step by step so the
timeline shows each event. One client of caseworker1 is linked to
patient1@example.org, who shares checklist progress. Safe to run again: a client
that already exists is left as it is.
"""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.directory.models import Service

from .models import (
    Client,
    ClientInvitation,
    DeclineReason,
    Note,
    ProgressShare,
    Referral,
    ReferralEvent,
)
from .tokens import make_respond_token

FIXTURES = []
S = Referral.Status

# (status reached, steps) where each step is (status, by the service?, note).
PATHS = {
    S.DRAFT: [],
    S.SENT: [(S.SENT, False, "")],
    S.ACCEPTED: [
        (S.SENT, False, ""),
        (S.ACCEPTED, True, "We can see them; we will call to book a visit."),
    ],
    S.SCHEDULED: [
        (S.SENT, False, ""),
        (S.ACCEPTED, True, ""),
        (S.SCHEDULED, True, "First assessment booked."),
    ],
    S.COMPLETED: [
        (S.SENT, False, ""),
        (S.ACCEPTED, True, ""),
        (S.SCHEDULED, True, ""),
        (S.COMPLETED, True, "Assessment done; report sent to the clinic."),
    ],
    S.DECLINED: [
        (S.SENT, False, ""),
        (S.DECLINED, True, "Our waiting list is closed until the spring."),
    ],
    S.CANCELLED: [
        (S.SENT, False, ""),
        (S.CANCELLED, False, "The client found help closer to home."),
    ],
    S.NO_RESPONSE: [
        (S.SENT, False, ""),
        (S.NO_RESPONSE, False, "No answer after three reminders."),
    ],
}

# caseworker e-mail -> clients: (name, e-mail, phone, consents, statuses of referrals)
DEMO_CLIENTS = {
    "caseworker1@example.org": [
        (
            "Pat Rivera",
            "patient1@example.org",
            "617-555-0111",
            True,
            [S.SCHEDULED, S.SENT, S.COMPLETED],
        ),
        (
            "Dana Whitfield",
            "dana.whitfield@example.org",
            "617-555-0112",
            True,
            [S.DRAFT, S.ACCEPTED, S.DECLINED],
        ),
        (
            "Lou Haddad",
            "lou.haddad@example.org",
            "617-555-0113",
            False,
            [S.CANCELLED, S.NO_RESPONSE, S.SENT],
        ),
    ],
    "caseworker2@example.org": [
        (
            "Chris Nakamura",
            "chris.nakamura@example.org",
            "212-555-0121",
            True,
            [S.DRAFT, S.SENT, S.ACCEPTED, S.SCHEDULED],
        ),
        (
            "Frankie Osei",
            "frankie.osei@example.org",
            "212-555-0122",
            False,
            [S.COMPLETED, S.DECLINED, S.CANCELLED, S.NO_RESPONSE],
        ),
    ],
}
LINKED_PATIENT = "patient1@example.org"
REASONS = [
    "Needs an assessment for a communication device while speech is still clear.",
    "Would benefit from a home safety visit and advice on equipment.",
    "Asked for help with disability benefits and paperwork.",
    "Looking for a support group for the family.",
    "Needs a breathing test and advice on night-time support.",
]


def _advance(referral: Referral, path, *, caseworker: User, when) -> None:
    for status, by_service, note in path:
        appointment = when + timedelta(days=7) if status == S.SCHEDULED else None
        if by_service:
            referral.change_status(
                status,
                by_label=referral.service.name,
                note=note,
                appointment_at=appointment,
                # The demo's one decline: "Our waiting list is closed..."
                decline_reason=DeclineReason.NO_CAPACITY
                if status == S.DECLINED
                else "",
            )
        else:
            referral.change_status(
                status, by=caseworker, note=note, appointment_at=appointment
            )
        if status == S.SENT:
            Referral.objects.filter(pk=referral.pk).update(link_issued_at=F("sent_at"))


def _seed_client(caseworker: User, spec, services, counter: list[int]) -> int:
    name, email, phone, consents, statuses = spec
    if Client.objects.filter(caseworker=caseworker, email=email).exists():
        return 0
    now = timezone.now()
    today = timezone.localdate()
    client = Client.objects.create(
        caseworker=caseworker,
        team=caseworker.team,
        full_name=name,
        email=email,
        phone=phone,
        zip_code="02114" if caseworker.email.startswith("caseworker1") else "10001",
        consents_to_share_with_services=consents,
        consent_recorded_at=now if consents else None,
        last_seen_at=now - timedelta(days=len(statuses)),
    )
    for status in statuses:
        index = counter[0]
        counter[0] += 1
        referral = Referral.objects.create(
            client=client,
            service=services[index % len(services)],
            reason=REASONS[index % len(REASONS)],
            urgency=[
                Referral.Urgency.ROUTINE,
                Referral.Urgency.SOON,
                Referral.Urgency.URGENT,
            ][index % 3],
            # Some follow-ups have come, so the dashboard has something to show.
            follow_up_on=today + timedelta(days=(index % 4) * 7 - 3),
            created_by=caseworker,
        )
        ReferralEvent.objects.create(
            referral=referral, actor=caseworker, from_status="", to_status=S.DRAFT
        )
        _advance(referral, PATHS[status], caseworker=caseworker, when=now)
        if status == S.SENT and index % 2:
            # Sent two weeks ago with no answer yet.
            two_weeks_ago = now - timedelta(days=14)
            Referral.objects.filter(pk=referral.pk).update(
                sent_at=two_weeks_ago, link_issued_at=two_weeks_ago
            )
        Note.objects.create(
            client=client,
            referral=referral,
            author=caseworker,
            text="Talked it through with the client on the phone.",
            is_internal=True,
        )
    Note.objects.create(
        client=client,
        author=caseworker,
        text="Prefers calls in the morning; a family member often answers.",
        is_internal=True,
    )
    Note.objects.create(
        client=client,
        author=caseworker,
        text="Remember to bring your list of medicines to each appointment.",
        is_internal=False,
    )
    return 1


def _link_patient(stdout) -> None:
    patient = User.objects.filter(email=LINKED_PATIENT).first()
    client = Client.objects.filter(
        caseworker__email="caseworker1@example.org", email=LINKED_PATIENT
    ).first()
    if patient is None or client is None:
        return
    if client.patient_id != patient.pk:
        now = timezone.now()
        ClientInvitation.objects.create(
            client=client,
            email=LINKED_PATIENT,
            invited_by=client.caseworker,
            accepted_at=now,
            accepted_by=patient,
        )
        Client.objects.filter(pk=client.pk).update(patient=patient)
    client.patient = patient
    if not client.progress_shares.active().exists():
        ProgressShare.objects.create(
            client=client,
            patient=patient,
            caseworker=client.caseworker,
            team_id=client.team_id,
        )
    stdout.write(f"  referrals: client record linked to {LINKED_PATIENT}")


def seed(*, stdout) -> None:
    services = list(
        Service.objects.filter(accepts_referrals=True)
        .exclude(referral_email="")
        .order_by("name")
    )
    if not services:
        stdout.write("  referrals: no service accepts referrals; no demo referrals")
        return
    created = 0
    counter = [0]
    for email, specs in DEMO_CLIENTS.items():
        caseworker = User.objects.filter(email=email).first()
        if caseworker is None or caseworker.team_id is None:
            stdout.write(f"  referrals: no demo caseworker {email}, skipped")
            continue
        for spec in specs:
            created += _seed_client(caseworker, spec, services, counter)
    _link_patient(stdout)
    stdout.write(f"  referrals: {created} demo clients added")
    sent = (
        Referral.objects.filter(
            status=S.SENT,
            client__caseworker__email="caseworker1@example.org",
            link_issued_at__isnull=False,
        )
        .order_by("pk")
        .first()
    )
    if sent is not None:
        stdout.write(
            "  referrals: a service's answer page: "
            f"/respond/{make_respond_token(sent)}/"
        )

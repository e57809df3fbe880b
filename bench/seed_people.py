"""Bench data: patients, caseworkers, clients and referrals at national scale.

    .venv/bin/python bench/seed_people.py [--patients 50000] [--caseworkers 500]
                                          [--referrals 200000] [--seed 1]

Run against a database that already holds the seed content (``seed_demo``) and the
directory (``seed_directory``): referrals point at existing services and progress at
existing checklist items. ``bench/run.py`` calls it when it builds the bench database.

Everything is written with PostgreSQL COPY, in one transaction: the rows are random
and clearly fictional (``bench-...@example.org``), every account shares one password
hash (hashing 50,000 passwords would take longer than the rest together), and the
access log is left empty. Two accounts are made for the load test:

- ``bench-patient@example.org``: an ALS patient with a profile and checklist progress;
- ``bench-caseworker@example.org``: a caseworker with exactly HEAVY_CASELOAD referrals
  (a heavy caseload: the other caseworkers share the rest, about as many each), with
  TOTP set up, so the staff MFA rule lets the account in.

Refuses to run twice on the same database (the bench caseworker already exists).
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_PATIENT = "bench-patient@example.org"
BENCH_CASEWORKER = "bench-caseworker@example.org"
BENCH_PASSWORD = "bench-password-not-secret"  # nosec B105: local bench data only
# A TOTP secret so the staff MFA rule is met; nobody signs in with it interactively.
BENCH_TOTP_SECRET = "CARENAVBENCHTOTPSECRETKEY234567A"  # nosec B105
HEAVY_CASELOAD = 400
HEAVY_CLIENTS = 80
TEAM_SIZE = 20

FIRST = (
    "Alex Ana Ben Carla Dev Elif Femi Grace Hiro Ines Jon Kofi Lena Marta Nia Omar "
    "Pia Quinn Rosa Sami Tara Uma Vik Wen Yara Zoe"
).split()
LAST = (
    "Abara Brandt Castillo Dahl Eze Fontaine Garcia Holm Ito Jensen Kaur Lind Moreau "
    "Nakamura Okafor Petrov Quist Rossi Silva Tran Umar Varga Weiss Xu Young Zeller"
).split()
LANGUAGES = ["en"] * 14 + ["es"] * 4 + ["zh", "vi", "fr", "ko", "pt", "ar"]
SERVICE_ANSWERS = ("accepted", "scheduled", "declined")
# Roughly how a year of referrals ends up: most closed, a quarter still open.
STATUS_WEIGHTS = {
    "draft": 4,
    "sent": 14,
    "accepted": 9,
    "scheduled": 12,
    "completed": 38,
    "declined": 9,
    "cancelled": 9,
    "no_response": 5,
}
OPEN = {"draft", "sent", "accepted", "scheduled"}
REASONS = [
    "Needs an assessment for a power wheelchair.",
    "Speech is getting harder: communication device evaluation.",
    "Family asks for respite care a few days a month.",
    "Help with disability benefit forms.",
    "Swallowing changes: dietitian and feeding options.",
    "Support group near home, evenings preferred.",
    "Home access: ramp and bathroom changes.",
    "Breathing review with the pulmonology team.",
]


def setup_django() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carenav.settings")
    # Bulk loading runs longer than a web request may.
    os.environ.setdefault("DJANGO_STATEMENT_TIMEOUT_MS", "0")
    import django

    django.setup()


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


class Ids:
    """Explicit primary keys for COPY, continuing each table's identity."""

    def __init__(self, cursor, table: str):
        self.cursor = cursor
        self.table = table
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # nosec B608
        self.next = cursor.fetchone()[0] + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value

    def finish(self) -> None:
        """Move the table's sequence past the ids used, so later inserts work."""
        self.cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
            [self.table, self.next - 1],
        )


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    count = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"  # nosec B608
    with cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def seed_people(
    *,
    patients: int = 50_000,
    caseworkers: int = 500,
    referrals: int = 200_000,
    seed: int = 1,
    stdout=sys.stdout,
) -> dict[str, int]:
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.checklists.models import ChecklistItem

    if User.objects.filter(email=BENCH_CASEWORKER).exists():
        raise SystemExit("The bench people are already in this database.")
    if referrals < HEAVY_CASELOAD or caseworkers < 2:
        raise SystemExit("Need at least 2 caseworkers and 400 referrals.")
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    password = make_password(BENCH_PASSWORD)
    item_ids = list(
        ChecklistItem.objects.filter(is_retired=False).values_list("id", flat=True)
    )
    started = time.monotonic()
    counts: dict[str, int] = {}

    with transaction.atomic():
        cursor = connection.connection.cursor()  # psycopg's own, for COPY
        # No triggers while loading (the team change counts, history rows and
        # foreign-key checks): the generated rows are consistent by construction,
        # and counting each of 600,000 writes one row at a time took most of the
        # build. Needs a superuser, as the bench's local PostgreSQL is.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT id FROM directory_service ORDER BY id")
        service_ids = [row[0] for row in cursor.fetchall()]
        if not service_ids:
            raise SystemExit("Seed the directory first (seed_directory).")

        # Teams of TEAM_SIZE caseworkers, each with a supervisor.
        team_ids = Ids(cursor, "accounts_team")
        teams = [team_ids.take() for _ in range((caseworkers - 1) // TEAM_SIZE + 1)]
        counts["teams"] = _copy(
            cursor,
            "accounts_team",
            ["id", "name"],
            ((t, f"Bench team {n + 1}") for n, t in enumerate(teams)),
        )
        team_ids.finish()

        user_ids = Ids(cursor, "accounts_user")
        user_rows = []

        def user(email, role, team=None, joined_days=700):
            pk = user_ids.take()
            joined = now - datetime.timedelta(days=rng.randint(1, joined_days))
            user_rows.append(
                (pk, password, None, False, email, _name(rng), role, True, False)
                + (joined, team, "en")
            )
            return pk

        caseworker_ids = [user(BENCH_CASEWORKER, "caseworker", teams[0])]
        caseworker_ids += [
            user(
                f"bench-caseworker{n}@example.org", "caseworker", teams[n // TEAM_SIZE]
            )
            for n in range(1, caseworkers)
        ]
        for n, team in enumerate(teams):
            user(f"bench-supervisor{n}@example.org", "supervisor", team)
        patient_ids = [user(BENCH_PATIENT, "patient")]
        patient_ids += [
            user(f"bench-patient{n}@example.org", "patient") for n in range(1, patients)
        ]
        counts["users"] = _copy(
            cursor,
            "accounts_user",
            "id password last_login is_superuser email full_name role is_active "
            "is_staff date_joined team_id language".split(),
            user_rows,
        )
        user_ids.finish()

        profile_ids = Ids(cursor, "accounts_patientprofile")
        # Patients who share their checklist with the caseworker they are linked to.
        sharing: set[int] = set()

        def profiles():
            for n, patient in enumerate(patient_ids):
                bench = n == 0
                diagnosed = today - datetime.timedelta(
                    days=240 if bench else rng.randint(10, 2000)
                )
                onset = diagnosed - datetime.timedelta(days=rng.randint(60, 500))
                yield (
                    profile_ids.take(),
                    "als" if bench or rng.random() < 0.6 else "ms",
                    onset,
                    diagnosed,
                    "limb" if bench else rng.choice(["limb", "bulbar", "unknown"]),
                    "no" if bench else rng.choice(["yes", "no", "unknown"]),
                    "02114" if bench else rng.choice(["10001", "60611", "94110"]),
                    rng.choice(LANGUAGES),
                    False,
                    now,
                    patient,
                )
                if rng.random() < 0.4:
                    sharing.add(patient)

        counts["profiles"] = _copy(
            cursor,
            "accounts_patientprofile",
            "id disease symptom_onset_date diagnosis_date onset_site family_history "
            "zip_code preferred_language email_reminders updated_at user_id".split(),
            profiles(),
        )
        profile_ids.finish()

        progress_ids = Ids(cursor, "checklists_itemprogress")

        def progress_rows():
            for n, patient in enumerate(patient_ids):
                how_many = 25 if n == 0 else rng.randint(0, 12)
                for item in rng.sample(item_ids, min(how_many, len(item_ids))):
                    status = rng.choice(["done", "done", "todo", "not_for_me"])
                    done_on = (
                        today - datetime.timedelta(days=rng.randint(0, 300))
                        if status == "done"
                        else None
                    )
                    note = "Asked the clinic about this." if rng.random() < 0.1 else ""
                    yield (
                        progress_ids.take(),
                        status,
                        done_on,
                        note,
                        now,
                        item,
                        patient,
                    )

        counts["progress"] = _copy(
            cursor,
            "checklists_itemprogress",
            "id status done_on note updated_at item_id patient_id".split(),
            progress_rows(),
        )
        progress_ids.finish()

        # Clients: the bench caseworker gets HEAVY_CLIENTS of them; the others about
        # two referrals per client. About a third are linked to a patient account.
        client_ids = Ids(cursor, "referrals_client")
        clients_by_caseworker: dict[int, list[int]] = {}
        client_rows = []
        others_referrals = referrals - HEAVY_CASELOAD
        per_other = max(1, others_referrals // (caseworkers - 1) // 2)
        linkable = iter(rng.sample(patient_ids[1:], len(patient_ids) - 1))
        for index, caseworker in enumerate(caseworker_ids):
            team = teams[index // TEAM_SIZE]
            how_many = HEAVY_CLIENTS if index == 0 else per_other
            ids = clients_by_caseworker.setdefault(caseworker, [])
            for _ in range(how_many):
                pk = client_ids.take()
                ids.append(pk)
                created = now - datetime.timedelta(days=rng.randint(1, 700))
                patient = next(linkable, None) if rng.random() < 0.33 else None
                consent = rng.random() < 0.8
                seen = (
                    now - datetime.timedelta(hours=rng.randint(1, 2000))
                    if rng.random() < 0.7
                    else None
                )
                client_rows.append(
                    (
                        pk,
                        _name(rng),
                        f"client{pk}@example.org",
                        f"555-01{pk % 100:02d}",
                        datetime.date(rng.randint(1940, 1995), rng.randint(1, 12), 1),
                        rng.choice(["02114", "10001", "60611", "94110", "73301"]),
                        rng.choice(LANGUAGES),
                        consent,
                        created if consent else None,
                        created,
                        created,
                        seen,
                        "unknown",
                        caseworker,
                        patient,
                        team,
                    )
                )
        counts["clients"] = _copy(
            cursor,
            "referrals_client",
            "id full_name email phone date_of_birth zip_code preferred_language "
            "consents_to_share_with_services consent_recorded_at created_at "
            "updated_at last_seen_at gender caseworker_id patient_id team_id".split(),
            client_rows,
        )
        client_ids.finish()
        cursor.execute(
            "INSERT INTO referrals_progressshare "
            "(client_id, patient_id, caseworker_id, team_id, granted_at) "
            "SELECT id, patient_id, caseworker_id, team_id, created_at "
            "FROM referrals_client WHERE patient_id = ANY(%s)",
            [sorted(sharing)],
        )
        counts["progress shares"] = cursor.rowcount

        # Referrals: exactly HEAVY_CASELOAD for the bench caseworker, the rest
        # spread over the other caseworkers' clients; one event per status step.
        referral_ids = Ids(cursor, "referrals_referral")
        event_ids = Ids(cursor, "referrals_referralevent")
        statuses = list(STATUS_WEIGHTS)
        weights = list(STATUS_WEIGHTS.values())
        other_clients = [
            (caseworker, pk)
            for caseworker in caseworker_ids[1:]
            for pk in clients_by_caseworker[caseworker]
        ]
        heavy = caseworker_ids[0]
        owners = [
            (heavy, rng.choice(clients_by_caseworker[heavy]))
            for _ in range(HEAVY_CASELOAD)
        ] + [rng.choice(other_clients) for _ in range(others_referrals)]
        referral_rows = []
        event_rows = []
        path_to = {
            "draft": ["draft"],
            "sent": ["draft", "sent"],
            "accepted": ["draft", "sent", "accepted"],
            "scheduled": ["draft", "sent", "accepted", "scheduled"],
            "completed": ["draft", "sent", "accepted", "scheduled", "completed"],
            "declined": ["draft", "sent", "declined"],
            "cancelled": ["draft", "cancelled"],
            "no_response": ["draft", "sent", "no_response"],
        }
        for caseworker, client in owners:
            pk = referral_ids.take()
            status = rng.choices(statuses, weights)[0]
            created = now - datetime.timedelta(minutes=rng.randint(60, 365 * 24 * 60))
            steps = path_to[status]
            at = created
            sent_at = None
            for before, after in zip([""] + steps[:-1], steps, strict=True):
                # Services answer through their link (no account); the rest is the
                # caseworker's doing.
                answered = after in SERVICE_ANSWERS
                event_rows.append(
                    (
                        event_ids.take(),
                        "The service" if answered else "",
                        before,
                        after,
                        "",
                        "other" if after == "declined" else "",
                        at,
                        None if answered else caseworker,
                        pk,
                    )
                )
                if after == "sent":
                    sent_at = at
                at = min(now, at + datetime.timedelta(hours=rng.randint(1, 24 * 9)))
            follow_up = (
                today + datetime.timedelta(days=rng.randint(-20, 60))
                if status in OPEN and rng.random() < 0.7
                else None
            )
            appointment = (
                now + datetime.timedelta(days=rng.randint(1, 40))
                if status == "scheduled"
                else None
            )
            referral_rows.append(
                (
                    pk,
                    status,
                    rng.choice(REASONS),
                    rng.choice(["routine", "routine", "soon", "urgent"]),
                    follow_up,
                    appointment,
                    len(steps),
                    created,
                    at,
                    sent_at,
                    1,
                    client,
                    caseworker,
                    None,
                    rng.choice(service_ids),
                    sent_at,
                )
            )
        counts["referrals"] = _copy(
            cursor,
            "referrals_referral",
            "id status reason urgency follow_up_on appointment_at version created_at "
            "updated_at sent_at token_generation client_id created_by_id location_id "
            "service_id link_issued_at".split(),
            referral_rows,
        )
        referral_ids.finish()
        counts["events"] = _copy(
            cursor,
            "referrals_referralevent",
            "id actor_label from_status to_status note decline_reason at actor_id "
            "referral_id".split(),
            event_rows,
        )
        event_ids.finish()

        TOTP.activate(User.objects.get(pk=heavy), BENCH_TOTP_SECRET)
        for table in (
            "accounts_user",
            "accounts_patientprofile",
            "checklists_itemprogress",
            "referrals_client",
            "referrals_referral",
            "referrals_referralevent",
        ):
            cursor.execute(f"ANALYZE {table}")  # nosec B608
    elapsed = time.monotonic() - started
    stdout.write(
        ", ".join(f"{n} {what}" for what, n in counts.items())
        + f" written in {elapsed:.0f}s.\n"
    )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=50_000)
    parser.add_argument("--caseworkers", type=int, default=500)
    parser.add_argument("--referrals", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    setup_django()
    seed_people(
        patients=args.patients,
        caseworkers=args.caseworkers,
        referrals=args.referrals,
        seed=args.seed,
    )


if __name__ == "__main__":
    main()

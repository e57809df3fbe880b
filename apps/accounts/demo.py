"""Demo accounts for trying every role locally (never in production)."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from .models import PatientProfile, Team, User
from .roles import assign_role, set_clinical_reviewer

# A published demo password: seed_demo refuses to run unless DEBUG is on.
DEMO_PASSWORD = "carenav-demo"  # nosec B105
# Shared by every staff demo account so any authenticator app (or oathtool) works;
# printed in the README.
DEMO_TOTP_SECRET = "CARENAVDEMOSTAFFTOTPSECRETKEY234"  # nosec B105

DEMO_ACCOUNTS = [
    ("patient1@example.org", "Pat Rivera", User.Role.PATIENT, None),
    ("patient2@example.org", "Sam Okafor", User.Role.PATIENT, None),
    ("caseworker1@example.org", "Casey Morgan", User.Role.CASEWORKER, "North team"),
    ("caseworker2@example.org", "Jordan Lee", User.Role.CASEWORKER, "South team"),
    ("supervisor@example.org", "Alex Kim", User.Role.SUPERVISOR, "North team"),
    ("editor@example.org", "Robin Patel", User.Role.CONTENT_EDITOR, None),
    # A content editor who is also a clinical reviewer; plainly not a real clinician.
    ("reviewer@example.org", "Dr. Demo Reviewer", User.Role.CONTENT_EDITOR, None),
    ("admin@example.org", "Ada Admin", "", None),
]
DEMO_REVIEWER_EMAIL = "reviewer@example.org"
FIXTURES = []


def seed(*, stdout) -> None:
    for email, name, role, team_name in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, password=DEMO_PASSWORD)
        else:
            user.set_password(DEMO_PASSWORD)
        user.full_name = name
        user.is_superuser = role == ""
        team = Team.objects.get_or_create(name=team_name)[0] if team_name else None
        assign_role(user=user, role=role, team=team)
        set_clinical_reviewer(user=user, is_reviewer=email == DEMO_REVIEWER_EMAIL)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"primary": True, "verified": True}
        )
        if user.requires_mfa:
            Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).delete()
            TOTP.activate(user, DEMO_TOTP_SECRET)
        if role == User.Role.PATIENT:
            PatientProfile.objects.get_or_create(user=user)
    stdout.write(f"  {len(DEMO_ACCOUNTS)} demo accounts, password {DEMO_PASSWORD!r}")

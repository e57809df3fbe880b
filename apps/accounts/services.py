from django.db import transaction
from django.utils import timezone

from .models import BackendClient, PatientProfile, User


@transaction.atomic
def update_patient_profile(*, form) -> PatientProfile:
    """Save the profile, stamping the moment consent to share progress changed."""
    profile = form.save(commit=False)
    if "shares_progress_with_caseworker" in form.changed_data or (
        profile.progress_consent_changed_at is None
        and profile.shares_progress_with_caseworker
    ):
        profile.progress_consent_changed_at = timezone.now()
    profile.save()
    return profile


@transaction.atomic
def register_backend_client(*, client: BackendClient) -> BackendClient:
    """Save a new backend client with the service account it reads through.

    The account can never sign in (no usable password, an address that cannot
    receive mail) and reads what a supervisor of the client's team may read.
    """
    client.full_clean(exclude=["account"])
    account = User.objects.create_user(
        email=f"{client.client_id.lower()}@backend-clients.invalid",
        password=None,
        full_name=f"API client: {client.name}"[:150],
        role=User.Role.SUPERVISOR,
        team=client.team,
    )
    client.account = account
    client.save()
    return client


@transaction.atomic
def update_backend_client(*, client: BackendClient) -> BackendClient:
    """Keep the service account in step with the client (team, name, on/off)."""
    client.save()
    User.objects.filter(pk=client.account_id).update(
        team=client.team,
        full_name=f"API client: {client.name}"[:150],
        is_active=client.is_active,
    )
    if not client.is_active:
        client.tokens.update(revoked=True)
    return client

"""Writes about accounts that touch several records."""

from django.db import transaction

from .models import BackendClient, User


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


@transaction.atomic
def delete_account(*, user: User) -> None:
    """Delete a patient's account and what belongs only to it.

    The database does the rest, as each model declares: profile, checklist progress
    and notes, saved services and consents go with the account (CASCADE); a
    caseworker's client record and its referrals stay with the team, unlinked
    (SET_NULL). See apps.accounts.personal_data for the sentence shown per kind.
    """
    if not user.is_patient:
        raise ValueError("Only a patient's own account is deleted this way.")
    user.delete()

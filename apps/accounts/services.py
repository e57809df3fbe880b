from django.db import transaction

from .models import User


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

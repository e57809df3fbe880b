from django.db import transaction
from django.utils import timezone

from .models import PatientProfile


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

"""A linked patient's checklist progress, for the caseworker: only with consent."""

from .models import Client


def checklist_progress_for(client: Client):
    """The summary the checklists app builds, or None.

    None when the client is not linked to a patient account, when that patient
    has not agreed (or no longer agrees) to share progress with their caseworker,
    or when the checklists app offers no summary. The caller has already checked
    that the viewer may see this client.
    """
    patient = client.patient
    if patient is None:
        return None
    profile = getattr(patient, "profile", None)
    if profile is None or not profile.shares_progress_with_caseworker:
        return None
    try:
        from apps.checklists.services import progress_summary_for
    except ImportError:
        return None
    return progress_summary_for(patient)

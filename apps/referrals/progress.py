"""A linked patient's checklist progress, for the caseworker: only with consent.

Consent is a ProgressShare the patient gave for this client record, to the team of
the caseworker it names.
"""

from django.db.models import OuterRef, Subquery

from apps.checklists.summary import progress_summary_for

from .models import Client, ProgressShare


def shared_since():
    """An annotation for a Client queryset: when the linked patient's current
    consent to share progress with the record's team was given, or None."""
    return Subquery(
        ProgressShare.objects.active()
        .filter(
            client=OuterRef("pk"), patient=OuterRef("patient"), team=OuterRef("team")
        )
        .values("granted_at")[:1]
    )


def progress_shared_since(client: Client):
    """When the linked patient's consent for this record's team was given, or None
    (no query when the client was fetched with the shared_since() annotation)."""
    if client.patient_id is None:
        return None
    if hasattr(client, "progress_shared_since"):
        return client.progress_shared_since
    return Client.objects.filter(pk=client.pk).values_list(shared_since(), flat=True)[0]


def checklist_progress_for(client: Client):
    """The summary the checklists app builds, or None.

    None when the client is not linked to a patient account or when that patient
    has not given (or has revoked) consent for this record's team. The caller has
    already checked that the viewer may see this client. A client fetched with
    the shared_since() annotation as `progress_shared_since` costs no query here.
    """
    since = progress_shared_since(client)
    if since is None:
        return None
    return progress_summary_for(client.patient, consent_given_at=since)

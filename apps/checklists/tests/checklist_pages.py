"""Role matrices, dates and URLs shared by the checklist page tests (test_views.py,
test_views_stages.py)."""

from django.urls import reverse
from django.utils import timezone

from apps.checklists.personalise import add_months

PATIENTS_ONLY = {
    "anonymous": 302,
    "patient": 200,
    "other_patient": 200,
    "caseworker": 403,
    "other_caseworker": 403,
    "supervisor": 403,
    "other_supervisor": 403,
    "content_editor": 403,
    "administrator": 403,
}
EVERYONE = dict.fromkeys(PATIENTS_ONLY, 200)


def months_ago(months):
    return add_months(timezone.localdate(), -months)


def status_url(item):
    return reverse("checklists:item_status", args=[item.pk])


def note_url(item):
    return reverse("checklists:item_note", args=[item.pk])

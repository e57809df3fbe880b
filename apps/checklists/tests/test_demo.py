"""seed_demo's part for checklists: a smoke test on the real seed content."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from apps.accounts import demo as accounts_demo
from apps.accounts.models import PatientProfile, User
from apps.checklists import demo
from apps.checklists.models import ItemProgress
from apps.checklists.summary import progress_summary_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    for fixture in ["taxonomy.json", "diseases.json", *demo.FIXTURES]:
        call_command("loaddata", fixture, verbosity=0)
    accounts_demo.seed(stdout=io.StringIO())
    demo.seed(stdout=io.StringIO())


def test_seed_gives_the_demo_patients_profiles_and_progress(seeded):
    first = PatientProfile.objects.get(user__email="patient1@example.org")
    assert (first.onset_site, first.family_history, first.zip_code) == (
        "limb",
        "no",
        "02114",
    )
    second = PatientProfile.objects.get(user__email="patient2@example.org")
    assert (second.onset_site, second.family_history, second.zip_code) == (
        "bulbar",
        "yes",
        "10001",
    )
    for profile in (first, second):
        progress = ItemProgress.objects.filter(patient=profile.user)
        assert progress.filter(status="done", done_on__isnull=False).count() >= 3
        assert progress.filter(status="not_for_me").count() == 1
        assert progress.exclude(note="").count() == 1
    assert progress_summary_for(first.user, consent_given_at=timezone.now())


def test_seed_is_idempotent(seeded):
    before = ItemProgress.objects.count()
    demo.seed(stdout=io.StringIO())
    assert ItemProgress.objects.count() == before
    assert PatientProfile.objects.count() == 2


def test_demo_patient_pages_work_with_the_seed_content(seeded, client):
    client.force_login(User.objects.get(email="patient2@example.org"))
    response = client.get(reverse("checklists:my_checklist"))
    assertContains(response, "about 20 months ago")
    # First symptoms 11 months before the diagnosis: the usual 24-month trial
    # window, counted from them, has closed, and the page of its stage says what it
    # counts from.
    response = client.get(
        reverse("checklists:my_checklist_stage", args=["planning-ahead"])
    )
    assertContains(response, "Window closed on")
    assertContains(response, "Counted from when your first symptoms began")
    for name in ("my_checklist_print", "my_checklist_calendar"):
        assert client.get(reverse(f"checklists:{name}")).status_code == 200
    assert client.get(reverse("checklists:stage_list", args=["ms"])).status_code == 200

"""The patient's account page, data export and deletion."""

import json

import pytest
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from apps.accounts import personal_data
from apps.accounts.models import PatientProfile, User
from apps.checklists.models import ItemProgress, PatientStage
from apps.checklists.tests.factories import ChecklistItemFactory, ItemProgressFactory
from apps.directory.models import SavedService
from apps.directory.tests.factories import ServiceFactory
from apps.referrals.models import Client, ProgressShare, Referral
from apps.referrals.tests.factories import ClientFactory, NoteFactory, ReferralFactory

pytestmark = pytest.mark.django_db

PATIENTS_ONLY = {
    "anonymous": 302,
    "patient": 200,
    "caseworker": 403,
    "supervisor": 403,
    "content_editor": 403,
    "administrator": 403,
}


def records_of(patient, caseworker, *, marker: str) -> dict:
    """One record of every kind CareNav keeps about a patient, each naming marker."""
    item = ChecklistItemFactory(title=f"Step of {marker}")
    ItemProgressFactory(
        patient=patient, item=item, status="todo", note=f"Note of {marker}"
    )
    PatientStage.objects.update_or_create(
        patient=patient, defaults={"stage": item.stage}
    )
    service = ServiceFactory(name=f"Service of {marker}")
    SavedService.objects.create(user=patient, service=service)
    client = ClientFactory(caseworker=caseworker, patient=patient)
    referral = ReferralFactory(
        client=client,
        service=ServiceFactory(name=f"Referred service of {marker}"),
        status=Referral.Status.SENT,
        reason=f"Reason of {marker}",
    )
    NoteFactory(client=client, text=f"Shared note of {marker}", is_internal=False)
    NoteFactory(client=client, text=f"Internal note of {marker}", is_internal=True)
    ProgressShare.objects.create(
        client=client, patient=patient, caseworker=caseworker, team=caseworker.team
    )
    return {"client": client, "referral": referral}


@pytest.fixture
def everything(patient, other_patient, caseworker, other_caseworker):
    mine = records_of(patient, caseworker, marker="mine")
    records_of(other_patient, other_caseworker, marker="theirs")
    return mine


@pytest.mark.parametrize(
    "url_name", ["account", "data_page", "data_export", "account_delete"]
)
def test_account_pages_access(assert_access, url_name):
    assert_access(reverse(f"accounts:{url_name}"), PATIENTS_ONLY)


@pytest.mark.parametrize("url_name", ["account", "data_page", "data_export"])
def test_account_pages_refuse_post(client, patient, url_name):
    client.force_login(patient)
    assert client.post(reverse(f"accounts:{url_name}")).status_code == 405


def test_reminders_update_access(assert_access):
    expected = {**PATIENTS_ONLY, "patient": 302}
    assert_access(reverse("accounts:reminders_update"), expected, method="post")


def test_the_account_page_links_every_part(client, patient):
    client.force_login(patient)
    response = client.get(reverse("accounts:account"))
    for url in (
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("referrals:my_sharing"),
        reverse("accounts:data_export"),
        reverse("accounts:data_page"),
        reverse("accounts:account_delete"),
    ):
        assertContains(response, f'href="{url}')
    # The navigation leads patients here, not to the stock pages.
    assertContains(response, f'href="{reverse("accounts:account")}" aria-current')


def test_the_export_holds_every_kind_of_record_and_nobody_elses(
    client, patient, everything
):
    client.force_login(patient)
    response = client.get(reverse("accounts:data_export"))
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    for section in personal_data.sections():
        assert data[section.key], f"nothing exported for {section.key}"
    text = response.content.decode()
    assert patient.email in text
    for kind in (
        "Step of",
        "Note of",
        "Service of",
        "Referred service of",
        "Reason of",
        "Shared note of",
    ):
        assert f"{kind} mine" in text
    assert "theirs" not in text
    assert "Internal note" not in text


def test_the_readable_page_shows_the_same(client, patient, everything):
    client.force_login(patient)
    response = client.get(reverse("accounts:data_page"))
    for section in personal_data.sections():
        assertContains(response, section.title)
    assertContains(response, "Note of mine")
    assertContains(response, "Referred service of mine")
    assertNotContains(response, "theirs")
    assertNotContains(response, "Internal note")


def test_the_data_page_query_count_is_flat(
    client, patient, everything, caseworker, django_assert_max_num_queries
):
    client.force_login(patient)
    # session, user, then a fixed number per section (and the access-log writes of
    # the casework sections), whatever the number of records
    with django_assert_max_num_queries(20) as first:
        client.get(reverse("accounts:data_page"))
    records_of(patient, caseworker, marker="mine again")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("accounts:data_page"))


def test_the_profile_returns_to_where_the_patient_came_from(client, patient):
    client.force_login(patient)
    url = reverse("accounts:profile_update")
    came_from = reverse("checklists:my_checklist")
    data = {
        "disease": "als",
        "onset_site": "unknown",
        "family_history": "unknown",
        "preferred_language": "en",
        "next": came_from,
    }
    response = client.get(url, {"next": came_from})
    assertContains(response, f'name="next" value="{came_from}"')
    response = client.post(url, data)
    assertRedirects(response, came_from, fetch_redirect_response=False)
    response = client.post(url, {**data, "next": "https://elsewhere.example/"})
    assertRedirects(response, url, fetch_redirect_response=False)


def test_deleting_explains_and_asks_for_the_password(client, patient, everything):
    client.force_login(patient)
    url = reverse("accounts:account_delete")
    response = client.get(url)
    for section in personal_data.sections():
        assertContains(response, escape(section.on_delete))
    response = client.post(url, {"password": "wrong"})
    assertContains(response, "That is not your password.")
    assert User.objects.filter(pk=patient.pk).exists()


def test_deleting_removes_the_account_and_keeps_the_caseworkers_records(
    client, patient, other_patient, everything
):
    client.force_login(patient)
    response = client.post(
        reverse("accounts:account_delete"), {"password": "correct-horse-battery"}
    )
    assertRedirects(response, reverse("accounts:account_deleted"))
    assert not User.objects.filter(pk=patient.pk).exists()
    assert not PatientProfile.objects.filter(user_id=patient.pk).exists()
    assert not ItemProgress.objects.filter(patient_id=patient.pk).exists()
    assert not PatientStage.objects.filter(patient_id=patient.pk).exists()
    assert not SavedService.objects.filter(user_id=patient.pk).exists()
    assert not ProgressShare.objects.filter(patient_id=patient.pk).exists()
    # The caseworker's record and referral stay, unlinked.
    client_record = Client.objects.get(pk=everything["client"].pk)
    assert client_record.patient is None
    assert Referral.objects.filter(pk=everything["referral"].pk).exists()
    # Signed out; the other patient's data untouched.
    assert client.get(reverse("accounts:account")).status_code == 302
    assert ItemProgress.objects.filter(patient=other_patient).count() == 1


def test_the_account_page_query_count(client, patient, django_assert_num_queries):
    client.force_login(patient)
    # session, user, profile
    with django_assert_num_queries(3):
        client.get(reverse("accounts:account"))

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from apps.accounts.models import PatientProfile

URL = "accounts:profile_update"


def valid_data(**overrides):
    data = {
        "disease": "als",
        "diagnosis_date": "2026-07-01",
        "symptom_onset_date": "2026-01-15",
        "onset_site": "bulbar",
        "family_history": "yes",
        "zip_code": "02114",
        "preferred_language": "en",
    }
    data.update(overrides)
    return data


def test_profile_access_matrix(assert_access):
    assert_access(
        reverse(URL),
        {
            "anonymous": 302,
            "patient": 200,
            "caseworker": 403,
            "supervisor": 403,
            "content_editor": 403,
            "administrator": 403,
        },
    )


def test_profile_rejects_other_methods(client, patient):
    client.force_login(patient)
    assert client.put(reverse(URL)).status_code == 405


def test_patient_saves_profile(client, patient):
    client.force_login(patient)
    response = client.post(reverse(URL), valid_data())
    assertRedirects(response, reverse(URL))
    profile = PatientProfile.objects.get(user=patient)
    assert profile.diagnosis_date == date(2026, 7, 1)
    assert profile.onset_site == "bulbar"


def test_profile_shows_only_own_answers(client, patient, other_patient):
    PatientProfile.objects.filter(user=other_patient).update(zip_code="94110")
    client.force_login(patient)
    response = client.get(reverse(URL))
    assertContains(response, 'value="02114"')
    assert "94110" not in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("zip_code", "123", "exactly five digits"),
        ("zip_code", "12ab5", "exactly five digits"),
        ("zip_code", "00000", "could not find ZIP code 00000"),
        ("diagnosis_date", "2026-02-30", "Enter a real date"),
        ("diagnosis_date", "last spring", "Enter a real date"),
        ("diagnosis_date", "1850-01-01", "after 1900"),
    ],
)
def test_profile_form_explains_bad_input(client, patient, field, value, message):
    client.force_login(patient)
    response = client.post(reverse(URL), valid_data(**{field: value}))
    assert response.status_code == 200
    assertContains(response, message)
    assertContains(response, 'aria-invalid="true"')
    # Nothing was half-saved.
    assert PatientProfile.objects.get(user=patient).diagnosis_date is None


def test_future_diagnosis_date_is_refused(client, patient):
    client.force_login(patient)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(reverse(URL), valid_data(diagnosis_date=tomorrow))
    assertContains(response, "in the future")


def test_onset_after_diagnosis_is_refused(client, patient):
    client.force_login(patient)
    response = client.post(
        reverse(URL),
        valid_data(symptom_onset_date="2026-08-01", diagnosis_date="2026-07-01"),
    )
    assertContains(response, "Symptoms usually start before the diagnosis")

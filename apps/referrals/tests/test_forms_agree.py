"""The forms agree with each other: one ZIP check, one phone check, languages by
name, and text areas that never cut text silently."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from apps.accounts.models import PatientProfile
from apps.referrals.models import Client, Note

CLIENT = {
    "full_name": "Robin Quartz",
    "email": "robin@example.org",
    "preferred_language": "es",
}


@pytest.mark.parametrize(
    ("zip_code", "message"),
    [
        ("1234", "exactly five digits"),
        ("00000", "We could not find ZIP code 00000"),
    ],
)
def test_client_form_and_profile_give_the_same_zip_message(
    client, caseworker, patient, zip_code, message
):
    client.force_login(caseworker)
    on_client = client.post(
        reverse("referrals:client_create"), {**CLIENT, "zip_code": zip_code}
    )
    assertContains(on_client, message)
    client.force_login(patient)
    on_profile = client.post(
        reverse("accounts:profile_update"),
        {
            "disease": "als",
            "onset_site": "unknown",
            "family_history": "unknown",
            "preferred_language": "en",
            "zip_code": zip_code,
        },
    )
    assertContains(on_profile, message)


def test_phone_numbers_are_checked_and_written_one_way(client, caseworker):
    client.force_login(caseworker)
    refused = client.post(
        reverse("referrals:client_create"), {**CLIENT, "phone": "12345"}
    )
    assertContains(refused, "Enter a phone number with its area code")
    client.post(reverse("referrals:client_create"), {**CLIENT, "phone": "617 555 0142"})
    assert Client.objects.get().phone == "(617) 555-0142"


def test_language_is_shown_by_name(client, caseworker):
    client.force_login(caseworker)
    client.post(reverse("referrals:client_create"), CLIENT)
    record = Client.objects.get()
    page = client.get(record.get_absolute_url())
    assertContains(page, "Spanish")
    assert PatientProfile.Language("es").label == "Spanish"


def test_text_areas_count_instead_of_cutting(client, caseworker, client_record):
    client.force_login(caseworker)
    page = client.get(client_record.get_absolute_url())
    assertContains(page, 'data-maxlength="4000"')
    assert ' maxlength="4000"' not in page.content.decode()
    assertContains(page, "js/charcount.js")
    too_long = "x" * 4001
    response = client.post(
        reverse("referrals:note_create", args=[client_record.pk]),
        {"text": too_long, "visibility": "internal"},
    )
    assertContains(
        response, "Keep this to 4,000 characters or fewer: it has 4001", status_code=400
    )
    assertContains(response, too_long, status_code=400)  # nothing lost
    assert not Note.objects.exists()

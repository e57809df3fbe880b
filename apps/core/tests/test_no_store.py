"""Signed-in pages with personal data are never kept in a browser's cache."""

from django.urls import reverse

from apps.referrals.tests.factories import ClientFactory


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def test_a_patients_checklist_is_not_stored(client, patient):
    client.force_login(patient)
    response = client.get(reverse("checklists:my_checklist"))
    assert response.status_code == 200
    assert {"no-store", "private"} <= cache_control(response)


def test_a_caseworkers_client_page_is_not_stored(client, caseworker):
    record = ClientFactory(caseworker=caseworker, team=caseworker.team)
    client.force_login(caseworker)
    response = client.get(reverse("referrals:client_detail", args=[record.pk]))
    assert response.status_code == 200
    assert "no-store" in cache_control(response)


def test_a_signed_in_form_error_is_not_stored_either(client, patient):
    client.force_login(patient)
    response = client.post(reverse("accounts:profile_update"), {"zip_code": "x"})
    assert "no-store" in cache_control(response)


def test_public_pages_for_anonymous_visitors_may_be_cached(client, db):
    response = client.get(reverse("core:home"))
    assert "no-store" not in cache_control(response)


def test_after_signing_out_the_page_asks_for_sign_in_again(client, patient):
    client.force_login(patient)
    client.post(reverse("account_logout"))
    response = client.get(reverse("checklists:my_checklist"))
    assert response.status_code == 302

"""The patient's paced page is kept rendered until something on it changes."""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from apps.checklists.models import ItemProgress
from apps.checklists.page_cache import forget_local_copies
from apps.core.caching import forget_public_pages

from .conftest import set_profile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PERSONAL_PAGE_CACHE_SECONDS = 60
    forget_local_copies()
    yield
    forget_local_copies()


def test_a_kept_page_costs_two_queries_and_changes_with_the_progress(
    client, patient, items, django_assert_num_queries
):
    set_profile(patient, disease="als")
    client.force_login(patient)
    url = reverse("checklists:my_checklist")
    client.get(url)
    # session, user, profile with the moments of the last changes
    with django_assert_num_queries(3):
        response = client.get(url)
    assertContains(response, "Add a private note")
    client.post(
        reverse("checklists:item_note", args=[items["diary"].pk]), {"note": "Hi"}
    )
    response = client.get(url)
    assertContains(response, "My private note")
    assertContains(response, "Hi</textarea>")


def test_every_answer_carries_the_patients_own_csrf_token(patient, items):
    set_profile(patient, disease="als")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for each in (first, second):
        each.force_login(patient)
    url = reverse("checklists:my_checklist")
    first.get(url)
    response = second.get(url)
    assertNotContains(response, "carenav-csrf-placeholder")
    token = response.content.decode().split('name="csrfmiddlewaretoken" value="')[1]
    token = token.split('"')[0]
    answer = second.post(
        reverse("checklists:item_status", args=[items["diary"].pk]),
        {"status": "done", "csrfmiddlewaretoken": token},
    )
    assert answer.status_code == 302
    assert ItemProgress.objects.get(item=items["diary"]).status == "done"


def test_pages_are_kept_per_patient_and_retired_by_content_edits(
    client, patient, other_patient, items
):
    set_profile(patient, disease="als")
    set_profile(other_patient, disease="als")
    ItemProgress.objects.create(patient=patient, item=items["diary"], note="Mine")
    url = reverse("checklists:my_checklist")
    client.force_login(patient)
    assertContains(client.get(url), "Mine</textarea>")
    client.force_login(other_patient)
    assertNotContains(client.get(url), "Mine</textarea>")
    items["diary"].title = "Keep a daily diary"
    items["diary"].save()
    forget_public_pages()
    forget_local_copies()  # the other workers' copies expire in LOCAL_SECONDS
    assertContains(client.get(url), "Keep a daily diary")


def test_flash_messages_are_never_kept(client, patient, items):
    set_profile(patient, disease="als")
    client.force_login(patient)
    url = reverse("checklists:my_checklist")
    client.post(
        reverse("checklists:item_status", args=[items["diary"].pk]), {"status": "done"}
    )
    assertContains(client.get(url), "Saved. Marked as done")
    assertNotContains(client.get(url), "Saved. Marked as done")

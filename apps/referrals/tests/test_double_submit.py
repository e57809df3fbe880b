"""Sending the "new client" or "add note" form twice creates one record."""

import re
import uuid

import pytest
from django.db import IntegrityError
from django.urls import reverse

from apps.referrals.models import Client, Note
from apps.referrals.tests.factories import ClientFactory

KEY = re.compile(r'name="submission_key" value="([0-9a-f-]{36})"')


def new_client_data(key: str) -> dict:
    return {
        "full_name": "Robin Quartz",
        "email": "robin.quartz@example.org",
        "preferred_language": "en",
        "submission_key": key,
    }


def form_key(client, url: str) -> str:
    return KEY.search(client.get(url).content.decode()).group(1)


def test_the_new_client_form_sent_twice_creates_one_client(client, caseworker):
    client.force_login(caseworker)
    url = reverse("referrals:client_create")
    key = form_key(client, url)
    first = client.post(url, new_client_data(key))
    second = client.post(url, new_client_data(key))
    record = Client.objects.get()
    assert first.url == second.url == record.get_absolute_url()


def test_two_filled_in_forms_create_two_clients(client, caseworker):
    client.force_login(caseworker)
    url = reverse("referrals:client_create")
    client.post(url, new_client_data(form_key(client, url)))
    client.post(url, new_client_data(form_key(client, url)))
    assert Client.objects.count() == 2


def test_each_form_page_carries_a_fresh_key(client, caseworker):
    client.force_login(caseworker)
    url = reverse("referrals:client_create")
    assert form_key(client, url) != form_key(client, url)


def test_the_note_form_sent_twice_adds_one_note(client, caseworker):
    record = ClientFactory(caseworker=caseworker, team=caseworker.team)
    client.force_login(caseworker)
    key = form_key(client, record.get_absolute_url())
    url = reverse("referrals:note_create", args=[record.pk])
    data = {"text": "Called, no answer.", "visibility": "internal"}
    first = client.post(url, {**data, "submission_key": key})
    second = client.post(url, {**data, "submission_key": key})
    assert Note.objects.filter(client=record).count() == 1
    assert first.status_code == second.status_code == 302
    assert first.url == second.url


def test_another_persons_key_is_refused(client, caseworker, other_caseworker):
    record = ClientFactory(caseworker=caseworker, team=caseworker.team)
    key = uuid.uuid4()
    Note.objects.create(client=record, author=caseworker, text="A", submission_key=key)
    theirs = ClientFactory(caseworker=other_caseworker, team=other_caseworker.team)
    client.force_login(other_caseworker)
    url = reverse("referrals:note_create", args=[theirs.pk])
    response = client.post(
        url, {"text": "B", "visibility": "internal", "submission_key": str(key)}
    )
    assert response.status_code == 400
    assert not Note.objects.filter(client=theirs).exists()


@pytest.mark.django_db
def test_the_database_refuses_two_records_from_one_submission(caseworker):
    key = uuid.uuid4()
    ClientFactory(caseworker=caseworker, team=caseworker.team, submission_key=key)
    with pytest.raises(IntegrityError):
        ClientFactory(caseworker=caseworker, team=caseworker.team, submission_key=key)

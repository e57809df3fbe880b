"""A database outage: every answer says so in its own format, with Retry-After."""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains


@contextmanager
def database_down():
    """Every query fails as it does when PostgreSQL is out of reach."""
    lost = OperationalError("server closed the connection unexpectedly")
    with (
        mock.patch.object(CursorWrapper, "execute", side_effect=lost),
        mock.patch.object(CursorWrapper, "executemany", side_effect=lost),
    ):
        yield


@pytest.fixture
def browser(db):
    return Client(raise_request_exception=False)


def test_the_hsds_api_answers_an_outage_with_json(browser):
    with database_down():
        response = browser.get(reverse("hsds_api:service_list"))
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    assert "unavailable" in response.json()["detail"]


def test_the_fhir_api_answers_an_outage_with_an_operation_outcome(browser, caseworker):
    browser.force_login(caseworker)
    with database_down():
        response = browser.get(reverse("fhir_api:service_request_search"))
    assert response.status_code == 503
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Retry-After"] == "30"
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "transient"


def test_pages_still_answer_an_outage_with_the_html_page(browser, patient):
    browser.force_login(patient)
    with database_down():
        response = browser.get(reverse("checklists:my_checklist"))
    assertContains(response, "briefly unavailable", status_code=503)
    assert "no-store" in response["Cache-Control"]


def test_an_unknown_api_path_is_a_json_404(client, db):
    response = client.get("/api/hsds/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_healthz_answers_head_like_get(client, db):
    response = client.head(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"


def test_healthz_head_reports_database_loss(client, db):
    with database_down():
        response = client.head(reverse("healthz"))
    assert response.status_code == 503
    assert response["Retry-After"]

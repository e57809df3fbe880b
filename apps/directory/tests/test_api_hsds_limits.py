"""The HSDS 3.0 read API: errors, query counts, ndjson, the rate limit and the OpenAPI
description."""

import json
import uuid

import pytest
from django.urls import reverse

from apps.directory.models import Service

from .hsds_api import (
    get,
)

# Errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("service_list", {"page": "abc"}, "page"),
        ("service_list", {"page": "0"}, "page"),
        ("service_list", {"page": "99999999999999"}, "page"),
        ("service_list", {"per_page": "10000"}, "per_page"),
        ("service_list", {"per_page": "-1"}, "per_page"),
        ("service_list", {"taxonomy_term_id": "therapy"}, "taxonomy_term_id"),
        ("service_list", {"organization_id": "42"}, "organization_id"),
        ("service_list", {"modified_after": "yesterday"}, "modified_after"),
        ("service_list", {"modified_after": "2024-13-45"}, "modified_after"),
        ("service_list", {"format": "xml"}, "format"),
        ("service_list", {"full": "maybe"}, "full"),
        ("service_at_location_list", {"postcode": "00000"}, "postcode"),
        ("service_at_location_list", {"postcode": "SW1A 1AA"}, "postcode"),
        ("service_at_location_list", {"proximity": "1000"}, "proximity"),
        (
            "service_at_location_list",
            {"postcode": "02114", "proximity": "far"},
            "proximity",
        ),
        ("organization_list", {"per_page": "x"}, "per_page"),
        ("taxonomy_list", {"page": "-3"}, "page"),
        ("taxonomy_term_list", {"parent_id": "top"}, "parent_id"),
    ],
)
def test_bad_parameters_answer_400_with_a_message(client, db, name, params, field):
    response = get(client, name, **params)
    assert response.status_code == 400
    data = response.json()
    assert data["detail"]
    assert data["errors"][field]


@pytest.mark.parametrize(
    "name",
    [
        "service_detail",
        "organization_detail",
        "taxonomy_detail",
        "taxonomy_term_detail",
    ],
)
def test_unknown_and_malformed_ids(client, db, name):
    response = get(client, name, uuid.uuid4())
    assert response.status_code == 404
    assert response.json()["detail"].startswith("No ")
    response = get(client, name, "not-a-uuid")
    assert response.status_code == 400
    assert response.json()["errors"]["id"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only(client, service, method):
    for url in [
        reverse("hsds_api:service_list"),
        reverse("hsds_api:service_detail", args=[service.id]),
    ]:
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code == 405
    assert Service.objects.filter(pk=service.pk).exists()


def test_public_for_everyone(client, assert_access, service):
    url = reverse("hsds_api:service_detail", args=[service.id])
    assert_access(url, {"anonymous": 200, "patient": 200, "caseworker": 200})


# OpenAPI ------------------------------------------------------------------------------


def test_openapi_document_describes_the_endpoints(client, db):
    response = client.get(reverse("hsds_api:openapi"))
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/hsds/",
        "/api/hsds/services",
        "/api/hsds/services/{id}",
        "/api/hsds/service_at_locations",
        "/api/hsds/service_at_locations/{id}",
        "/api/hsds/organizations",
        "/api/hsds/organizations/{id}",
        "/api/hsds/taxonomies",
        "/api/hsds/taxonomies/{id}",
        "/api/hsds/taxonomy_terms",
        "/api/hsds/taxonomy_terms/{id}",
    }
    sal = document["paths"]["/api/hsds/service_at_locations"]["get"]
    names = {p["name"] for p in sal["parameters"]}
    assert {"search", "page", "per_page", "format", "postcode", "proximity"} <= names
    assert {"taxonomy_term_id", "taxonomy_id", "organization_id", "full"} <= names
    assert "modified_after" in names
    assert document["servers"] == [
        {"url": "http://testserver", "description": "CareNav"}
    ]
    for path in ("services", "service_at_locations", "organizations", "taxonomies"):
        content = document["paths"][f"/api/hsds/{path}"]["get"]["responses"]["200"]
        assert set(content["content"]) == {"application/json", "application/x-ndjson"}
    # Required as HSDS requires, not every field.
    schemas = document["components"]["schemas"]
    assert sorted(schemas["Service"]["required"]) == ["id", "name", "status"]
    assert sorted(schemas["Phone"]["required"]) == ["id", "number"]
    assert set(document["paths"]["/api/hsds/services"]) == {"get"}

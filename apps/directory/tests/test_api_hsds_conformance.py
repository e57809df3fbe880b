"""What an HSDS consumer and Open Referral's validator need beyond the shapes:
CORS on the public read API, HEAD, every documented filter applied or refused, the
single service-at-location endpoint, and last_modified kept through import and
export."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from apps.directory.hsds.exporter import export_json
from apps.directory.hsds.importer import import_hsds
from apps.directory.models import Service
from apps.directory.tests.factories import (
    OrganizationFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)

from .test_api_hsds import assert_valid

LIST_NAMES = [
    "service_list",
    "service_at_location_list",
    "organization_list",
    "taxonomy_list",
    "taxonomy_term_list",
]


def get(client, name, *args, **params):
    return client.get(reverse(f"hsds_api:{name}", args=args), params)


@pytest.mark.parametrize("name", ["root", *LIST_NAMES, "openapi"])
def test_public_read_api_allows_any_origin(client, db, name):
    response = get(client, name)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


def test_errors_allow_any_origin_too(client, db):
    response = get(client, "service_detail", "not-an-id")
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("name", ["root", *LIST_NAMES])
def test_head_answers_like_get(client, db, name):
    head = client.head(reverse(f"hsds_api:{name}"))
    assert head.status_code == 200
    assert head["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("service_list", {"taxonomy": "x"}),
        ("service_list", {"postcode": "02114"}),
        ("service_list", {"minimal": "true", "full": "true"}),
        ("service_at_location_list", {"minimal": "true"}),
        ("organization_list", {"organization_id": str(uuid.uuid4())}),
        ("taxonomy_list", {"full": "true"}),
        ("taxonomy_term_list", {"modified_after": "2026-01-01T00:00:00Z"}),
        ("root", {"page": "2"}),
    ],
)
def test_unsupported_parameters_are_refused(client, db, name, params):
    response = get(client, name, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert body["errors"]


def test_detail_endpoints_refuse_unknown_parameters(client, db):
    service = ServiceFactory()
    assert get(client, "service_detail", service.id).status_code == 200
    assert get(client, "service_detail", service.id, full="true").status_code == 400


@pytest.fixture
def two_taxonomies(db):
    ours = TaxonomyTermFactory(code="ours-1", taxonomy="carenav")
    theirs = TaxonomyTermFactory(code="theirs-1", taxonomy="open-eligibility")
    return {
        "ours": ServiceFactory(name="Ours", taxonomy_terms=[ours]),
        "theirs": ServiceFactory(name="Theirs", taxonomy_terms=[theirs]),
    }


def test_taxonomy_id_filters_services_and_service_at_locations(client, two_taxonomies):
    from apps.directory.hsds.mapping import taxonomy_id

    wanted = taxonomy_id("open-eligibility")
    data = get(client, "service_list", taxonomy_id=str(wanted)).json()
    assert [s["name"] for s in data["contents"]] == ["Theirs"]
    ServiceAtLocationFactory(service=two_taxonomies["ours"])
    ServiceAtLocationFactory(service=two_taxonomies["theirs"])
    data = get(client, "service_at_location_list", taxonomy_id=str(wanted)).json()
    assert [row["service"]["name"] for row in data["contents"]] == ["Theirs"]
    data = get(client, "service_list", taxonomy_id=str(uuid.uuid4())).json()
    assert data["total_items"] == 0


def test_minimal_lists_every_service_with_its_change_time(client, db):
    services = [ServiceFactory() for _ in range(3)]
    response = get(client, "service_list", minimal="true", per_page=1)
    assert response.status_code == 200
    items = json.loads(b"".join(response.streaming_content))
    assert {item["id"] for item in items} == {str(s.id) for s in services}
    assert all(set(item) == {"id", "last_modified"} for item in items)
    lines = b"".join(
        get(client, "service_list", minimal="true", format="ndjson").streaming_content
    ).splitlines()
    assert len(lines) == 3


def test_full_service_at_locations_and_organizations(client, db):
    link = ServiceAtLocationFactory()
    data = get(client, "service_at_location_list", full="true").json()
    (row,) = data["contents"]
    assert row["location"]["id"] == str(link.location_id)
    assert row["service"]["id"] == str(link.service_id)
    assert "phones" in row["service"]  # the service fully nested

    org = OrganizationFactory()
    ServiceFactory(organization=org)
    brief = get(client, "organization_list").json()["contents"]
    assert all("services" not in item for item in brief)
    full = get(client, "organization_list", full="true").json()["contents"]
    nested = next(item for item in full if item["id"] == str(org.id))
    assert "schedules" not in nested["services"][0]
    deep = get(client, "organization_list", full_service="true").json()["contents"]
    nested = next(item for item in deep if item["id"] == str(org.id))
    assert "schedules" in nested["services"][0]
    assert_valid(nested, "organization.json")
    detail = get(client, "organization_detail", org.id, full_service="true").json()
    assert "schedules" in detail["services"][0]


def test_single_service_at_location(client, db):
    link = ServiceAtLocationFactory()
    response = get(client, "service_at_location_detail", link.id)
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == str(link.id)
    assert data["location"]["id"] == str(link.location_id)
    assert_valid(
        {k: v for k, v in data.items() if k != "service"}, "service_at_location.json"
    )
    assert get(client, "service_at_location_detail", uuid.uuid4()).status_code == 404
    assert get(client, "service_at_location_detail", "nope").status_code == 400


def test_import_keeps_last_modified_and_export_gives_it_back(tmp_path, db):
    org = {"id": str(uuid.uuid4()), "name": "Kept Time Org"}
    service = {
        "id": str(uuid.uuid4()),
        "name": "Kept Time Service",
        "status": "active",
        "organization": org,
        "last_modified": "2024-03-05T10:00:00Z",
    }
    source = tmp_path / "services.json"
    source.write_text(json.dumps([service]))
    result = import_hsds([source])
    assert not result.plan.problems, result.plan.problems
    stored = Service.objects.get(pk=service["id"])
    assert stored.last_modified == datetime(2024, 3, 5, 10, tzinfo=UTC)

    out = tmp_path / "export"
    out.mkdir()
    export_json(out)
    exported = [
        item
        for path in out.glob("*.json")
        for item in (json.loads(path.read_text()).get("contents") or [])
        if isinstance(item, dict) and item.get("id") == service["id"]
    ]
    assert exported and exported[0]["last_modified"].startswith("2024-03-05T10:00:00")

    # A changed value in a republished file takes the file's new time, not now.
    service["description"] = "Now with evening hours."
    service["last_modified"] = "2025-01-02T08:30:00+00:00"
    source.write_text(json.dumps([service]))
    import_hsds([source])
    stored.refresh_from_db()
    assert stored.last_modified == datetime(2025, 1, 2, 8, 30, tzinfo=UTC)
    assert stored.description == "Now with evening hours."


def test_modified_after_sees_the_source_time(client, tmp_path, db):
    org = {"id": str(uuid.uuid4()), "name": "Org"}
    rows = [
        {
            "id": str(uuid.uuid4()),
            "name": name,
            "status": "active",
            "organization": org,
            "last_modified": stamp,
        }
        for name, stamp in [
            ("Old", "2020-01-01T00:00:00Z"),
            ("New", "2026-06-01T00:00:00Z"),
        ]
    ]
    source = tmp_path / "services.json"
    source.write_text(json.dumps(rows))
    import_hsds([source])
    data = get(client, "service_list", modified_after="2025-01-01T00:00:00Z").json()
    assert [s["name"] for s in data["contents"]] == ["New"]


def test_a_bad_last_modified_is_reported(tmp_path, db):
    org = {"id": str(uuid.uuid4()), "name": "Org"}
    row = {
        "id": str(uuid.uuid4()),
        "name": "Bad time",
        "status": "active",
        "organization": org,
        "last_modified": "yesterday",
    }
    source = tmp_path / "services.json"
    source.write_text(json.dumps([row]))
    result = import_hsds([source])
    assert any("last_modified" in str(problem) for problem in result.plan.problems)

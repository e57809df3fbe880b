"""The HSDS 3.0 read API: shapes (validated against the HSDS JSON Schemas), filters,
paging, errors, query counts, ndjson and the rate limit."""

import copy
import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Resource
from referencing.jsonschema import DRAFT202012

from apps.directory.hsds import schemas as hsds_schemas
from apps.directory.hsds.mapping import FACTS, FACTS_TAXONOMY, taxonomy_id
from apps.directory.models import Service
from apps.directory.search import refresh_search_index
from apps.directory.tests.factories import (
    AddressFactory,
    LanguageFactory,
    OrganizationFactory,
    PhoneFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)

# The object schemas (and the Page envelope) come with the HSDS import/export; the
# compiled list schemas the API's lists follow are kept next to the API.
COMPILED_DIR = Path(__file__).resolve().parents[1] / "api" / "hsds_schema" / "compiled"
REGISTRY = hsds_schemas.registry().with_resources(
    (
        f"compiled/{path.name}",
        Resource.from_contents(
            json.loads(path.read_text()), default_specification=DRAFT202012
        ),
    )
    for path in COMPILED_DIR.glob("*.json")
)
PAGE_SCHEMA = json.loads((hsds_schemas.SCHEMA_DIR / "page.json").read_text())
PAGE_KEYS = set(PAGE_SCHEMA["properties"]) | {"contents"}


# jsonschema checks uuid and email itself; date-time and uri need optional packages,
# so they are checked here with the standard library.
FORMATS = copy.deepcopy(Draft202012Validator.FORMAT_CHECKER)


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value) -> bool:
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        return "T" in value and parsed.tzinfo is not None
    return True


@FORMATS.checks("uri")
def is_uri(value) -> bool:
    if isinstance(value, str):
        parts = urlsplit(value)
        return bool(parts.scheme and (parts.netloc or parts.path))
    return True


def assert_valid(instance, schema_name: str) -> None:
    """Validate against one HSDS schema, formats (uuid, email, date-time, uri) too."""
    validator = Draft202012Validator(
        {"$ref": schema_name}, registry=REGISTRY, format_checker=FORMATS
    )
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(instance)
    ]
    assert not errors, errors


def assert_page(data, item_schema: str) -> None:
    Draft202012Validator(PAGE_SCHEMA).validate(data)
    assert set(data) == PAGE_KEYS
    assert data["size"] == len(data["contents"])
    for item in data["contents"]:
        assert_valid(item, item_schema)


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    # The throttle counts requests in the cache, which outlives a single test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def terms(db):
    parent = TaxonomyTermFactory(code="therapy", name="Therapy and rehabilitation")
    child = TaxonomyTermFactory(
        code="speech-language", name="Speech-language pathology", parent=parent
    )
    other = TaxonomyTermFactory(code="respite", name="Respite care")
    return {"parent": parent, "child": child, "other": other}


@pytest.fixture
def service(terms):
    """A service with everything HSDS can nest under it."""
    service = ServiceFactory(
        name="Voice banking clinic",
        description="Speech therapists help record your voice.",
        url="https://clinic.example.org/voice",
        minimum_age=18,
        assured_date=timezone.localdate(),
        taxonomy_terms=[terms["child"]],
    )
    PhoneFactory(service=service, number="617-555-0101", extension="12")
    PhoneFactory(service=service, number="617-555-0102", extension="ask for Ann")
    ScheduleFactory(service=service)
    LanguageFactory(service=service)
    at = ServiceAtLocationFactory(service=service, location__name="Main site")
    AddressFactory(location=at.location)
    PhoneFactory(service=None, location=at.location)
    ScheduleFactory(service=None, location=at.location, byday="SA")
    PhoneFactory(service=None, service_at_location=at)
    refresh_search_index()
    return service


@pytest.fixture
def other_service(terms):
    service = ServiceFactory(
        name="Respite at home",
        description="A break for carers.",
        taxonomy_terms=[terms["other"]],
    )
    ServiceAtLocationFactory(
        service=service,
        # Worcester, MA: about 60 km west of Boston.
        location__latitude=42.2626,
        location__longitude=-71.8023,
    )
    refresh_search_index()
    return service


def get(client, name, *args, **params):
    return client.get(reverse(f"hsds_api:{name}", args=args), params)


# Shapes ------------------------------------------------------------------------------


def test_root_names_version_and_openapi_document(client, db):
    response = get(client, "root")
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == "3.0"
    assert data["openapi_url"] == "http://testserver" + reverse("hsds_api:openapi")


def test_service_list_is_a_valid_page_of_services(client, service, other_service):
    response = get(client, "service_list")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert_page(data, "compiled/service_list.json")
    assert data["total_items"] == 2
    assert [s["name"] for s in data["contents"]] == [
        "Respite at home",
        "Voice banking clinic",
    ]
    first = data["contents"][1]
    assert first["organization"]["id"] == str(service.organization_id)
    assert first["last_modified"].endswith("Z")
    # Empty optional values are left out rather than sent as "" or null.
    assert "alternate_name" not in first


def test_service_list_full_nests_each_service(client, service):
    data = get(client, "service_list", full="true").json()
    assert_page(data, "service.json")
    assert len(data["contents"][0]["service_at_locations"]) == 1


def test_service_detail_is_fully_nested_and_valid(client, service, terms):
    response = get(client, "service_detail", service.id)
    assert response.status_code == 200
    data = response.json()
    assert_valid(data, "service.json")
    assert data["id"] == str(service.id)
    assert data["organization"]["name"] == service.organization.name
    assert sorted(p["number"] for p in data["phones"]) == [
        "617-555-0101",
        "617-555-0102",
    ]
    # HSDS types the extension as a number; a free-text one is left out.
    assert {p.get("extension") for p in data["phones"]} == {12, None}
    assert data["schedules"][0]["byday"] == "MO,TU,WE,TH,FR"
    assert data["languages"][0]["code"] == "es"
    (at,) = data["service_at_locations"]
    assert at["location"]["name"] == "Main site"
    assert at["location"]["addresses"][0]["postal_code"] == "02114"
    assert at["location"]["latitude"] == pytest.approx(42.3611)
    assert len(at["location"]["phones"]) == 1
    assert at["location"]["schedules"][0]["byday"] == "SA"
    assert len(at["phones"]) == 1
    (attribute,) = [a for a in data["attributes"] if a["link_type"] == "service_type"]
    assert attribute["taxonomy_term_id"] == str(terms["child"].id)
    assert attribute["taxonomy_term"]["parent_id"] == str(terms["parent"].id)
    assert attribute["taxonomy_term"]["taxonomy_detail"]["id"] == str(
        taxonomy_id("carenav")
    )
    # CareNav's own details travel as attributes too, as in an HSDS export.
    details = {
        a["taxonomy_term"]["code"]: a["value"]
        for a in data["attributes"]
        if a["link_type"] != "service_type"
    }
    assert details["carenav-disease"] == "als"
    assert details["carenav-accepts-referrals"] == "true"
    assert details["carenav-telehealth"] == "false"


def test_api_and_export_agree(client, service):
    """The API's objects are the JSON export's objects, ids included."""
    from apps.directory.hsds.exporter import service_object, services_for_export

    data = get(client, "service_detail", service.id).json()
    assert data == service_object(services_for_export().get(pk=service.pk))


def test_service_at_location_list_is_valid(client, service, other_service):
    data = get(client, "service_at_location_list").json()
    assert_page(data, "compiled/service_at_location_list.json")
    assert data["total_items"] == 2
    assert data["contents"][0]["service"]["name"] == "Respite at home"


def test_organization_list_and_detail_are_valid(client, service):
    OrganizationFactory(name="Another organization")
    data = get(client, "organization_list").json()
    assert_page(data, "compiled/organization_list.json")
    assert data["total_items"] == 2

    response = get(client, "organization_detail", service.organization_id)
    assert response.status_code == 200
    data = response.json()
    assert_valid(data, "organization.json")
    (nested,) = data["services"]
    assert_valid(nested, "service.json")
    assert nested["id"] == str(service.id)
    assert "organization" not in nested
    assert data["locations"][0]["addresses"][0]["city"] == "Boston"


def test_taxonomies_and_terms_are_valid(client, terms):
    data = get(client, "taxonomy_list").json()
    assert_page(data, "taxonomy.json")
    assert [t["name"] for t in data["contents"]] == [
        "carenav",
        FACTS_TAXONOMY["name"],
    ]
    for taxonomy in data["contents"]:
        response = get(client, "taxonomy_detail", taxonomy["id"])
        assert response.status_code == 200
        assert response.json() == taxonomy
        assert_valid(response.json(), "taxonomy.json")

    data = get(client, "taxonomy_term_list").json()
    assert_page(data, "taxonomy_term.json")
    # The three rows, then the terms of CareNav's own service details.
    assert data["total_items"] == 3 + len(FACTS)
    for term_id in [terms["child"].id, FACTS[0].term_id]:
        response = get(client, "taxonomy_term_detail", term_id)
        assert response.status_code == 200
        assert_valid(response.json(), "taxonomy_term.json")


def test_taxonomy_term_pages_run_on_into_the_detail_terms(client, terms):
    pages = [
        get(client, "taxonomy_term_list", per_page=3, page=page).json()
        for page in (1, 2, 3)
    ]
    codes = [t["code"] for page in pages for t in page["contents"]]
    assert codes[:3] == ["respite", "speech-language", "therapy"]
    assert codes[3:] == [fact.code for fact in FACTS]
    assert [page["size"] for page in pages] == [3, 3, 2]
    assert pages[2]["last_page"] and not pages[1]["last_page"]


def test_taxonomy_term_filters(client, terms):
    def codes(**params):
        data = get(client, "taxonomy_term_list", **params).json()
        return sorted(t["code"] for t in data["contents"])

    carenav = taxonomy_id("carenav")
    assert codes(top_only="true", taxonomy_id=carenav) == ["respite", "therapy"]
    assert codes(parent_id=terms["parent"].id) == ["speech-language"]
    assert codes(search="speech") == ["speech-language"]
    assert codes(search="telehealth") == ["carenav-telehealth"]
    assert codes(taxonomy_id=carenav) == ["respite", "speech-language", "therapy"]
    assert codes(taxonomy_id=FACTS_TAXONOMY["id"]) == sorted(f.code for f in FACTS)
    assert codes(taxonomy_id=uuid.uuid4()) == []


# Filters and paging -------------------------------------------------------------------


def service_names(client, name="service_list", **params):
    response = get(client, name, **params)
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["contents"]]


def test_search_finds_by_words_and_typos(client, service, other_service):
    assert service_names(client, search="voice") == ["Voice banking clinic"]
    assert service_names(client, search="carers") == ["Respite at home"]
    assert service_names(client, search="bankng") == ["Voice banking clinic"]
    assert service_names(client, search="nothing-like-this") == []


def test_taxonomy_term_filter_includes_terms_below(client, service, other_service):
    terms = service.taxonomy_terms.get().parent, service.taxonomy_terms.get()
    for term in terms:
        names = service_names(client, taxonomy_term_id=term.id)
        assert names == ["Voice banking clinic"]


def test_organization_and_modified_after_filters(client, service, other_service):
    names = service_names(client, organization_id=other_service.organization_id)
    assert names == ["Respite at home"]
    Service.objects.filter(pk=service.pk).update(
        last_modified=timezone.now() - timedelta(days=30)
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert service_names(client, modified_after=since) == ["Respite at home"]
    assert service_names(client, modified_after="2000-01-01") == [
        "Respite at home",
        "Voice banking clinic",
    ]


def test_filters_are_cumulative(client, service, other_service):
    params = {"search": "voice", "organization_id": other_service.organization_id}
    assert service_names(client, **params) == []


def test_paging_envelope(client, db):
    ServiceFactory.create_batch(5)
    data = get(client, "service_list", per_page=2, page=2).json()
    assert {k: data[k] for k in PAGE_KEYS - {"contents"}} == {
        "total_items": 5,
        "total_pages": 3,
        "page_number": 2,
        "size": 2,
        "first_page": False,
        "last_page": False,
        "empty": False,
    }
    data = get(client, "service_list", per_page=2, page=3).json()
    assert (data["size"], data["last_page"]) == (1, True)
    data = get(client, "service_list", per_page=2, page=9).json()
    assert (data["size"], data["empty"], data["contents"]) == (0, True, [])


def test_empty_directory_is_one_empty_page(client, db):
    data = get(client, "service_list").json()
    assert_page(data, "compiled/service_list.json")
    assert (data["total_items"], data["total_pages"], data["empty"]) == (0, 1, True)
    assert data["first_page"] and data["last_page"]


def sal_services(client, **params):
    data = get(client, "service_at_location_list", **params).json()
    return [item["service"]["name"] for item in data["contents"]]


def test_postcode_sorts_nearest_first_and_proximity_limits(
    client, service, other_service
):
    # 01608 is Worcester, MA; 02114 is Boston.
    assert sal_services(client, postcode="01608") == [
        "Respite at home",
        "Voice banking clinic",
    ]
    assert sal_services(client, postcode="02114") == [
        "Voice banking clinic",
        "Respite at home",
    ]
    assert sal_services(client, postcode="02114", proximity=10_000) == [
        "Voice banking clinic"
    ]
    assert sal_services(client, postcode="02114", proximity=100_000) == [
        "Voice banking clinic",
        "Respite at home",
    ]


def test_service_at_location_filters_reach_the_service(client, service, other_service):
    assert sal_services(client, search="voice") == ["Voice banking clinic"]
    term = service.taxonomy_terms.get()
    assert sal_services(client, taxonomy_term_id=term.parent_id) == [
        "Voice banking clinic"
    ]
    assert sal_services(client, organization_id=other_service.organization_id) == [
        "Respite at home"
    ]
    # A ZIP+4 code is read by its first five digits; a blank parameter is ignored.
    assert sal_services(client, postcode="02114-2696", search="") == [
        "Voice banking clinic",
        "Respite at home",
    ]


def test_postcode_leaves_out_locations_without_coordinates(client, service):
    ServiceAtLocationFactory(
        service__name="Phone line",
        location__latitude=None,
        location__longitude=None,
    )
    assert sal_services(client) == ["Phone line", "Voice banking clinic"]
    assert sal_services(client, postcode="02114") == ["Voice banking clinic"]


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


# Query counts, ndjson, rate limit -----------------------------------------------------


def make_services(count: int, term, **fields) -> None:
    """Services with a row in every list a fully nested service shows."""
    for _ in range(count):
        service = ServiceFactory(taxonomy_terms=[term], **fields)
        LanguageFactory(service=service, phone=PhoneFactory(service=service))
        ScheduleFactory(service=service)
        at = ServiceAtLocationFactory(service=service)
        AddressFactory(location=at.location)
        LanguageFactory(service=None, location=at.location)
        PhoneFactory(service=None, location=at.location)
        ScheduleFactory(service=None, location=at.location)
        PhoneFactory(service=None, service_at_location=at)
        ScheduleFactory(service=None, service_at_location=at)


@pytest.mark.parametrize("count", [2, 20])
def test_service_list_queries_stay_flat(
    client, terms, django_assert_num_queries, count
):
    make_services(count, terms["child"])
    # count; the page joined to organizations
    with django_assert_num_queries(2):
        assert get(client, "service_list").json()["size"] == count
    # count; page; phones and their languages, schedules, languages, terms;
    # service-at-locations joined to locations, their phones (and languages) and
    # schedules; the locations' addresses, phones (and languages), schedules and
    # languages
    with django_assert_num_queries(16):
        assert get(client, "service_list", full="true").json()["size"] == count


@pytest.mark.parametrize("count", [2, 20])
def test_other_lists_queries_stay_flat(client, terms, django_assert_num_queries, count):
    make_services(count, terms["child"])
    # count; the page joined to locations, services and organizations
    with django_assert_num_queries(2):
        get(client, "service_at_location_list", postcode="02114", proximity=5000)
    # count; page
    with django_assert_num_queries(2):
        get(client, "organization_list")
    with django_assert_num_queries(2):
        get(client, "taxonomy_term_list")


@pytest.mark.parametrize("count", [2, 20])
def test_organization_detail_queries_stay_flat(
    client, terms, django_assert_num_queries, count
):
    organization = OrganizationFactory()
    LanguageFactory(
        service=None, phone=PhoneFactory(service=None, organization=organization)
    )
    make_services(count, terms["child"], organization=organization)
    # organization; its phones (and their languages); its locations and their
    # addresses, phones (and languages), schedules and languages; its services and
    # their 14 lists, as in the full service list
    with django_assert_num_queries(24):
        get(client, "organization_detail", organization.id, full_service="true")
    # without full_service, only the services' own fields: no lists of theirs
    with django_assert_num_queries(10):
        get(client, "organization_detail", organization.id)


def test_ndjson_streams_every_result_one_per_line(
    client, terms, django_assert_num_queries
):
    make_services(30, terms["child"])
    # the services joined to organizations, in one chunk (no count, no paging)
    with django_assert_num_queries(1):
        response = get(client, "service_list", format="ndjson", per_page=5)
        body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    lines = body.splitlines()
    assert len(lines) == 30
    for line in lines:
        assert_valid(json.loads(line), "compiled/service_list.json")

    response = get(client, "taxonomy_list", format="ndjson")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["name"] for line in lines] == [
        "carenav",
        FACTS_TAXONOMY["name"],
    ]


def test_ndjson_full_services(client, service):
    response = get(client, "service_list", format="ndjson", full="true")
    (line,) = b"".join(response.streaming_content).decode().splitlines()
    assert_valid(json.loads(line), "service.json")


def test_rate_limit_answers_429(client, db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"hsds": "3/minute"},
    }
    url = reverse("hsds_api:taxonomy_list")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(url)
    assert response.status_code == 429
    assert "Retry-After" in response
    # Another address is counted apart.
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200


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

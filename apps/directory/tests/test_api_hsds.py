"""The HSDS 3.0 read API: shapes (validated against the HSDS JSON Schemas), filters and
paging."""

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.directory.hsds.mapping import FACTS, FACTS_TAXONOMY, taxonomy_id
from apps.directory.models import Service
from apps.directory.tests.factories import (
    AddressFactory,
    LanguageFactory,
    OrganizationFactory,
    PhoneFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)

from .hsds_api import (
    PAGE_KEYS,
    assert_page,
    assert_valid,
    get,
)

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

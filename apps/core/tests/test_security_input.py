"""Odd input gives a normal answer: never a server error.

SQL metacharacters, NUL bytes, huge numbers and 10,000-character strings in every
search and filter parameter; bodies larger than DATA_UPLOAD_MAX_MEMORY_SIZE, too many
fields and too many files are refused with the site's own 400 page. The lock-out
after repeated wrong passwords is tested in apps/accounts/tests/test_signup_login.py.
"""

import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as BrowserClient
from django.urls import reverse

from apps.directory.models import Service
from apps.directory.search import refresh_search_index
from apps.directory.tests.factories import ServiceAtLocationFactory, ServiceFactory
from apps.referrals.tests.factories import ClientFactory, ReferralFactory

ODD_VALUES = [
    "' OR 1=1 --",
    "'; DROP TABLE directory_service; --",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "\\'",
    "\x00",
    "a\x00b",
    "%00",
    "(",
    "*:*",
    "!!&|",
    "<->",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "   ",
    "𝔲𝔫𝔦𝔠𝔬𝔡𝔢 ☃ ٣",
    "../../../../etc/passwd",
    "x" * 10_000,
    "word " * 2_000,
]

# The admin's own search and list parameters: the kinds of value, fewer of each.
ADMIN_VALUES = ["' OR 1=1 --", "%", "\x00", "99999999999999999999999999", "x" * 10_000]

DIRECTORY_PARAMS = [
    "q",
    "zip",
    "radius",
    "type",
    "disease",
    "language",
    "telehealth",
    "accepts_referrals",
    "open_now",
    "sort",
    "page",
]
CLIENT_LIST_PARAMS = ["q", "status", "has_open", "page"]
HSDS_LISTS = {
    "hsds_api:service_list": [
        "search",
        "page",
        "per_page",
        "format",
        "taxonomy_term_id",
        "organization_id",
        "modified_after",
        "full",
    ],
    "hsds_api:service_at_location_list": ["search", "postcode", "proximity", "page"],
    "hsds_api:organization_list": ["search", "page", "per_page"],
    "hsds_api:taxonomy_list": ["search", "page"],
    "hsds_api:taxonomy_term_list": ["search", "taxonomy_id", "parent_id", "top_only"],
}
FHIR_SEARCHES = {
    "fhir_api:service_request_search": ["subject", "patient"],
    "fhir_api:task_search": ["focus", "patient"],
}


def sweep(
    client, url: str, params: list[str], *, allowed=(200, 400), values=ODD_VALUES
) -> None:
    """Every odd value in every parameter, alone and all at once."""
    wrong = []
    for value in values:
        for param in params:
            response = client.get(url, {param: value})
            if response.status_code not in allowed:
                wrong.append(f"{param}={value[:20]!r}: {response.status_code}")
        response = client.get(url, dict.fromkeys(params, value))
        if response.status_code not in allowed:
            wrong.append(f"all={value[:20]!r}: {response.status_code}")
    assert not wrong, f"{url}: " + "; ".join(wrong)


@pytest.fixture
def directory(db):
    services = [ServiceAtLocationFactory().service for _ in range(3)]
    refresh_search_index()
    return services


def test_learn_search(client, db):
    sweep(client, reverse("diseases:search"), ["q"])


def test_directory_search(client, directory):
    sweep(client, reverse("directory:service_list"), DIRECTORY_PARAMS)
    # A repeated filter, as the form sends for several service types.
    response = client.get(
        reverse("directory:service_list"), {"type": ["' OR 1=1 --", "x" * 10_000]}
    )
    assert response.status_code in (200, 400)
    assert Service.objects.count() == 3


def test_casework_client_search(client, caseworker):
    ClientFactory.create_batch(2, caseworker=caseworker)
    client.force_login(caseworker)
    sweep(client, reverse("referrals:client_list"), CLIENT_LIST_PARAMS)


@pytest.fixture
def unthrottled_api(settings):
    """The HSDS API's per-address rate limit would answer this many requests 429."""
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"hsds": "100000/minute"},
    }


def test_api_searches(client, directory, caseworker, unthrottled_api):
    for name, params in HSDS_LISTS.items():
        sweep(client, reverse(name), params)
    client.force_login(caseworker)
    for name, params in FHIR_SEARCHES.items():
        sweep(client, reverse(name), params)


@pytest.mark.parametrize(
    "name",
    [
        "hsds_api:service_detail",
        "hsds_api:organization_detail",
        "hsds_api:taxonomy_detail",
        "hsds_api:taxonomy_term_detail",
        "fhir_api:service_request_detail",
        "fhir_api:task_detail",
    ],
)
def test_api_ids(client, caseworker, unthrottled_api, name):
    client.force_login(caseworker)
    wrong = []
    for value in ["0", "-1", "' OR 1=1 --", "1e309", "x" * 5_000, str(uuid.uuid4())]:
        response = client.get(reverse(name, args=[value]))
        if response.status_code not in (400, 404):
            wrong.append(f"{value[:20]!r}: {response.status_code}")
    assert not wrong, name + ": " + "; ".join(wrong)


def test_admin_search_and_filters(client, content_editor, directory):
    client.force_login(content_editor)
    for name in [
        "admin:directory_service_changelist",
        "admin:diseases_article_changelist",
        "admin:checklists_checklistitem_changelist",
    ]:
        # An unknown filter value sends the editor back with ?e=1: a redirect.
        sweep(
            client,
            reverse(name),
            ["q", "p", "o"],
            allowed=(200, 302, 400),
            values=ADMIN_VALUES,
        )


def is_our_400_page(response) -> bool:
    return response.status_code == 400 and b"Skip to main content" in response.content


def test_oversized_body_is_refused_with_a_400_page(client, caseworker):
    too_big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    body = f"login=a%40example.org&password={too_big}"
    for strict in (False, True):
        # With CSRF checks as well: the middleware reads the body before the view.
        browser = BrowserClient(enforce_csrf_checks=strict)
        token = browser.get(reverse("account_login")).cookies["csrftoken"].value
        response = browser.post(
            reverse("account_login"),
            body,
            content_type="application/x-www-form-urlencoded",
            headers={"X-CSRFToken": token},
        )
        assert is_our_400_page(response), response.status_code
    browser.force_login(caseworker)
    response = browser.post(
        reverse("referrals:client_create"), {"full_name": too_big}, follow=False
    )
    assert is_our_400_page(response), response.status_code


def test_too_many_fields_are_refused(client, db):
    fields = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(reverse("account_login"), fields)
    assert is_our_400_page(response), response.status_code


def test_too_many_files_are_refused(client, db):
    files = {
        f"file{i}": SimpleUploadedFile(f"{i}.txt", b"x")
        for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    }
    response = client.post(reverse("account_login"), files)
    assert is_our_400_page(response), response.status_code


def test_a_large_file_sent_to_a_form_is_ignored(client, patient):
    """No form takes files: one sent anyway is not kept, and the form works."""
    service = ServiceFactory()
    client.force_login(patient)
    big = SimpleUploadedFile(
        "big.bin", b"\0" * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1)
    )
    response = client.post(
        reverse("directory:service_save", args=[service.pk]), {"upload": big}
    )
    assert response.status_code == 302


def test_respond_page_with_a_huge_or_odd_token(client, caseworker):
    referral = ReferralFactory(client=ClientFactory(caseworker=caseworker))
    for token in ["x" * 10_000, "' OR 1=1 --", f"{referral.pk}:forged:sig", "%00"]:
        response = client.get(reverse("referrals:respond", args=[token]))
        assert response.status_code == 404

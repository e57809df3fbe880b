"""Fixtures of the directory's tests."""

import pytest
from django.core.cache import cache
from django.utils import timezone

# The browser fixtures (Playwright on the system's Chromium) live with the core tests.
from apps.core.tests.conftest import (  # noqa: F401
    browser,
    new_page,
    page,
    pytest_runtest_makereport,
)
from apps.directory.search import refresh_search_index
from apps.directory.tests.factories import (
    AddressFactory,
    LanguageFactory,
    PhoneFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)

# The HSDS API tests' (test_api_hsds*.py) ---


@pytest.fixture
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


# The search tests' (test_search*.py): a small taxonomy with a parent and children.


@pytest.fixture
def service_types(db):
    therapy = TaxonomyTermFactory(code="therapy", name="Therapy and rehabilitation")
    return {
        "therapy": therapy,
        "speech": TaxonomyTermFactory(
            code="speech-language", name="Speech-language pathology", parent=therapy
        ),
        "pt": TaxonomyTermFactory(
            code="physical-therapy", name="Physical therapy (PT)", parent=therapy
        ),
        "respite": TaxonomyTermFactory(code="respite", name="Respite care"),
    }

"""Directory search in a browser: on a phone the results come first, filters fold
away without JavaScript, and a search with nothing near still offers help."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.core.tests.browser import PHONE, check_accessibility
from apps.directory.search import refresh_search_index

from .factories import (
    AddressFactory,
    LocationFactory,
    PhoneFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CAMBRIDGE = (Decimal("42.373600"), Decimal("-71.109700"))  # 2 miles from 02114
WORCESTER = (Decimal("42.262600"), Decimal("-71.802300"))  # 38 miles
MANHATTAN = (Decimal("40.750600"), Decimal("-73.997200"))  # 190 miles


def place(service, point, city="Cambridge", postal_code="02138"):
    location = LocationFactory(
        organization=service.organization, latitude=point[0], longitude=point[1]
    )
    AddressFactory(location=location, city=city, postal_code=postal_code)
    ServiceAtLocationFactory(service=service, location=location)
    PhoneFactory(service=service, number="617-555-0100")
    ScheduleFactory(service=service)
    return service


@pytest.fixture
def directory(db):
    speech = TaxonomyTermFactory(code="speech-language", name="Speech-language")
    respite = TaxonomyTermFactory(code="respite", name="Respite care")
    for index in range(6):
        place(
            ServiceFactory(
                name=f"Harbor speech clinic {index}",
                description="Speech and swallowing therapy for adults. " * 3,
                taxonomy_terms=[speech],
            ),
            CAMBRIDGE,
        )
    place(
        ServiceFactory(name="Worcester respite house", taxonomy_terms=[respite]),
        WORCESTER,
        city="Worcester",
        postal_code="01608",
    )
    place(
        ServiceFactory(
            name="Video respite circle", telehealth=True, taxonomy_terms=[respite]
        ),
        MANHATTAN,
        city="New York",
        postal_code="10001",
    )
    refresh_search_index()


def _first_screen_shows(page, locator) -> bool:
    """Whether the element begins on the screen as it is now (its first lines at
    least, 100 px of it)."""
    box = locator.first.bounding_box()
    return box is not None and 0 <= box["y"] <= PHONE["height"] - 100


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_phone_the_first_screen_shows_results_or_the_jump_link(
    new_page, live_server, directory, javascript
):
    page = new_page(javascript=javascript, viewport=PHONE)
    page.goto(
        live_server.url + reverse("directory:service_list") + "?q=speech&zip=02114"
    )
    first_result = page.locator(".service-result")
    jump = page.get_by_role("link", name="Jump to the results")
    assert _first_screen_shows(page, first_result) or _first_screen_shows(page, jump)
    assert _first_screen_shows(page, jump)
    # The filters are folded away, and open without JavaScript.
    assert not page.get_by_label("Offers telehealth").is_visible()
    page.locator("summary", has_text="Filters").click()
    assert page.get_by_label("Offers telehealth").is_visible()
    jump.click()
    assert page.url.endswith("#results")
    page.wait_for_timeout(300)
    assert _first_screen_shows(page, first_result), (
        first_result.first.bounding_box(),
        page.evaluate("window.scrollY"),
        page.locator("#results").bounding_box(),
    )
    # A card has what it takes to act: a phone to call, hours, the distance.
    card = first_result.first
    assert card.get_by_role("link", name="617-555-0100").get_attribute("href") == (
        "tel:6175550100"
    )
    assert "Today 9:00 AM to 5:00 PM" in card.inner_text()
    assert "miles away" in card.inner_text()
    if javascript:
        check_accessibility(page, context="search results on a phone")


def test_a_zip_search_with_nothing_near_offers_telehealth_and_farther_services(
    new_page, live_server, directory
):
    page = new_page(viewport=PHONE)
    page.goto(
        live_server.url
        + reverse("directory:service_list")
        + "?zip=02114&radius=10&type=respite"
    )
    main = page.get_by_role("main")
    assert main.get_by_text("No services match this search.").is_visible()
    farther = page.locator(".suggestions-beyond li")
    assert farther.count() == 2
    assert "Worcester respite house" in farther.first.inner_text()
    assert "miles away" in farther.first.inner_text()
    telehealth = page.locator(".suggestions-telehealth")
    assert "Video respite circle" in telehealth.inner_text()
    check_accessibility(page, context="empty search with suggestions")
    page.get_by_role("link", name="Search within 40 miles instead").click()
    page.wait_for_load_state()
    assert "Worcester respite house" in page.locator(".service-result").inner_text()

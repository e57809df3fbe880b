"""Services placed around Boston and the search page's results, for the search tests
(test_search.py, test_search_results.py)."""

from decimal import Decimal

from django.urls import reverse

from apps.directory.search import refresh_search_index

from .factories import AddressFactory, LocationFactory, ServiceAtLocationFactory

# Points around ZIP 02114 (Boston, centre 42.3611, -71.0682).
CAMBRIDGE = (Decimal("42.373600"), Decimal("-71.109700"))  # about 2.3 miles
WORCESTER = (Decimal("42.262600"), Decimal("-71.802300"))  # about 38 miles
MANHATTAN = (Decimal("40.750600"), Decimal("-73.997200"))  # about 190 miles


def place(service, point):
    location = LocationFactory(
        organization=service.organization, latitude=point[0], longitude=point[1]
    )
    AddressFactory(location=location)
    ServiceAtLocationFactory(service=service, location=location)
    # As every path that links a service to a place does: distance searches read
    # the services' places (apps/directory/places.py).
    refresh_search_index([service.pk])
    return service


def names(response) -> list[str]:
    return [service.name for service in response.context["results"]]


def search(client, **params):
    response = client.get(reverse("directory:service_list"), params)
    assert response.status_code == 200
    return response

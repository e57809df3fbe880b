"""The report-a-problem form is limited per client address, and says so."""

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from apps.directory.models import ListingReport

from .factories import ServiceFactory

PROXY = "10.0.0.2"


def report(client, url, address, number=0):
    return client.post(
        url,
        {"message": f"The phone number is wrong ({number})."},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
        follow=True,
    )


def test_a_limited_visitor_is_told_and_keeps_the_message(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("directory:service_report", args=[ServiceFactory().id])
    for number in range(5):
        report(client, url, "198.51.100.1", number)
    response = report(client, url, "198.51.100.1", 99)
    assert response.status_code == 429
    assertContains(response, "so this one was not sent", status_code=429)
    assertContains(response, "The phone number is wrong (99).", status_code=429)
    assertNotContains(response, "Thank you", status_code=429)
    assert 0 < int(response["Retry-After"]) <= 3600
    assert ListingReport.objects.count() == 5


def test_the_limit_is_per_client_address_behind_a_proxy(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("directory:service_report", args=[ServiceFactory().id])
    for number in range(6):
        report(client, url, "198.51.100.1", number)
    response = report(client, url, "198.51.100.2")
    assertContains(response, "Your report has reached our team")
    assert ListingReport.objects.count() == 6

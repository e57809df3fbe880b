"""One client address, worked out from the configured proxies, for every limit."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse
from pytest_django.asserts import assertContains

from apps.accounts.models import User
from apps.accounts.tests.factories import UserFactory
from apps.core.client_address import client_address
from apps.core.models import AccessLog
from apps.referrals.tests.factories import ClientFactory

PASSWORD = "correct-horse-battery"
PROXY = "10.0.0.2"
TOO_MANY = "Too many failed sign-ins have come from your connection"


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_one_proxy_gives_the_rightmost_forwarded_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Whatever the visitor wrote into the header themselves sits further left.
    request = request_from(PROXY, "1.2.3.4, 198.51.100.7")
    assert client_address(request) == "198.51.100.7"


def test_two_proxies_count_two_hops_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = request_from(PROXY, "1.2.3.4,198.51.100.7, 10.0.0.1")
    assert client_address(request) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address"])
def test_a_missing_or_broken_header_falls_back_to_the_peer(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from(PROXY, forwarded)) == PROXY


def test_fewer_hops_than_proxies_trusts_none_of_them(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from(PROXY, "198.51.100.7")) == PROXY


def test_ipv6_addresses_are_normalised(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = request_from(PROXY, "2001:DB8:0:0::1")
    assert client_address(request) == "2001:db8::1"


# Sign-in behind one proxy ----------------------------------------------------------


@pytest.fixture
def behind_one_proxy(db, settings):
    settings.TRUSTED_PROXY_COUNT = 1


def log_in(client, email, password, address):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_thirty_failed_logins_elsewhere_do_not_stop_another_visitor(
    client, django_user_model, behind_one_proxy
):
    for number in range(30):
        log_in(
            client,
            f"nobody{number}@example.org",
            "wrong-guess-1",
            f"198.51.100.{number}",
        )
    visitor = UserFactory(role=User.Role.PATIENT)
    response = log_in(client, visitor.email, PASSWORD, "203.0.113.50")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(visitor.pk)


def test_an_attackers_address_is_stopped_and_others_are_not(client, behind_one_proxy):
    responses = [
        log_in(client, f"nobody{n}@example.org", "wrong-guess-1", "198.51.100.66")
        for n in range(30)
    ]
    # allauth's per-address limits stop the attacker's address: failed log-ins
    # first, then every log-in.
    assertContains(responses[10], TOO_MANY)
    response = log_in(client, "nobody@example.org", "wrong-guess-1", "198.51.100.66")
    assertContains(response, "Too many requests from your connection", status_code=429)
    visitor = UserFactory(role=User.Role.PATIENT)
    response = log_in(client, visitor.email, PASSWORD, "203.0.113.50")
    assert client.session["_auth_user_id"] == str(visitor.pk), response.status_code


def test_a_forged_leftmost_address_does_not_escape_the_limit(client, behind_one_proxy):
    for n in range(10):
        log_in(
            client,
            f"nobody{n}@example.org",
            "wrong-guess-1",
            f"192.0.2.{n}, 198.51.100.66",
        )
    response = log_in(
        client, "nobody@example.org", "wrong-guess-1", "192.0.2.99, 198.51.100.66"
    )
    assertContains(response, TOO_MANY)


def test_the_lockout_records_the_client_address(client, patient, behind_one_proxy):
    log_in(client, patient.email, "wrong-guess-1", "198.51.100.23")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.23"


def test_the_access_log_records_the_client_address(
    client, caseworker, behind_one_proxy
):
    record = ClientFactory(caseworker=caseworker, team=caseworker.team)
    client.force_login(caseworker)
    client.get(
        record.get_absolute_url(),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.77",
    )
    assert AccessLog.objects.get(record_id=str(record.pk)).ip_address == "198.51.100.77"


def test_the_hsds_api_throttles_each_client_address(client, settings, behind_one_proxy):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"hsds": "2/minute"},
    }
    url = reverse("hsds_api:service_list")
    for _ in range(2):
        client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    blocked = client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    other = client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert blocked.status_code == 429
    assert other.status_code == 200

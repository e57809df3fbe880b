"""The service's answer page is limited per referral and per client address."""

from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from apps.core.models import AccessLog
from apps.referrals.models import Referral
from apps.referrals.tests.factories import ReferralFactory
from apps.referrals.tokens import make_respond_token
from apps.referrals.views import respond

PROXY = "10.0.0.2"


def answer(client, referral, address):
    link = reverse("referrals:respond", args=[make_respond_token(referral)])
    return client.post(
        link,
        {"action": "nonsense", "version": referral.version},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def sent_referral(referral, caseworker):
    other = ReferralFactory(
        client=referral.client, service=referral.service, created_by=caseworker
    )
    other.change_status(Referral.Status.SENT, by=caseworker)
    Referral.objects.filter(pk=other.pk).update(link_issued_at=timezone.now())
    other.refresh_from_db()
    return other


def test_one_address_is_limited_across_referrals(
    client, referral, caseworker, settings, monkeypatch
):
    settings.TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(respond, "ANSWERS_PER_ADDRESS_PER_HOUR", 3)
    other = sent_referral(referral, caseworker)
    codes = [answer(client, r, "198.51.100.9").status_code for r in [referral] * 2]
    codes += [answer(client, other, "198.51.100.9").status_code for _ in range(2)]
    assert codes == [400, 400, 400, 429]
    response = answer(client, other, "198.51.100.9")
    assertContains(response, "was not saved", status_code=429)
    assert int(response["Retry-After"]) > 0
    # Another service's staff, at another address, can still answer.
    assert answer(client, other, "203.0.113.4").status_code == 400


def test_the_access_log_of_an_answer_holds_the_client_address(
    client, referral, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    client.get(
        reverse("referrals:respond", args=[make_respond_token(referral)]),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert set(AccessLog.objects.values_list("ip_address", flat=True)) == {
        "198.51.100.9"
    }

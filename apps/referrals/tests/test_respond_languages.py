"""Answer links already sent to services keep working: they are the English URLs
they always were, and the service's answer e-mail is written in the site's
language whatever the language of the caseworker's page."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from apps.referrals.models import Referral
from apps.referrals.services import change_referral_status
from apps.referrals.tokens import make_respond_token


def test_a_link_sent_before_spanish_existed_still_opens_the_answer_page(
    client, referral
):
    token = make_respond_token(referral)
    link = f"/respond/{token}/"
    assert reverse("referrals:respond", args=[token]) == link
    assertContains(client.get(link), referral.client.full_name)
    # A service whose browser prefers Spanish reads the same page in Spanish.
    response = client.get(link, HTTP_ACCEPT_LANGUAGE="es")
    assert response["Location"] == f"/es/respond/{token}/"
    assertContains(client.get(response["Location"]), referral.client.full_name)


@pytest.mark.django_db
def test_the_services_link_is_written_in_the_sites_language(draft_referral, caseworker):
    draft_referral.service.referral_email = "intake@example.org"
    draft_referral.service.save()
    with translation.override("es"):  # the caseworker works in Spanish
        change_referral_status(
            referral=draft_referral,
            to=Referral.Status.SENT,
            by=caseworker,
            expected_version=draft_referral.version,
        )
    (message,) = mail.outbox
    assert f"{settings.SITE_URL}/respond/" in message.body
    assert "/es/" not in message.body

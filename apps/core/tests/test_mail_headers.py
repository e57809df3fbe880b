"""E-mail headers are plain text from clean names; links come from SITE_URL."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.core.mail import queue_mail
from apps.directory.tests.factories import OrganizationFactory, ServiceFactory
from apps.referrals.models import Client
from apps.referrals.tests.factories import ClientFactory, ReferralFactory

pytestmark = pytest.mark.django_db

BAD_NAMES = [
    "Robin\r\nBcc: someone@example.org",
    "Robin\tQuartz",
    "Robin\x00",
    "A\x85B",
]


def test_referral_subject_is_plain_text(client, caseworker):
    service = ServiceFactory(name="St. Mary's ALS Clinic")
    referral = ReferralFactory(
        client=ClientFactory(caseworker=caseworker), service=service, urgency="soon"
    )
    client.force_login(caseworker)
    client.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"to": "sent", "version": referral.version},
    )
    [message] = mail.outbox
    assert (
        message.subject
        == "A referral for St. Mary's ALS Clinic (soon (within 2 weeks))"
    )
    assert "St. Mary's ALS Clinic" in message.body


def test_listing_report_subject_is_plain_text(client):
    service = ServiceFactory(name="St. Mary's & Sons Home Care")
    client.post(
        reverse("directory:service_report", args=[service.id]),
        {"message": "The phone number is wrong.", "contact_email": ""},
    )
    subjects = {message.subject for message in mail.outbox}
    assert "Listing report: St. Mary's & Sons Home Care" in subjects
    # The request to the service to check its listing is plain text too.
    assert all(
        "&#x27;" not in subject and "&amp;" not in subject for subject in subjects
    )


@pytest.mark.parametrize("name", BAD_NAMES)
def test_control_characters_from_old_data_are_collapsed_in_headers(name):
    queue_mail(subject=f"A referral for {name}", body="Body", to="a@example.org")
    [message] = mail.outbox
    assert message.subject in {
        "A referral for Robin Bcc: someone@example.org",
        "A referral for Robin Quartz",
        "A referral for Robin",
        "A referral for A B",
    }
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in message.subject)
    assert len(message.message().get_all("Subject")) == 1
    assert message.message().get_all("Bcc") is None


@pytest.mark.parametrize("name", BAD_NAMES)
def test_client_form_refuses_control_characters_in_the_name(client, caseworker, name):
    client.force_login(caseworker)
    response = client.post(
        reverse("referrals:client_create"),
        {"full_name": name, "preferred_language": "en"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["full_name"]
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    "make",
    [
        lambda name: ServiceFactory.build(name=name),
        lambda name: OrganizationFactory.build(name=name),
        lambda name: UserFactory.build(full_name=name),
    ],
    ids=["service", "organization", "user"],
)
def test_names_that_reach_headers_refuse_control_characters(make):
    with pytest.raises(ValidationError) as error:
        make("St. Mary's\r\nBcc: someone@example.org").clean_fields()
    assert error.value.error_dict.keys() & {"name", "full_name"}


def test_signup_link_is_built_from_site_url_not_the_host_header(client, settings):
    settings.SITE_URL = "https://carenav.example"
    response = client.post(
        reverse("account_signup"),
        {
            "email": "host.header@example.org",
            "password1": "a-long-enough-password-9",
            "password2": "a-long-enough-password-9",
        },
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    [message] = mail.outbox
    assert "https://carenav.example/accounts/confirm-email/" in message.body
    assert "localhost" not in message.body + message.subject


def test_password_reset_link_is_built_from_site_url(client, patient, settings):
    settings.SITE_URL = "https://carenav.example"
    client.post(
        reverse("account_reset_password"),
        {"email": patient.email},
        HTTP_HOST="localhost",
    )
    [message] = mail.outbox
    assert "https://carenav.example/accounts/password/reset/key/" in message.body
    assert "localhost" not in message.body


def test_referral_link_is_built_from_site_url(client, caseworker, settings):
    settings.SITE_URL = "https://carenav.example"
    referral = ReferralFactory(client=ClientFactory(caseworker=caseworker))
    client.force_login(caseworker)
    client.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"to": "sent", "version": referral.version},
        HTTP_HOST="localhost",
    )
    [message] = mail.outbox
    assert "https://carenav.example/respond/" in message.body
    assert "localhost" not in message.body


def test_createuser_refuses_a_name_with_a_line_break():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="control characters"):
        call_command(
            "createuser",
            "new.worker@example.org",
            "--role",
            "caseworker",
            "--name",
            "Robin\nBcc: someone@example.org",
        )
    assert not mail.outbox

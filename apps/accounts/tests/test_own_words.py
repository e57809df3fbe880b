"""Sign-up, sign-in and the account e-mails speak in CareNav's own words."""

import pytest
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from apps.accounts.models import PatientProfile, User

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
STOCK = ("Sign Up", "Signup", "Hello from", "contact us", "Sign In")


def test_sign_up_page_has_a_privacy_note_and_the_condition_question(client):
    response = client.get(reverse("account_signup"))
    assertContains(response, "<h1>Create an account</h1>", html=True)
    assertContains(response, "Your privacy")
    assertContains(response, "Which condition do you have?")
    assertContains(response, "Not sure yet")
    for stock in STOCK:
        assertNotContains(response, stock)


def test_signing_up_records_the_condition_and_the_mail_is_in_our_words(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "disease": "not-sure",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert PatientProfile.objects.get(user=user).disease == "not-sure"
    message = mail.outbox[0]
    assert message.subject.endswith("Confirm your e-mail address for CareNav")
    for stock in STOCK + ("127.0.0.1", "example.com"):
        assert stock not in message.body
    page = client.get(response["Location"])
    assertContains(page, "Confirm your e-mail address")
    assertNotContains(page, "contact us")


def test_a_failed_sign_in_says_so_once(client, patient):
    response = client.post(
        reverse("account_login"), {"login": patient.email, "password": "wrong"}
    )
    html = response.content.decode()
    message = "The email address and/or password you specified are not correct."
    assert html.count(message) == 1, html.count(message)
    for stock in STOCK:
        assert stock not in html


def test_password_reset_pages_name_no_contact_without_a_link(client, patient):
    response = client.get(reverse("account_reset_password"))
    assertContains(response, "Choose a new password")
    assertNotContains(response, "contact us")
    response = client.post(
        reverse("account_reset_password"), {"email": patient.email}, follow=True
    )
    assertContains(response, "Check your e-mail")
    body = mail.outbox[-1].body
    assert "Hello from" not in body
    assert "choose a new password" in body


def test_the_email_and_password_pages_speak_our_words(client, patient):
    client.force_login(patient)
    response = client.get(reverse("account_email"))
    assertContains(response, "My e-mail addresses")
    assertContains(response, "Main address")
    assertContains(response, reverse("accounts:account"))
    response = client.get(reverse("account_change_password"))
    assertContains(response, "Change my password")
    for stock in ("Change Password", "Email Addresses", "Make Primary"):
        assertNotContains(response, stock)

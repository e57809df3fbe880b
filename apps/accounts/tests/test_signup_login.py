import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from apps.accounts.models import User
from apps.accounts.tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


def current_totp(user) -> str:
    import time

    from allauth.mfa.utils import decrypt

    secret = decrypt(
        Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data[
            "secret"
        ]
    )
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_patient_signs_up_verifies_email_and_reaches_profile(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "New.Person@Example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert user.role == User.Role.PATIENT
    assert list(user.groups.values_list("name", flat=True)) == ["Patients"]
    assert not user.is_staff

    # Until the address is verified, the account cannot be used.
    response = client.get(reverse("accounts:profile_update"))
    assert response.status_code == 302

    assert len(mail.outbox) == 1
    link = re.search(
        r"https?://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body
    )
    assert link, mail.outbox[0].body
    client.post(link.group(1))
    assert user.emailaddress_set.get().verified

    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.get(reverse("accounts:profile_update"))
    assertContains(response, "My profile")


def test_signup_with_mismatched_passwords_rerenders_with_message(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "a@example.org", "password1": PASSWORD, "password2": "other-thing-1"},
    )
    assert response.status_code == 200
    assertContains(response, "You must type the same password each time")
    assert not User.objects.exists()


def test_signup_cannot_choose_a_staff_role(client, db):
    client.post(
        reverse("account_signup"),
        {
            "email": "sneaky@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": "caseworker",
        },
    )
    assert User.objects.get(email="sneaky@example.org").role == User.Role.PATIENT


@pytest.mark.parametrize(
    "role", [User.Role.CASEWORKER, User.Role.SUPERVISOR, User.Role.CONTENT_EDITOR]
)
def test_staff_without_mfa_reach_no_page_until_they_set_it_up(client, db, role):
    user = UserFactory(role=role, setup=False)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    for url in [reverse("core:home"), reverse("admin:index")]:
        response = client.get(url)
        assertRedirects(
            response, reverse("mfa_activate_totp"), fetch_redirect_response=False
        )
    # The set-up page itself is reachable (after confirming the password again).
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assertContains(client.get(reverse("mfa_activate_totp")), "Authenticator")


def test_administrator_without_mfa_is_sent_to_set_it_up(client, db):
    admin = UserFactory(role="", is_superuser=True, is_staff=True, setup=False)
    client.force_login(admin)
    response = client.get(reverse("admin:index"))
    assertRedirects(
        response, reverse("mfa_activate_totp"), fetch_redirect_response=False
    )


def test_patient_does_not_need_mfa(client, patient):
    client.force_login(patient)
    assert client.get(reverse("accounts:profile_update")).status_code == 200


def test_caseworker_login_asks_for_totp_code(client, caseworker):
    response = client.post(
        reverse("account_login"), {"login": caseworker.email, "password": PASSWORD}
    )
    assertRedirects(
        response, reverse("mfa_authenticate"), fetch_redirect_response=False
    )
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

    client.post(reverse("mfa_authenticate"), {"code": current_totp(caseworker)})
    assert client.session["_auth_user_id"] == str(caseworker.pk)


def test_admin_login_goes_through_site_login(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def wrong_login(client, email):
    return client.post(
        reverse("account_login"), {"login": email, "password": "nope-nope-1"}
    )


def test_five_wrong_passwords_do_not_lock_the_account(client, patient):
    for _ in range(5):
        assert wrong_login(client, patient.email).status_code == 200
    client.post(
        reverse("account_login"), {"login": patient.email, "password": PASSWORD}
    )
    assert client.session.get("_auth_user_id") == str(patient.pk)


def test_sixth_wrong_password_locks_the_account(client, patient):
    for _ in range(5):
        wrong_login(client, patient.email)
    response = wrong_login(client, patient.email)
    assert response.status_code == 429
    assertContains(response, "Too many attempts", status_code=429)
    # Even the right password is refused while locked.
    response = client.post(
        reverse("account_login"), {"login": patient.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_counts_the_account_whatever_the_case_of_the_email(client, patient):
    for _ in range(6):
        wrong_login(client, patient.email.upper())
    response = client.post(
        reverse("account_login"), {"login": patient.email, "password": PASSWORD}
    )
    assert response.status_code == 429


def test_password_reset_sends_a_link(client, patient):
    client.post(reverse("account_reset_password"), {"email": patient.email})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_password_change_page_needs_login(client, patient):
    assert client.get(reverse("account_change_password")).status_code == 302
    client.force_login(patient)
    assert client.get(reverse("account_change_password")).status_code == 200


def test_public_directory_api_does_not_wait_for_mfa_setup(client, db):
    user = UserFactory(role=User.Role.CASEWORKER, setup=False)
    client.force_login(user)
    response = client.get(reverse("hsds_api:service_list"))
    assert response.status_code == 200

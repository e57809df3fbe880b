"""Second-factor codes cannot be guessed: wrong codes count toward the lock-out."""

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from axes.models import AccessAttempt
from django.urls import reverse
from pytest_django.asserts import assertContains

from .test_signup_login import PASSWORD, current_totp, wrong_login


def start_sign_in(client, user):
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def send_code(client, code):
    return client.post(reverse("mfa_authenticate"), {"code": code})


def test_ten_wrong_codes_lock_the_code_step(client, caseworker):
    start_sign_in(client, caseworker)
    statuses = [send_code(client, "000000").status_code for _ in range(10)]
    # Five wrong codes are answered on the form, the sixth locks the account.
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    response = send_code(client, current_totp(caseworker))
    assertContains(response, "signing in to this account is paused")
    assertContains(response, "15 minutes")
    assert "_auth_user_id" not in client.session


def test_a_locked_account_cannot_start_again_with_the_password(client, caseworker):
    start_sign_in(client, caseworker)
    for _ in range(6):
        send_code(client, "000000")
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": caseworker.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_code_page_says_how_many_tries_are_left(client, caseworker):
    start_sign_in(client, caseworker)
    assertContains(send_code(client, "000000"), "After 5 more wrong tries")
    for _ in range(3):
        send_code(client, "000000")
    assertContains(send_code(client, "000000"), "After 1 more wrong try")


def test_wrong_passwords_and_wrong_codes_share_one_count(client, caseworker):
    for _ in range(3):
        wrong_login(client, caseworker.email)
    start_sign_in(client, caseworker)
    assertContains(send_code(client, "000000"), "After 2 more wrong tries")


def test_wrong_recovery_codes_count_too(client, caseworker):
    RecoveryCodes.activate(caseworker)
    start_sign_in(client, caseworker)
    for _ in range(6):
        send_code(client, "not-a-code")
    recovery = Authenticator.objects.get(
        user=caseworker, type=Authenticator.Type.RECOVERY_CODES
    )
    right = recovery.wrap().get_unused_codes()[0]
    assertContains(send_code(client, right), "signing in to this account is paused")
    assert "_auth_user_id" not in client.session


def test_a_right_code_resets_the_count(client, caseworker):
    start_sign_in(client, caseworker)
    for _ in range(5):
        send_code(client, "000000")
    send_code(client, current_totp(caseworker))
    assert client.session["_auth_user_id"] == str(caseworker.pk)
    client.logout()
    start_sign_in(client, caseworker)
    assertContains(send_code(client, "000000"), "After 5 more wrong tries")


def test_wrong_codes_are_not_stored_in_the_failure_log(client, caseworker):
    start_sign_in(client, caseworker)
    send_code(client, "123456")
    attempt = AccessAttempt.objects.get(username=caseworker.email)
    assert "123456" not in attempt.post_data


def test_wrong_codes_when_confirming_a_change_count_too(client, caseworker):
    client.force_login(caseworker)
    url = reverse("mfa_reauthenticate")
    assertContains(client.post(url, {"code": "000000"}), "After 5 more wrong tries")
    for _ in range(5):
        client.post(url, {"code": "000000"})
    response = client.post(url, {"code": current_totp(caseworker)})
    assertContains(response, "signing in to this account is paused")

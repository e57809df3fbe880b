"""Production settings that protect sessions, and the static security scan.

The session cookie's flags and `check --deploy` are tested in test_core.py; the
lock-out in apps/accounts/tests/test_signup_login.py.
"""

import shutil
import subprocess  # nosec B404: runs bandit with a fixed argument list
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]


def test_csrf_cookie_is_secure_and_samesite(client, db):
    response = client.get(reverse("account_login"))
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"]
    assert cookie["samesite"] == "Lax"


def test_cookies_after_sign_in_are_all_secure(client, patient):
    client.get(reverse("account_login"))
    response = client.post(
        reverse("account_login"),
        {"login": patient.email, "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    for name, cookie in response.cookies.items():
        assert cookie["secure"], f"{name} is sent over plain HTTP"
        assert cookie["samesite"] in ("Lax", "Strict"), name
    assert response.cookies["sessionid"]["httponly"]


def test_session_ends_on_sign_out(client, patient):
    client.force_login(patient)
    client.post(reverse("account_logout"))
    response = client.get(reverse("accounts:profile_update"))
    assert response.status_code == 302


def bandit() -> str:
    found = shutil.which("bandit", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("bandit is missing: pip install -r requirements-dev.txt")
    return found


def test_bandit_finds_nothing_of_medium_severity_or_above():
    # The same command as .ci/run, so a developer sees the failure before CI does.
    result = subprocess.run(  # nosec B603
        [
            bandit(),
            "-q",
            "-r",
            "apps",
            "carenav",
            "-x",
            "*/tests/*,*/migrations/*",
            "-ll",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]

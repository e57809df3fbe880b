"""Whether a staff member has a second factor is read with their account (the
session's user query), not by a query of its own on every page, and still
decides whether they reach any page."""

from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from apps.accounts.backends import AccountBackend
from apps.accounts.models import User
from apps.accounts.tests.factories import UserFactory

BACKEND = "apps.accounts.backends.AccountBackend"


def test_the_account_is_loaded_with_whether_it_has_a_second_factor(db):
    with_factor = UserFactory(role=User.Role.CASEWORKER)
    without = UserFactory(role=User.Role.CASEWORKER, setup=False)

    assert AccountBackend().get_user(with_factor.pk).has_second_factor is True
    assert AccountBackend().get_user(without.pk).has_second_factor is False
    loaded = AccountBackend().get_user(with_factor.pk)
    assert loaded.get_deferred_fields() == set()
    assert (loaded.email, loaded.role, loaded.team_id, loaded.password) == (
        with_factor.email,
        with_factor.role,
        with_factor.team_id,
        with_factor.password,
    )


def test_an_inactive_or_missing_account_is_nobody(db):
    inactive = UserFactory(is_active=False)
    assert AccountBackend().get_user(inactive.pk) is None
    assert AccountBackend().get_user(inactive.pk + 1000) is None


def test_a_staff_page_asks_no_separate_authenticator_query(client, db):
    caseworker = UserFactory(role=User.Role.CASEWORKER)
    client.force_login(caseworker, backend=BACKEND)
    client.get(reverse("core:home"))  # first-use caches of this process

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("core:home"))

    assert response.headers.get("Location") == reverse("referrals:dashboard")
    table = Authenticator._meta.db_table
    alone = [
        q["sql"] for q in queries if f'FROM "{table}"' in q["sql"].split("EXISTS")[0]
    ]
    assert alone == []


def test_removing_the_factor_sends_them_to_set_it_up_again(client, db):
    caseworker = UserFactory(role=User.Role.CASEWORKER)
    client.force_login(caseworker, backend=BACKEND)
    home = client.get(reverse("core:home"))
    assert home.headers.get("Location") == reverse("referrals:dashboard")

    Authenticator.objects.filter(user=caseworker).delete()

    assertRedirects(
        client.get(reverse("core:home")),
        reverse("mfa_activate_totp"),
        fetch_redirect_response=False,
    )

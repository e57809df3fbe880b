import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from apps.accounts.models import User


def test_createuser_makes_staff_account_and_sends_password_link(db, capsys):
    call_command(
        "createuser", "New.Worker@example.org", "--role", "caseworker", "--team", "East"
    )
    user = User.objects.get(email="new.worker@example.org")
    assert user.role == User.Role.CASEWORKER
    assert user.team.name == "East"
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["Caseworkers"]
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "Created caseworker account" in capsys.readouterr().out


def test_createuser_content_editor_gets_admin_access(db):
    call_command("createuser", "ed@example.org", "--role", "content_editor")
    user = User.objects.get(email="ed@example.org")
    assert user.is_staff and not user.is_superuser


def test_createuser_refuses_duplicates_and_bad_addresses(db):
    call_command("createuser", "x@example.org", "--role", "supervisor")
    with pytest.raises(CommandError, match="already exists"):
        call_command("createuser", "x@example.org", "--role", "supervisor")
    with pytest.raises(CommandError, match="not an e-mail address"):
        call_command("createuser", "not-an-address", "--role", "supervisor")


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("seed_demo")


def test_seed_demo_creates_every_demo_account_and_can_run_twice(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    emails = set(User.objects.values_list("email", flat=True))
    assert {
        "patient1@example.org",
        "patient2@example.org",
        "caseworker1@example.org",
        "caseworker2@example.org",
        "supervisor@example.org",
        "editor@example.org",
        "admin@example.org",
    } <= emails
    cw1 = User.objects.get(email="caseworker1@example.org")
    cw2 = User.objects.get(email="caseworker2@example.org")
    assert cw1.team != cw2.team
    assert cw1.check_password("carenav-demo")
    assert User.objects.get(email="admin@example.org").is_superuser
    assert User.objects.get(email="editor@example.org").authenticator_set.exists()

"""Role fixtures and the permission-matrix helper shared by every app's tests."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from apps.accounts.models import PatientProfile, User
from apps.accounts.tests.factories import TeamFactory, UserFactory
from apps.core.caching import forget_local_copies
from apps.directory.taxonomy import forget_local_copies as forget_taxonomy_copies
from apps.referrals.page_cache import forget_local_copies as forget_casework_copies


def pytest_collection_modifyitems(items):
    """Every test that really commits (live server, backups) restores the database.

    Such tests end with a flush, which also empties what migrations wrote (groups,
    permissions, content types). Mixing them with tests that restore a serialized
    copy makes the two fight over content types, so all of them restore one.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        commits = kwargs.get("transaction") or (
            {"transactional_db", "live_server"} & set(item.fixturenames)
        )
        if commits and not kwargs.get("serialized_rollback"):
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached: no rate-limit counts (allauth's, the
    project's), pages or taxonomy left over from another test (a test's rows are
    rolled back without the signals that would tell a worker's copy)."""
    cache.clear()
    forget_local_copies()
    forget_casework_copies()
    forget_taxonomy_copies()


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in the site's language: a request to a Spanish page leaves
    Spanish active in its thread (as in any worker, where the next request sets
    its own), and reverse() would then give /es/ URLs in the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def team(db):
    return TeamFactory(name="North team")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="South team")


@pytest.fixture
def caseworker(team):
    return UserFactory(role=User.Role.CASEWORKER, team=team)


@pytest.fixture
def other_caseworker(other_team):
    """A caseworker on another team."""
    return UserFactory(role=User.Role.CASEWORKER, team=other_team)


@pytest.fixture
def supervisor(team):
    """Supervisor of the caseworker's team."""
    return UserFactory(role=User.Role.SUPERVISOR, team=team)


@pytest.fixture
def other_supervisor(other_team):
    """Supervisor of another team."""
    return UserFactory(role=User.Role.SUPERVISOR, team=other_team)


@pytest.fixture
def patient(db):
    user = UserFactory(role=User.Role.PATIENT)
    PatientProfile.objects.create(user=user, disease="als", zip_code="02114")
    return user


@pytest.fixture
def other_patient(db):
    user = UserFactory(role=User.Role.PATIENT)
    PatientProfile.objects.create(user=user, disease="als", zip_code="10001")
    return user


@pytest.fixture
def content_editor(db):
    return UserFactory(role=User.Role.CONTENT_EDITOR)


@pytest.fixture
def clinical_reviewer(db):
    """A content editor whom an administrator also made a clinical reviewer."""
    from apps.accounts.roles import set_clinical_reviewer

    user = UserFactory(role=User.Role.CONTENT_EDITOR, full_name="Dr. Test Reviewer")
    set_clinical_reviewer(user=user, is_reviewer=True)
    return user


@pytest.fixture
def administrator(db):
    return UserFactory(role="", is_superuser=True, is_staff=True)


ROLES = [
    "anonymous",
    "patient",
    "other_patient",
    "caseworker",
    "other_caseworker",
    "supervisor",
    "other_supervisor",
    "content_editor",
    "administrator",
]


@pytest.fixture
def login_as(db, client, request):
    """Log the test client in as one of the role fixtures, by name."""

    def _login(who: str):
        client.logout()
        if who != "anonymous":
            user = request.getfixturevalue(who)
            client.force_login(user)
            return user
        return None

    return _login


@pytest.fixture
def assert_access(client, login_as):
    """Check one URL against a whole matrix of roles and expected status codes.

    expected maps a role fixture name to a status code; anonymous users are
    expected to be redirected to log in when 302 is given.
    """

    def _check(url: str, expected: dict[str, int], method: str = "get", data=None):
        failures = []
        for who, status in expected.items():
            login_as(who)
            response = getattr(client, method)(url, data or {})
            if response.status_code != status:
                failures.append(f"{who}: expected {status}, got {response.status_code}")
            elif status == 302 and who == "anonymous":
                if not response["Location"].startswith(reverse("account_login")):
                    failures.append(f"{who}: redirected to {response['Location']}")
        client.logout()
        assert not failures, f"{method.upper()} {url}: " + "; ".join(failures)

    return _check

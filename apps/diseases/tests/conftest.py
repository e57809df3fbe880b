import pytest
from django.apps import apps

from apps.accounts.roles import grant_content_permissions

# The browser fixtures (Playwright on the system's Chromium) live with the core tests.
from apps.core.tests.conftest import (  # noqa: F401
    browser,
    new_page,
    page,
    pytest_runtest_makereport,
)


@pytest.fixture
def content_editor(content_editor):
    """The shared content editor, with the group permissions of the data migration.

    Tests that flush the database (browser tests with a live server) also remove
    rows that migrations wrote; granting again keeps these tests independent of
    the order they run in.
    """
    grant_content_permissions(apps, None, "diseases")
    return content_editor

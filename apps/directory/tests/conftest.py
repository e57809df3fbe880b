# The browser fixtures (Playwright on the system's Chromium) live with the core tests.
from apps.core.tests.conftest import (  # noqa: F401
    browser,
    new_page,
    page,
    pytest_runtest_makereport,
)

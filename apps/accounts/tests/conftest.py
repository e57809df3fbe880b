from apps.core.tests.conftest import (  # noqa: F401 (browser fixtures and hook)
    browser,
    new_page,
    page,
    pytest_runtest_makereport,
)

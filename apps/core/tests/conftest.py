import os
import re
from pathlib import Path

import pytest

from .browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, require_browser_tools

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    require_browser_tools()
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _new_page(browser, request, *, javascript=True, viewport=DESKTOP):
    # bypass_csp only lets the tests inject axe-core; pages still send their CSP.
    context = browser.new_context(
        java_script_enabled=javascript, viewport=viewport, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


@pytest.fixture
def new_page(browser, request, live_server):
    """Open pages as a fresh visitor; keeps a screenshot of each page on failure."""
    opened = []

    def _open(*, javascript=True, viewport=DESKTOP):
        context, page = _new_page(
            browser, request, javascript=javascript, viewport=viewport
        )
        opened.append((context, page))
        return page

    yield _open
    failed = getattr(request.node, "report_call", None)
    for index, (context, page) in enumerate(opened):
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
            page.screenshot(path=str(ARTIFACTS / f"{name}-{index}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()

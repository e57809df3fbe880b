import os
import re
from pathlib import Path

import pytest

from .browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    Journey,
    require_browser_tools,
)

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def browser():
    """Chromium, started once per test module.

    Other apps' conftests import this fixture, which registers it again under their
    folder; Playwright's sync API allows one instance at a time, so one that lasted
    the whole session would stop the next app's browser tests from starting.
    """
    require_browser_tools()
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # While that loop runs, Django keeps database connections in a separate,
    # per-task store: the test would get new connection objects, without the
    # serialized copy of the database that serialized_rollback restores (so a
    # flush re-created content types under new ids, and the next test that
    # restores the copy failed). The test keeps using the same connections.
    same_connections = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in same_connections.items():
            connections[alias] = connection
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
            name = _artifact_name(request)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{index}.png"), full_page=True)
        context.close()


def _artifact_name(request) -> str:
    return re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def journey(request, new_page):
    """A Journey in the mode given by indirect parametrisation (JOURNEY_MODES).

    On failure every step's screenshot is kept in test-artifacts/<test>/.
    """
    from django.core.cache import cache

    # Rate limits (e-mails, answers, reports) and used TOTP codes live in the cache,
    # shared by every test of this process: each journey starts afresh.
    cache.clear()
    mode = getattr(request, "param", {"javascript": True, "viewport": DESKTOP})
    journey = Journey(new_page, **mode)
    yield journey
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        journey.save_steps(ARTIFACTS / _artifact_name(request))


@pytest.fixture
def site_content(db):
    """The seed content of every public page: disease information, the checklists,
    the care-service taxonomy and the demo directory, searchable."""
    from django.core.management import call_command

    from apps.directory.search import refresh_search_index
    from apps.diseases.demo import prepare_content

    call_command(
        "loaddata", "taxonomy", "diseases", "checklists", "directory_demo", verbosity=0
    )
    prepare_content()
    refresh_search_index()


@pytest.fixture
def content_editor(content_editor):
    """The shared content editor, with the permissions the data migrations grant.

    Browser tests flush the database; with --reuse-db the rows that migrations wrote
    may be gone before the serialized copy is taken, so they are granted again.
    """
    from django.apps import apps

    from apps.accounts.roles import CONTENT_APPS, grant_content_permissions

    for label in CONTENT_APPS:
        grant_content_permissions(apps, None, label)
    return content_editor


@pytest.fixture
def clinical_reviewer(content_editor, clinical_reviewer):
    """The shared clinical reviewer, with the sign-off permissions granted again
    (after a flush, as for content_editor above)."""
    from django.apps import apps

    from apps.accounts.roles import grant_sign_off_permissions

    for label in ("diseases", "checklists"):
        grant_sign_off_permissions(apps, None, label)
    return clinical_reviewer

"""The outcome report in a real browser: axe-core finds no serious or critical
fault, on a desktop and on a phone, and the charts fit the screen."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.core.tests.browser import DESKTOP, PHONE, check_accessibility
from apps.referrals.tests.test_browser import sign_in
from apps.referrals.tests.test_reports_access import _send

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("who", ["supervisor", "administrator"])
def test_report_page_is_accessible(
    new_page, live_server, request, caseworker, third_caseworker, viewport, who
):
    cache.clear()
    _send(caseworker, 12)
    _send(third_caseworker, 3, decline_every=2)
    page = new_page(viewport=viewport)
    sign_in(page, live_server, request.getfixturevalue(who))
    page.goto(live_server.url + reverse("referrals:referral_report"))
    page.get_by_role("heading", name="What happened to the referrals sent").wait_for()
    check_accessibility(page, context=f"outcome report ({who})")
    # Every chart has its name; the bar charts fit the screen, the monthly chart
    # scrolls inside its own box, and the page itself never scrolls sideways.
    assert page.get_by_role("img").count() >= 4
    assert page.get_by_role("img", name="Month by month").count() == 1
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for right in page.locator("svg.report-chart-bars").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().right)"
    ):
        assert right <= width
    # Labels stay at least 10 CSS pixels high, even on a phone.
    heights = page.locator("svg text").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert min(h for h in heights if h) >= 10
    # A bad period is explained and checked by axe too.
    page.fill("#id_start", "2030-01-01")
    page.get_by_role("button", name="Show the report").click()
    page.get_by_role("link", name="From: The start date is in the future").wait_for()
    check_accessibility(page, context="outcome report with errors")

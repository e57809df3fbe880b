"""axe-core and keyboard checks on the main pages that no app's own browser tests
or journeys cover yet.

Already covered elsewhere: disease pages, glossary, comparison and content search
(apps/diseases), public and personal checklists and the print view (apps/checklists),
casework dashboard, client and referral pages, respond page and my referrals
(apps/referrals), home, sign-in and sign-up (test_browser_smoke), and every page of
the three journeys (test_journey_*). Each page here is also checked for a skip link
that works, a visible focus on it, and a label on every form control.
"""

import pytest
from django.urls import reverse

from apps.directory.models import SavedService, Service
from apps.referrals.models import Referral
from apps.referrals.tests.factories import ClientFactory, NoteFactory, ReferralFactory

from .browser import (
    PHONE,
    check_accessibility,
    check_errors_announced,
    check_skip_link,
    is_focus_visible,
    log_in,
    unlabelled_controls,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def check_page(page, url: str, *, status: int = 200) -> None:
    """Open url and run every page-level check on it."""
    response = page.goto(url)
    assert response.status == status, f"{url}: {response.status}"
    check_accessibility(page, context=url)
    assert page.locator("h1").count() == 1, f"one h1 at {url}"
    assert not unlabelled_controls(page), f"{url}: {unlabelled_controls(page)}"
    check_skip_link(page)


@pytest.fixture
def harbor_clinic(site_content):
    return Service.objects.select_related("organization").get(
        name="Harbor City ALS Clinic (example)"
    )


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_directory_pages(new_page, live_server, harbor_clinic, viewport):
    page = new_page(viewport=viewport) if viewport else new_page()
    base = live_server.url
    search = base + reverse("directory:service_list")
    for url in [
        search,
        search + "?q=speech+therapy&zip=02114&radius=50",
        search + "?q=nothing+like+this+anywhere",
        search + "?type=als-clinic&telehealth=1&sort=distance&zip=10001",
        base + harbor_clinic.get_absolute_url(),
        base
        + reverse(
            "directory:organization_detail", args=[harbor_clinic.organization_id]
        ),
        base + reverse("directory:service_report", args=[harbor_clinic.pk]),
    ]:
        check_page(page, url)

    # Errors: a search with an impossible ZIP code, and an empty report.
    page.goto(search + "?zip=1234x&radius=9999")
    check_accessibility(page, context="search errors")
    check_errors_announced(page)
    page.goto(base + reverse("directory:service_report", args=[harbor_clinic.pk]))
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()
    check_accessibility(page, context="report errors")
    check_errors_announced(page)


def test_patient_pages(page, live_server, harbor_clinic, patient):
    SavedService.objects.create(user=patient, service=harbor_clinic)
    log_in(page, live_server.url, patient)
    base = live_server.url
    for url in [
        base + reverse("directory:saved_list"),
        base + reverse("directory:saved_list_print"),
        base + reverse("accounts:profile_update"),
        base + reverse("account_email"),
        base + reverse("account_change_password"),
    ]:
        check_page(page, url)
    check_page(page, base + reverse("referrals:dashboard"), status=403)
    check_page(page, base + "/no-such-page/", status=404)

    page.goto(base + reverse("accounts:profile_update"))
    page.fill("#id_zip_code", "99999")
    page.fill("#id_diagnosis_date", "2999-01-01")
    page.get_by_role("button", name="Save my profile").click()
    page.wait_for_load_state()
    check_accessibility(page, context="profile errors")
    check_errors_announced(page)
    assert page.get_attribute("#id_zip_code", "aria-invalid") == "true"


def test_sign_in_pages_with_errors(page, live_server, caseworker):
    base = live_server.url
    check_page(page, base + reverse("account_reset_password"))
    page.goto(base + reverse("account_login"))
    page.fill("input[name=login]", caseworker.email)
    page.fill("input[name=password]", "not-the-password")
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    check_accessibility(page, context="wrong password")
    check_errors_announced(page)

    page.fill("input[name=password]", "correct-horse-battery")
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    page.wait_for_url("**" + reverse("mfa_authenticate"))
    check_accessibility(page, context="second step")
    assert not unlabelled_controls(page)
    page.fill("input[name=code]", "000000")
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    check_accessibility(page, context="wrong code")
    check_errors_announced(page)


def test_casework_pages(
    page, new_page, live_server, harbor_clinic, caseworker, supervisor
):
    client = ClientFactory(caseworker=caseworker, full_name="Kit Lowell")
    ClientFactory.create_batch(3, caseworker=caseworker)
    referral = ReferralFactory(client=client, service=harbor_clinic)
    referral.change_status(Referral.Status.SENT, by=caseworker)
    NoteFactory(client=client, referral=referral, author=caseworker)
    base = live_server.url
    log_in(page, base, caseworker)
    for url in [
        base + reverse("referrals:client_list"),
        base + reverse("referrals:client_list") + "?q=nobody&status=completed",
        base + reverse("referrals:client_update", args=[client.pk]),
        base + reverse("referrals:client_invite", args=[client.pk]),
        base + reverse("referrals:referral_choose_service") + f"?client={client.pk}",
        base
        + reverse("referrals:referral_create")
        + f"?client={client.pk}&service={harbor_clinic.pk}",
        base + reverse("referrals:referral_update", args=[referral.pk]),
        base + reverse("referrals:referral_print", args=[referral.pk]),
    ]:
        check_page(page, url)

    page.goto(base + reverse("referrals:client_create"))
    page.get_by_role("button", name="Add client").click()
    page.wait_for_load_state()
    check_accessibility(page, context="client form errors")
    check_errors_announced(page)
    page.goto(
        base + reverse("referrals:referral_create") + f"?service={harbor_clinic.pk}"
    )
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    check_accessibility(page, context="referral form errors")
    check_errors_announced(page)

    supervisor_page = new_page()
    log_in(supervisor_page, base, supervisor)
    for url in [
        base + reverse("referrals:client_access_log", args=[client.pk]),
        base + reverse("referrals:client_reassign", args=[client.pk]),
    ]:
        check_page(supervisor_page, url)


@pytest.mark.parametrize(
    ("who", "url_name"),
    [
        ("anonymous", "directory:service_list"),
        ("patient", "accounts:profile_update"),
        ("caseworker", "referrals:client_create"),
    ],
)
def test_focus_is_always_visible_when_tabbing(
    request, page, live_server, site_content, who, url_name
):
    """Tab through the page: every stop is on screen and visibly marked."""
    if who != "anonymous":
        log_in(page, live_server.url, request.getfixturevalue(who))
    page.goto(live_server.url + reverse(url_name))
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        here = page.evaluate(
            "(() => { const el = document.activeElement;"
            " return el === document.body ? null : el.outerHTML.slice(0, 100); })()"
        )
        if here is None or here in seen:
            break
        seen.append(here)
        assert is_focus_visible(page), f"focus not visible on {here}"
    assert len(seen) > 5, seen

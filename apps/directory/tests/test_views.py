import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from apps.directory.models import ListingReport, SavedService, Service, TaxonomyTerm
from apps.directory.search import refresh_search_index

from .factories import (
    AddressFactory,
    LanguageFactory,
    LocationFactory,
    PhoneFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)

pytestmark = pytest.mark.django_db

EVERYONE = {
    "anonymous": 200,
    "patient": 200,
    "other_patient": 200,
    "caseworker": 200,
    "other_caseworker": 200,
    "supervisor": 200,
    "other_supervisor": 200,
    "content_editor": 200,
    "administrator": 200,
}
ONLY_PATIENTS = {
    "anonymous": 302,
    "patient": 200,
    "caseworker": 403,
    "supervisor": 403,
    "content_editor": 403,
    "administrator": 403,
}


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()


@pytest.fixture
def service(db):
    service = ServiceFactory(
        name="Harbor Voice Clinic",
        eligibility_description="Adults with ALS.",
        fees_description="Free for everyone.",
        last_verified="2026-05-04",
        telehealth=True,
        taxonomy_terms=[TaxonomyTermFactory(code="speech", name="Speech therapy")],
    )
    sal = ServiceAtLocationFactory(service=service)
    AddressFactory(location=sal.location, address_1="12 Example Wharf")
    PhoneFactory(service=service, number="617-555-0123")
    ScheduleFactory(service=service, byday="MO,TU,WE,TH,FR")
    LanguageFactory(service=service, name="Spanish", code="es")
    return service


def test_service_detail_shows_the_listing(client, service):
    response = client.get(service.get_absolute_url())
    for text in [
        "Harbor Voice Clinic",
        "12 Example Wharf",
        "617-555-0123",
        "Monday to Friday: 9 a.m. to 5 p.m.",
        "Adults with ALS.",
        "Free for everyone.",
        "Spanish",
        "Yes, some visits can be by video",
        "Accepted",
        "May 4, 2026",
        service.organization.name,
        service.organization.get_absolute_url(),
        reverse("directory:service_report", args=[service.id]),
    ]:
        assertContains(response, text)
    assertContains(response, "<h1>", count=1)


def test_service_detail_role_matrix(assert_access, service):
    assert_access(service.get_absolute_url(), EVERYONE)
    assert_access(service.get_absolute_url(), {"anonymous": 405}, method="post")


def test_service_detail_query_count(client, service, django_assert_num_queries):
    # 1 service with organisation, 2 terms, 3 languages, 4 service-at-locations
    # with locations, 5 addresses, 6 every phone (service, sites, locations),
    # 7 every schedule (the same).
    with django_assert_num_queries(7):
        client.get(service.get_absolute_url())


def test_service_detail_shows_phones_and_hours_of_every_level(client, service):
    sal = service.service_at_locations.first()
    PhoneFactory(service=None, location=sal.location, number="617-555-0111")
    PhoneFactory(service=None, service_at_location=sal, number="617-555-0122")
    ScheduleFactory(
        service=None, location=sal.location, byday="SA", description="Saturday clinic"
    )
    response = client.get(service.get_absolute_url())
    assertContains(response, "617-555-0111")
    assertContains(response, "617-555-0122")
    assertContains(response, "Saturday clinic")


def test_service_detail_links_directions_to_openstreetmap(client, service):
    response = client.get(service.get_absolute_url())
    assert (
        'href="https://www.openstreetmap.org/directions?route=%3B42.361100%2C-71.068300"'
        in response.content.decode()
    )


def test_defunct_and_unknown_services_are_404(client, service):
    Service.objects.filter(pk=service.pk).update(status=Service.Status.DEFUNCT)
    assert client.get(service.get_absolute_url()).status_code == 404
    url = reverse(
        "directory:service_detail", args=["0" * 8 + "-0000-4000-8000-" + "0" * 12]
    )
    assert client.get(url).status_code == 404


def test_refer_button_only_for_casework(client, service, login_as):
    refer = reverse("referrals:referral_create")
    link = f"{refer}?service={service.id}"
    for who, shown in [
        ("caseworker", True),
        ("supervisor", True),
        ("patient", False),
        ("anonymous", False),
        ("content_editor", False),
    ]:
        login_as(who)
        response = client.get(service.get_absolute_url())
        assert (link in response.content.decode()) is shown, who


def test_organization_detail_lists_services_and_locations(client, service):
    location = LocationFactory(organization=service.organization, name="Quay site")
    AddressFactory(location=location, address_1="99 Quay Road")
    ServiceFactory(organization=service.organization, name="Gone", status="defunct")
    response = client.get(service.organization.get_absolute_url())
    assertContains(response, "Harbor Voice Clinic")
    assertContains(response, "99 Quay Road")
    assertNotContains(response, "Gone")


def test_organization_detail_role_matrix(assert_access, service):
    assert_access(service.organization.get_absolute_url(), EVERYONE)


def test_organization_query_count_is_flat(client, service, django_assert_num_queries):
    for index in range(5):
        other = ServiceFactory(organization=service.organization, name=f"S{index}")
        ServiceAtLocationFactory(service=other)
    # 1 organisation, 2 its listed services, 3 their terms, 4 its locations,
    # 5 addresses, 6 location phones, 7 organisation phones.
    with django_assert_num_queries(7):
        client.get(service.organization.get_absolute_url())


# Reports -------------------------------------------------------------------


def test_report_a_problem_stores_and_emails(
    client, service, settings, django_capture_on_commit_callbacks
):
    settings.CONTENT_TEAM_EMAIL = "content-team@example.org"
    url = reverse("directory:service_report", args=[service.id])
    assertContains(client.get(url), "What is wrong or out of date?")
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"message": "The phone number is wrong.", "contact_email": ""}
        )
    assertRedirects(response, service.get_absolute_url(), fetch_redirect_response=False)
    report = ListingReport.objects.get()
    assert report.service == service
    assert report.message == "The phone number is wrong."
    # The content team hears of it; the service is asked to check its own listing.
    team, service_mail = sorted(
        mail.outbox, key=lambda m: m.to != [settings.CONTENT_TEAM_EMAIL]
    )
    assert team.to == ["content-team@example.org"]
    assert "The phone number is wrong." in team.body
    assert service_mail.to == [service.email or service.organization.email]
    assert "check" in service_mail.subject.lower()
    assertContains(client.get(response["Location"]), "Your report has reached our team")


def test_report_needs_a_message(client, service):
    url = reverse("directory:service_report", args=[service.id])
    response = client.post(url, {"message": "", "contact_email": "not an address"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"message", "contact_email"}
    assert not ListingReport.objects.exists()


def test_report_honeypot_is_silently_dropped(client, service):
    url = reverse("directory:service_report", args=[service.id])
    response = client.post(url, {"message": "Buy now", "website": "http://spam"})
    assertRedirects(response, service.get_absolute_url())
    assert not ListingReport.objects.exists()
    assert not mail.outbox


def test_reports_are_rate_limited_per_address(client, service):
    url = reverse("directory:service_report", args=[service.id])
    for number in range(7):
        client.post(url, {"message": f"Report {number}"})
    assert ListingReport.objects.count() == 5


def test_report_needs_csrf(service):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    url = reverse("directory:service_report", args=[service.id])
    assert strict.post(url, {"message": "Hello"}).status_code == 403


def test_report_role_matrix(assert_access, service):
    url = reverse("directory:service_report", args=[service.id])
    assert_access(url, EVERYONE)
    assert_access(url, {"anonymous": 405}, method="put")


# Saved services ----------------------------------------------------------


def test_patient_saves_and_unsaves_without_javascript(client, patient, service):
    client.force_login(patient)
    back = reverse("directory:service_list") + "?q=voice"
    response = client.post(
        reverse("directory:service_save", args=[service.id]), {"next": back}
    )
    assertRedirects(response, back, fetch_redirect_response=False)
    assert SavedService.objects.filter(user=patient, service=service).exists()
    # Saving twice keeps one row.
    client.post(reverse("directory:service_save", args=[service.id]))
    assert SavedService.objects.count() == 1
    page = client.get(service.get_absolute_url())
    assertContains(page, "Saved<span")
    assertContains(page, 'class="btn btn-sm btn-outline-primary save-button is-saved"')
    # Removing asks once, on a page of its own without JavaScript.
    unsave = reverse("directory:service_unsave", args=[service.id])
    response = client.post(unsave, {"next": back})
    assertContains(response, f"Remove {service.name} from my list?")
    assertContains(response, f'href="{back}"')
    assert SavedService.objects.exists()
    response = client.post(unsave, {"confirm": "yes"})
    assertRedirects(response, service.get_absolute_url())
    assert not SavedService.objects.exists()


def test_removing_with_htmx_asks_in_place(client, patient, service):
    SavedService.objects.create(user=patient, service=service)
    client.force_login(patient)
    unsave = reverse("directory:service_unsave", args=[service.id])
    response = client.post(unsave, HTTP_HX_REQUEST="true")
    assertContains(response, "Remove from your list?")
    assertContains(response, 'name="confirm" value="yes"')
    assert SavedService.objects.exists()
    response = client.post(unsave, {"confirm": "yes"}, HTTP_HX_REQUEST="true")
    assertContains(response, "Removed from your list.")
    assert not SavedService.objects.exists()


def test_the_removal_question_ignores_an_outside_next_url(client, patient, service):
    client.force_login(patient)
    response = client.post(
        reverse("directory:service_unsave", args=[service.id]),
        {"next": "https://evil.example.com/"},
    )
    assertNotContains(response, "evil.example.com")


def test_save_ignores_an_outside_next_url(client, patient, service):
    client.force_login(patient)
    response = client.post(
        reverse("directory:service_save", args=[service.id]),
        {"next": "https://evil.example.com/"},
    )
    assertRedirects(response, service.get_absolute_url())


def test_save_with_htmx_returns_the_button(client, patient, service):
    client.force_login(patient)
    response = client.post(
        reverse("directory:service_save", args=[service.id]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assertContains(response, reverse("directory:service_unsave", args=[service.id]))
    assertContains(response, 'hx-swap-oob="true"')
    assertContains(response, "Saved to your list.")


def test_save_role_matrix(assert_access, service):
    url = reverse("directory:service_save", args=[service.id])
    assert_access(url, ONLY_PATIENTS | {"patient": 302}, method="post")
    assert_access(url, {"patient": 405})


def test_unsave_only_touches_own_list(client, patient, other_patient, service):
    SavedService.objects.create(user=other_patient, service=service)
    client.force_login(patient)
    client.post(
        reverse("directory:service_unsave", args=[service.id]), {"confirm": "yes"}
    )
    assert SavedService.objects.filter(user=other_patient).exists()


def test_saved_list_shows_only_own_services(client, patient, other_patient, service):
    mine = ServiceFactory(name="Mine to keep")
    SavedService.objects.create(user=patient, service=mine)
    SavedService.objects.create(user=other_patient, service=service)
    client.force_login(patient)
    response = client.get(reverse("directory:saved_list"))
    assertContains(response, "Mine to keep")
    assertNotContains(response, "Harbor Voice Clinic")
    client.force_login(other_patient)
    response = client.get(reverse("directory:saved_list"))
    assertContains(response, "Harbor Voice Clinic")
    assertNotContains(response, "Mine to keep")


def test_saved_list_role_matrix(assert_access):
    for name in ["directory:saved_list", "directory:saved_list_print"]:
        assert_access(reverse(name), ONLY_PATIENTS)
        assert_access(reverse(name), {"patient": 405}, method="post")


def test_saved_list_is_empty_kindly(client, patient):
    client.force_login(patient)
    assertContains(client.get(reverse("directory:saved_list")), "not saved any")


@pytest.mark.parametrize("name", ["directory:saved_list", "directory:saved_list_print"])
def test_saved_list_query_count_is_flat(
    client, patient, name, django_assert_num_queries
):
    def add(count):
        for _ in range(count):
            service = ServiceFactory()
            sal = ServiceAtLocationFactory(service=service)
            AddressFactory(location=sal.location)
            PhoneFactory(service=service)
            SavedService.objects.create(user=patient, service=service)

    client.force_login(patient)
    add(2)
    # 1 session, 2 user, 3 saved rows with services and organisations,
    # 4 service-at-locations with locations, 5 addresses, 6 location phones,
    # 7 service phones, 8 taxonomy terms.
    with django_assert_num_queries(8):
        client.get(reverse(name))
    add(10)
    with django_assert_num_queries(8):
        response = client.get(reverse(name))
    assert len(response.context["saved"]) == 12


def test_print_view_is_a_clean_table(client, patient, service):
    SavedService.objects.create(user=patient, service=service)
    client.force_login(patient)
    response = client.get(reverse("directory:saved_list_print"))
    assertContains(response, "<table")
    assertContains(response, "617-555-0123")
    assertContains(response, "12 Example Wharf")


def test_email_the_list_to_myself(client, patient, other_patient, service):
    SavedService.objects.create(user=patient, service=service)
    SavedService.objects.create(
        user=other_patient, service=ServiceFactory(name="Not mine")
    )
    client.force_login(patient)
    response = client.post(
        reverse("directory:saved_list_email"), {"to": "someone@evil.example.com"}
    )
    assertRedirects(response, reverse("directory:saved_list"))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [patient.email]
    assert "Harbor Voice Clinic" in mail.outbox[0].body
    assert "617-555-0123" in mail.outbox[0].body
    assert "Not mine" not in mail.outbox[0].body


def test_email_an_empty_list_sends_nothing(client, patient):
    client.force_login(patient)
    client.post(reverse("directory:saved_list_email"))
    assert not mail.outbox


def test_email_role_matrix(assert_access):
    url = reverse("directory:saved_list_email")
    assert_access(url, ONLY_PATIENTS | {"patient": 302}, method="post")
    assert_access(url, {"patient": 405})


def test_patient_sees_save_buttons_in_results(client, patient, service):
    refresh_search_index([service.pk])
    client.force_login(patient)
    response = client.get(reverse("directory:service_list"))
    assertContains(response, reverse("directory:service_save", args=[service.id]))
    client.logout()
    response = client.get(reverse("directory:service_list"))
    assertNotContains(response, reverse("directory:service_save", args=[service.id]))


def test_navigation_items(client, patient, caseworker):
    response = client.get(reverse("directory:service_list"))
    assertContains(response, 'aria-current="page">Find services')
    assertNotContains(response, "Saved services</a>")
    client.force_login(patient)
    assertContains(client.get(reverse("core:home") + "?stay=1"), "Saved services</a>")
    client.force_login(caseworker)
    response = client.get(reverse("directory:service_list"))
    assertNotContains(response, "Saved services</a>")


def test_home_links_to_the_directory(client):
    assertContains(
        client.get(reverse("core:home")), f'href="{reverse("directory:service_list")}"'
    )


def test_public_pages_are_shared_but_never_with_personal_bits(
    client, settings, patient, service
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    cache.clear()
    url = service.get_absolute_url()
    assertContains(client.get(url), "Harbor Voice Clinic")
    Service.objects.filter(pk=service.pk).update(name="Renamed")
    # Anonymous visitors get the stored copy for a while...
    assertContains(client.get(url), "Harbor Voice Clinic")
    # ...signed-in patients always a fresh page, with their save button.
    client.force_login(patient)
    response = client.get(url)
    assertContains(response, "Renamed")
    assertContains(response, reverse("directory:service_save", args=[service.id]))


def test_the_search_form_reads_the_taxonomy_once_until_a_term_changes(client):
    """Workers keep the terms (apps/directory/taxonomy.py): no query for them on
    later searches, and a renamed, added or deleted term shows on the next one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    top = TaxonomyTermFactory(code="therapy", name="Therapy")
    TaxonomyTermFactory(code="speech", name="Speech therapy", parent=top)
    url = reverse("directory:service_list")
    assertContains(client.get(url), "Speech therapy</option>")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert not [q for q in queries if "directory_taxonomyterm" in q["sql"]]

    TaxonomyTerm.objects.filter(code="speech").get().delete()
    TaxonomyTermFactory(code="voice", name="Voice clinic", parent=top)
    response = client.get(url)
    assertContains(response, "Voice clinic</option>")
    assertNotContains(response, "Speech therapy</option>")
    response = client.get(url, {"type": "voice"})
    assert response.context["form"].cleaned_data["type_ids"]


def test_a_card_escapes_what_a_listing_holds(client):
    from apps.directory.search import refresh_search_index

    from .factories import ServiceFactory

    service = ServiceFactory(
        name="<script>alert(1)</script> Clinic",
        description='Fees "waived" & <b>free</b> parking.',
    )
    refresh_search_index([service.pk])
    page = client.get(reverse("directory:service_list"), {"q": "clinic"})
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Clinic" in html
    assert "Fees &quot;waived&quot; &amp; &lt;b&gt;free&lt;/b&gt; parking." in html

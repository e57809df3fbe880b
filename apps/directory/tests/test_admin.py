import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from apps.directory.geo import find_zip
from apps.directory.models import ListingReport, SavedService, Service
from apps.directory.search import refresh_search_index

from .factories import (
    LocationFactory,
    OrganizationFactory,
    PhoneFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)

pytestmark = pytest.mark.django_db


def changelist(**params) -> tuple[str, dict]:
    return reverse("admin:directory_service_changelist"), params


def listed(response) -> list[str]:
    return sorted(service.name for service in response.context["cl"].result_list)


def test_content_editors_get_directory_permissions_but_not_saved_services():
    group = Group.objects.get(name="Content editors")
    codenames = set(
        group.permissions.filter(content_type__app_label="directory").values_list(
            "codename", flat=True
        )
    )
    assert {"change_service", "add_organization", "change_listingreport"} <= codenames
    assert not {name for name in codenames if name.endswith("savedservice")}


def test_saved_services_are_not_in_the_admin():
    assert SavedService not in admin.site._registry
    assert Service in admin.site._registry


def test_admin_service_list_for_editors(client, content_editor, assert_access):
    ServiceFactory(name="Harbor Voice Clinic")
    url = reverse("admin:directory_service_changelist")
    assert_access(
        url,
        {
            "anonymous": 302,
            "patient": 302,
            "caseworker": 302,
            "content_editor": 200,
            "administrator": 200,
        },
    )
    client.force_login(content_editor)
    assertContains(client.get(url, {"q": "voice"}), "Harbor Voice Clinic")


def test_admin_filters(client, content_editor):
    parent = TaxonomyTermFactory(code="therapy", name="Therapy")
    child = TaxonomyTermFactory(code="speech", name="Speech", parent=parent)
    today = timezone.localdate()
    ServiceFactory(
        name="Fresh",
        last_verified=today,
        telehealth=True,
        diseases=["ms"],
        taxonomy_terms=[child],
    )
    ServiceFactory(name="Stale", last_verified=today - datetime.timedelta(days=400))
    ServiceFactory(name="Never", last_verified=None, status=Service.Status.INACTIVE)
    client.force_login(content_editor)
    url = reverse("admin:directory_service_changelist")
    assert listed(client.get(url, {"verified": "stale"})) == ["Never", "Stale"]
    assert listed(client.get(url, {"verified": "recent"})) == ["Fresh"]
    assert listed(client.get(url, {"type": "therapy"})) == ["Fresh"]
    assert listed(client.get(url, {"disease": "ms"})) == ["Fresh"]
    assert listed(client.get(url, {"telehealth__exact": "1"})) == ["Fresh"]
    assert listed(client.get(url, {"status__exact": "inactive"})) == ["Never"]


def test_verified_today_action(client, content_editor):
    old = timezone.localdate() - datetime.timedelta(days=500)
    one = ServiceFactory(last_verified=old)
    two = ServiceFactory(last_verified=None)
    untouched = ServiceFactory(last_verified=old)
    client.force_login(content_editor)
    response = client.post(
        reverse("admin:directory_service_changelist"),
        {"action": "mark_verified_today", "_selected_action": [one.pk, two.pk]},
        follow=True,
    )
    assertContains(response, "2 service(s) marked as verified today.")
    one.refresh_from_db()
    two.refresh_from_db()
    untouched.refresh_from_db()
    assert one.last_verified == two.last_verified == timezone.localdate()
    assert untouched.last_verified == old


def test_admin_save_refreshes_the_search_vector(client, content_editor):
    organization = OrganizationFactory()
    term = TaxonomyTermFactory(code="respite", name="Respite care")
    client.force_login(content_editor)
    prefix = {
        "service_at_locations": "service_at_locations",
        "phones": "phones",
        "schedules": "schedules",
        "languages": "languages",
    }
    data = {
        "organization": organization.pk,
        "name": "Weekend Break House",
        "status": "active",
        "description": "Short stays.",
        "taxonomy_terms": [term.pk],
        "diseases": "als",
    }
    for name in prefix.values():
        data |= {f"{name}-TOTAL_FORMS": "0", f"{name}-INITIAL_FORMS": "0"}
    response = client.post(reverse("admin:directory_service_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    service = Service.objects.get(name="Weekend Break House")
    assert "'respit':" in service.search_vector
    assert "'weekend':" in service.search_vector


def test_organisation_rename_refreshes_its_services(client, content_editor):
    service = ServiceFactory(organization=OrganizationFactory(name="Old Name"))
    client.force_login(content_editor)
    url = reverse("admin:directory_organization_change", args=[service.organization.pk])
    response = client.post(
        url,
        {
            "name": "Lighthouse Health",
            "phones-TOTAL_FORMS": "0",
            "phones-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert "'lighthous':" in service.search_vector


def test_change_history_lists_edits_and_bulk_updates(client, content_editor):
    service = ServiceFactory(name="Before")
    PhoneFactory(service=service, number="617-555-0199")
    Service.objects.filter(pk=service.pk).update(
        name="After", last_verified="2026-01-02"
    )
    client.force_login(content_editor)
    response = client.get(reverse("admin:directory_service_history", args=[service.pk]))
    assert response.status_code == 200
    assertContains(response, "Before")
    assertContains(response, "After")
    assertContains(response, "Before → After")
    assertContains(response, "Created phone")
    assertContains(response, "<dt>Last verified</dt>", html=True)


def test_change_history_not_for_other_roles(client, caseworker):
    service = ServiceFactory()
    client.force_login(caseworker)
    url = reverse("admin:directory_service_history", args=[service.pk])
    assert client.get(url).status_code == 302


def test_listing_reports_resolve_action(client, content_editor):
    service = ServiceFactory()
    first = ListingReport.objects.create(service=service, message="Wrong phone")
    second = ListingReport.objects.create(service=service, message="Moved")
    client.force_login(content_editor)
    url = reverse("admin:directory_listingreport_changelist")
    assertContains(client.get(url), "Report on")
    response = client.post(
        url,
        {"action": "mark_resolved", "_selected_action": [first.pk]},
        follow=True,
    )
    assertContains(response, "1 report(s) marked as resolved.")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_resolved and not second.is_resolved
    assertNotContains(
        client.get(reverse("admin:directory_listingreport_add")),
        "Save",
        status_code=403,
    )


def test_moving_a_location_moves_its_services_in_distance_searches(
    client, content_editor
):
    service = ServiceFactory(name="Harbor voice clinic", description="Voice care.")
    location = LocationFactory(organization=service.organization)  # Boston
    ServiceAtLocationFactory(service=service, location=location)
    refresh_search_index([service.pk])
    client.force_login(content_editor)
    url = reverse("admin:directory_location_change", args=[location.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data |= {"organization": location.organization_id, "location_type": "physical"}
    # Worcester, about 38 miles west.
    data |= {"latitude": "42.262600", "longitude": "-71.802300"}
    for formset in client.get(url).context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    def found_near(zip_code: str) -> list[str]:
        near = Service.objects.listed().matching("voice").near(find_zip(zip_code), 5)
        return [found.name for found in near.search_results()[0:5]]

    assert found_near("01608") == ["Harbor voice clinic"]  # Worcester
    assert found_near("02114") == []  # Boston


def test_a_types_spanish_name_edited_shows_on_its_services_spanish_cards(
    client, content_editor
):
    term = TaxonomyTermFactory(code="respite", name="Respite care")
    service = ServiceFactory()
    service.taxonomy_terms.add(term)
    refresh_search_index([service.pk])
    client.force_login(content_editor)
    response = client.post(
        reverse("admin:directory_taxonomyterm_change", args=[term.pk]),
        {
            "code": "respite",
            "name_en": "Respite care",
            "name_es": "Cuidado de relevo",
            "taxonomy": "carenav",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert service.card["types"] == {
        "en": ["Respite care"],
        "es": ["Cuidado de relevo"],
    }

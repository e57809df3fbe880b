"""Markup typed into any field comes back as text, never as markup.

Each field that a patient, caseworker, service, visitor or editor can fill is given a
payload through the form people use, then every page that shows it is read: the
payload must be there, escaped, and never raw. Disease content (Markdown through the
sanitiser) has its own tests in apps/diseases/tests/test_sanitising.py and
test_views.py.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.checklists.tests.factories import (
    ChecklistItemFactory,
    DiseaseFactory,
    StageFactory,
)
from apps.directory.models import ListingReport, SavedService
from apps.directory.search import refresh_search_index
from apps.directory.tests.factories import (
    AddressFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)
from apps.referrals.models import Client, Note, Referral
from apps.referrals.tokens import make_respond_token

# Leaves a single- or double-quoted attribute, then opens an element with a handler.
PAYLOAD = "'\"><img src=x onerror=alert(1)>"
RAW = "<img src=x onerror"
SHOWN = "&lt;img src=x onerror=alert(1)&gt;"


def assert_escaped(response, *, shown: bool = True) -> None:
    html = response.content.decode()
    where = response.wsgi_request.get_full_path()
    assert response.status_code < 500, where
    assert RAW not in html, f"markup came back raw at {where}"
    if shown:
        assert SHOWN in html, f"the payload is not shown at {where}"


def test_checklist_note_and_profile(client, patient):
    als = DiseaseFactory(slug="als", short_name="ALS")
    stage = StageFactory(disease=als, suggested_from_month=0)
    item = ChecklistItemFactory(stage=stage)
    profile = patient.profile
    profile.diagnosis_date = timezone.localdate()
    profile.save()
    client.force_login(patient)

    response = client.post(
        reverse("checklists:item_note", args=[item.pk]), {"note": PAYLOAD}
    )
    assert response.status_code == 302
    for url in [
        reverse("checklists:my_checklist"),
        reverse("checklists:my_checklist") + "?show=all",
        reverse("checklists:my_checklist_print"),
    ]:
        assert_escaped(client.get(url))
    # The same note, sent by htmx, comes back in the swapped fragment.
    response = client.post(
        reverse("checklists:item_note", args=[item.pk]),
        {"note": PAYLOAD + " again"},
        headers={"HX-Request": "true"},
    )
    assert_escaped(response)

    response = client.post(
        reverse("accounts:profile_update"),
        {"disease": "als", "zip_code": PAYLOAD, "preferred_language": "en"},
    )
    assert response.status_code == 200
    assert_escaped(response)


@pytest.fixture
def service(db):
    service = ServiceFactory(name="Riverbend Speech Clinic")
    ServiceAtLocationFactory(service=service)
    return service


def test_casework_fields(client, caseworker, supervisor, patient, service):
    client.force_login(caseworker)
    data = {
        "full_name": PAYLOAD,
        "email": "kit@example.org",
        "phone": PAYLOAD,
        "zip_code": "02114",
        "preferred_language": "en",
        "consents_to_share_with_services": "on",
    }
    # Not a phone number: refused, and shown back escaped.
    refused = client.post(reverse("referrals:client_create"), data)
    assert refused.status_code == 200
    assert_escaped(refused)
    response = client.post(
        reverse("referrals:client_create"), {**data, "phone": "617-555-0142"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = Client.objects.get(full_name=PAYLOAD)
    assert_escaped(client.get(reverse("referrals:client_invite", args=[record.pk])))
    Client.objects.filter(pk=record.pk).update(patient=patient)

    response = client.post(
        reverse("referrals:referral_create"),
        {
            "client": record.pk,
            "service": service.pk,
            "reason": PAYLOAD,
            "urgency": "routine",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    referral = Referral.objects.get(client=record)
    client.post(
        reverse("referrals:note_create", args=[record.pk]),
        {"text": PAYLOAD, "visibility": "shared"},
    )
    client.post(
        reverse("referrals:note_create", args=[record.pk]),
        {"text": PAYLOAD, "visibility": "shared", "referral": referral.pk},
    )
    assert Note.objects.filter(text=PAYLOAD).count() == 2
    response = client.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"to": "sent", "version": referral.version, "note": PAYLOAD},
    )
    assert response.status_code == 303
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT

    # The receiving service reads the referral, then declines it with a reason.
    service_browser = client.__class__()
    respond_url = reverse("referrals:respond", args=[make_respond_token(referral)])
    assert_escaped(service_browser.get(respond_url))
    response = service_browser.post(
        respond_url,
        {
            "action": "decline",
            "version": referral.version,
            "note": PAYLOAD,
            "decline_reason": "other",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED

    for url in [
        reverse("referrals:dashboard"),
        reverse("referrals:client_list"),
        reverse("referrals:client_list") + "?q=" + PAYLOAD,
        reverse("referrals:client_detail", args=[record.pk]),
        reverse("referrals:client_update", args=[record.pk]),
        reverse("referrals:referral_choose_service") + f"?client={record.pk}",
        reverse("referrals:referral_create")
        + f"?client={record.pk}&service={service.pk}",
        reverse("referrals:referral_detail", args=[referral.pk]),
        reverse("referrals:referral_print", args=[referral.pk]),
    ]:
        assert_escaped(client.get(url))

    client.force_login(supervisor)
    for url in [
        reverse("referrals:client_access_log", args=[record.pk]),
        reverse("referrals:client_reassign", args=[record.pk]),
    ]:
        assert_escaped(client.get(url))

    # The linked patient sees the shared notes and the service's answer.
    client.force_login(patient)
    assert_escaped(client.get(reverse("referrals:my_referrals")))


def test_listing_report_reaches_the_admin_escaped(client, service, content_editor):
    response = client.post(
        reverse("directory:service_report", args=[service.pk]),
        {"message": PAYLOAD, "contact_email": "reader@example.org", "website": ""},
    )
    assert response.status_code == 302
    report = ListingReport.objects.get()
    assert report.message == PAYLOAD
    client.force_login(content_editor)
    assert_escaped(
        client.get(reverse("admin:directory_listingreport_changelist")), shown=False
    )
    assert_escaped(
        client.get(reverse("admin:directory_listingreport_change", args=[report.pk]))
    )


def test_directory_and_checklist_content_from_the_admin(client, patient):
    """What an editor types into the directory and checklists, on every page."""
    term = TaxonomyTermFactory(code="speech", name=PAYLOAD)
    service = ServiceFactory(
        name="Riverbend " + PAYLOAD,
        description=PAYLOAD,
        eligibility_description=PAYLOAD,
        fees_description=PAYLOAD,
        organization__name=PAYLOAD,
    )
    service.taxonomy_terms.add(term)
    at = ServiceAtLocationFactory(service=service)
    AddressFactory(location=at.location, address_1=PAYLOAD)
    refresh_search_index([service.pk])
    als = DiseaseFactory(slug="als", short_name="ALS")
    stage = StageFactory(
        disease=als, title=PAYLOAD, description=PAYLOAD, suggested_from_month=0
    )
    ChecklistItemFactory(stage=stage, title=PAYLOAD, guidance=PAYLOAD)
    SavedService.objects.create(user=patient, service=service)

    public = [
        reverse("directory:service_list") + "?q=riverbend",
        reverse("directory:service_detail", args=[service.pk]),
        reverse("directory:organization_detail", args=[service.organization_id]),
        reverse("directory:service_report", args=[service.pk]),
        reverse("checklists:stage_list", args=["als"]),
    ]
    for url in public:
        assert_escaped(client.get(url))
    client.force_login(patient)
    for url in [
        reverse("directory:saved_list"),
        reverse("directory:saved_list_print"),
        reverse("checklists:my_checklist") + "?show=all",
    ]:
        assert_escaped(client.get(url))


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("diseases:search", {"q": PAYLOAD}),
        ("directory:service_list", {"q": PAYLOAD}),
        ("directory:service_list", {"zip": PAYLOAD, "radius": PAYLOAD}),
        ("directory:service_list", {"type": PAYLOAD, "language": PAYLOAD}),
    ],
)
def test_search_boxes_echo_text_only(client, db, url_name, params):
    assert_escaped(client.get(reverse(url_name), params))


def test_sign_in_and_sign_up_echo_text_only(client, db):
    response = client.post(
        reverse("account_login"), {"login": PAYLOAD, "password": "whatever-1"}
    )
    assert_escaped(response)
    response = client.post(
        reverse("account_signup"),
        {"email": PAYLOAD, "password1": "x", "password2": "y"},
    )
    assert_escaped(response)


def test_api_search_answers_json_not_html(client, db):
    response = client.get(reverse("hsds_api:service_list"), {"search": PAYLOAD})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"

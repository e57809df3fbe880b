"""Keeping listings true: a service confirms or corrects its own listing through a
signed link, content staff moderate, and the public directory shows the result."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from apps.directory import verification
from apps.directory.listings import ListingProposal, VerificationRequest
from apps.directory.models import Service
from apps.directory.tests.factories import (
    AddressFactory,
    LocationFactory,
    PhoneFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)

LINK = re.compile(r"http://testserver(/directory/listings/check/[^/\s]+/)")


@pytest.fixture
def listing(db):
    service = ServiceFactory(
        name="Harbour Speech Clinic",
        email="front-desk@harbour.example",
        description="Speech therapy for adults.",
        eligibility_description="Adults 18 and over.",
    )
    PhoneFactory(service=service, number="(617) 555-0100")
    ScheduleFactory(
        service=service,
        freq="WEEKLY",
        byday="MO",
        opens_at=time(9),
        closes_at=time(17),
    )
    location = LocationFactory(organization=service.organization)
    AddressFactory(
        location=location,
        address_1="1 Harbour St",
        city="Boston",
        state_province="MA",
        postal_code="02114",
    )
    ServiceAtLocationFactory(service=service, location=location)
    return service


def link_from_outbox() -> str:
    body = mail.outbox[-1].body
    return LINK.search(body).group(1)


def ask(service, reason=VerificationRequest.Reason.STAFF) -> str:
    mail.outbox.clear()
    verification.request_verification(service=service, reason=reason)
    return link_from_outbox()


def form_data(page_context, **changes) -> dict:
    """What the provider's browser sends: the form as shown, with changes."""
    form = page_context["form"]
    data = {"action": "propose"}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value in (None, False):
            continue
        if isinstance(value, time):
            value = value.strftime("%H:%M")
        data[name] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_whole_path(client, content_editor, listing, settings):
    url = ask(listing)
    assert mail.outbox[-1].to == ["front-desk@harbour.example"]
    assert "Please check your CareNav listing: Harbour Speech Clinic" == (
        mail.outbox[-1].subject
    )

    page = client.get(url)
    assert page.status_code == 200
    assert b"Harbour Speech Clinic" in page.content
    assert b"Speech therapy for adults." in page.content
    assert b"(617) 555-0100" in page.content

    data = form_data(
        page.context,
        description="Speech and swallowing therapy for adults, with voice banking.",
        phone="617-555-0199",
    )
    answer = client.post(url, data)
    assert answer.status_code == 302
    proposal = ListingProposal.objects.get(service=listing)
    assert proposal.status == ListingProposal.Status.PENDING
    assert {c["name"] for c in verification.diff(proposal)} == {"description", "phone"}
    # Nothing public changes before staff decide.
    listing.refresh_from_db()
    assert listing.description == "Speech therapy for adults."

    client.force_login(content_editor)
    queue = client.get(reverse("admin:directory_listingproposal_queue"))
    assert queue.status_code == 200
    assert b"Harbour Speech Clinic" in queue.content
    review_url = reverse("admin:directory_listingproposal_change", args=[proposal.pk])
    review = client.get(review_url)
    assert review.status_code == 200
    assert b"Speech therapy for adults." in review.content
    assert b"voice banking" in review.content

    mail.outbox.clear()
    decided = client.post(
        review_url,
        {
            "action": "approve_selected",
            "approve": ["description"],
            "note": "Please give a direct line, not the switchboard.",
        },
    )
    assert decided.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ListingProposal.Status.PARTLY_APPROVED
    assert proposal.approved_fields == ["description"]
    listing.refresh_from_db()
    assert "voice banking" in listing.description
    assert listing.last_verified == timezone.localdate()
    assert listing.phones.get().number == "(617) 555-0100"
    (note,) = mail.outbox
    assert note.to == ["front-desk@harbour.example"]
    assert "direct line" in note.body
    assert "voice banking" in note.body

    client.logout()
    public = client.get(listing.get_absolute_url())
    assert b"voice banking" in public.content
    found = client.get(reverse("directory:service_list"), {"q": "voice banking"})
    assert b"Harbour Speech Clinic" in found.content

    events = Events.objects.references(listing).filter(pgh_context__source="provider")
    assert events.exists()
    assert {e.pgh_context["provider"] for e in events} == {"front-desk@harbour.example"}
    client.force_login(content_editor)
    history = client.get(reverse("admin:directory_service_history", args=[listing.pk]))
    assert (
        b"front-desk@harbour.example, for the service (approved by" in history.content
    )


def test_everything_is_right_sets_the_verified_date(client, listing):
    url = ask(listing)
    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.last_verified == timezone.localdate()
    assert listing.assured_date == timezone.localdate()
    assert listing.assurer_email == "front-desk@harbour.example"
    assert not ListingProposal.objects.exists()


def test_invalid_changes_re_render_with_everything_typed(client, listing):
    url = ask(listing)
    page = client.get(url)
    data = form_data(
        page.context,
        description="A description the provider took care to write.",
        phone="555",
        MO_opens="10:00",
        MO_closes="09:00",
        accepts_referrals="on",
        referral_email="",
    )
    response = client.post(url, data)
    assert response.status_code == 400
    assert b"A description the provider took care to write." in response.content
    assert b"not a working phone number" in response.content or b"area code" in (
        response.content
    )
    assert b"closes before it opens" in response.content
    assert b"Give the address referrals should go to" in response.content
    assert not ListingProposal.objects.exists()


def test_no_change_is_not_a_proposal(client, listing):
    url = ask(listing)
    page = client.get(url)
    response = client.post(url, form_data(page.context))
    assert response.status_code == 400
    assert b"You have not changed anything" in response.content


def test_tampered_link(client, listing):
    url = ask(listing)
    response = client.get(url[:-5] + "xxxx/")
    assert response.status_code == 404
    assert b"We do not recognise this link" in response.content


def test_expired_link_explains_and_offers_a_new_one(client, listing):
    url = ask(listing)
    VerificationRequest.objects.update(created_at=timezone.now() - timedelta(days=40))
    response = client.get(url)
    assert response.status_code == 410
    assert b"This link has expired" in response.content
    mail.outbox.clear()
    renewed = client.post(url + "renew/")
    assert renewed.status_code == 200
    assert b"A new link is on its way" in renewed.content
    # The new link goes to the listing's own address, never to whoever clicked.
    assert mail.outbox[-1].to == ["front-desk@harbour.example"]
    assert client.get(link_from_outbox()).status_code == 200


def test_revoked_link_after_a_newer_one(client, listing):
    first = ask(listing)
    second = ask(listing)
    response = client.get(first)
    assert response.status_code == 410
    assert b"This link has been replaced" in response.content
    assert client.get(second).status_code == 200


def test_answered_link_is_closed(client, listing):
    url = ask(listing)
    client.post(url, {"action": "confirm"})
    response = client.get(url)
    assert response.status_code == 410
    assert b"already been used" in response.content


def test_a_listing_report_asks_the_service_to_check(client, listing):
    mail.outbox.clear()
    client.post(
        reverse("directory:service_report", args=[listing.pk]),
        {"message": "The phone number rings out.", "contact_email": ""},
    )
    request = VerificationRequest.objects.get(service=listing)
    assert request.reason == VerificationRequest.Reason.REPORT
    assert "front-desk@harbour.example" in [m.to[0] for m in mail.outbox]


def test_staff_ask_from_the_service_list(client, content_editor, listing):
    client.force_login(content_editor)
    response = client.post(
        reverse("admin:directory_service_changelist"),
        {"action": "ask_to_verify", "_selected_action": [listing.pk]},
    )
    assert response.status_code == 302
    assert VerificationRequest.objects.get(service=listing).reason == "staff"


def test_rejecting_needs_a_note(client, content_editor, listing):
    url = ask(listing)
    page = client.get(url)
    client.post(url, form_data(page.context, fees_description="Free."))
    proposal = ListingProposal.objects.get()
    client.force_login(content_editor)
    review_url = reverse("admin:directory_listingproposal_change", args=[proposal.pk])
    response = client.post(review_url, {"action": "reject", "note": ""})
    assert response.status_code == 200
    assert b"Tell the provider why" in response.content
    response = client.post(
        review_url, {"action": "reject", "note": "We could not confirm this."}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ListingProposal.Status.REJECTED
    listing.refresh_from_db()
    assert listing.fees_description == ""


ADMIN_ACCESS = {
    "anonymous": 302,
    "patient": 302,
    "caseworker": 302,
    "supervisor": 302,
    "content_editor": 200,
    "administrator": 200,
}


def test_moderation_pages_role_matrix(client, login_as, listing):
    url = ask(listing)
    page = client.get(url)
    client.post(url, form_data(page.context, fees_description="Free."))
    proposal = ListingProposal.objects.get()
    for admin_url in (
        reverse("admin:directory_listingproposal_queue"),
        reverse("admin:directory_listingproposal_change", args=[proposal.pk]),
    ):
        for who, status in ADMIN_ACCESS.items():
            login_as(who)
            response = client.get(admin_url)
            assert response.status_code == status, (admin_url, who)
            if status == 302:
                assert "login" in response["Location"]


def test_freshness_counts(client, content_editor, db):
    today = timezone.localdate()
    ServiceFactory(last_verified=today)
    ServiceFactory(last_verified=today - timedelta(days=400))
    ServiceFactory(last_verified=None)
    client.force_login(content_editor)
    response = client.get(reverse("admin:directory_listingproposal_queue"))
    overall = response.context["freshness"]["overall"]
    assert (overall["fresh"], overall["total"], overall["percent"]) == (1, 3, 33)


def test_the_queue_starts_a_campaign(client, content_editor, db, settings):
    due = ServiceFactory(email="a@example.org", last_verified=None)
    client.force_login(content_editor)
    mail.outbox.clear()
    response = client.post(
        reverse("admin:directory_listingproposal_queue"), {"action": "campaign"}
    )
    assert response.status_code == 302
    # Tests run the task queue eagerly: the batch ran and the link went out.
    assert VerificationRequest.objects.get(service=due).reason == "schedule"


def test_campaign_selects_only_services_due(db):
    today = timezone.localdate()
    due = ServiceFactory(
        email="due@example.org", last_verified=today - timedelta(days=400)
    )
    never = ServiceFactory(email="never@example.org", last_verified=None)
    ServiceFactory(email="fresh@example.org", last_verified=today)
    ServiceFactory(email="", organization__email="", last_verified=None)
    asked = ServiceFactory(email="asked@example.org", last_verified=None)
    verification.request_verification(service=asked, reason="staff")
    assert set(verification.due_for_verification()) == {due, never}


def test_export_carries_the_verification(client, listing):
    url = ask(listing)
    client.post(url, {"action": "confirm"})
    data = client.get(reverse("hsds_api:service_detail", args=[listing.pk])).json()
    assert data["assured_date"] == timezone.localdate().isoformat()
    assert data["assurer_email"] == "front-desk@harbour.example"
    assert Service.objects.get(pk=listing.pk).assured_date == timezone.localdate()


def make_services(count: int) -> None:
    """Many bare, active listings with an e-mail address, in one statement (no
    history triggers: this is test data, not an edit; the test's rollback turns
    them on again)."""
    from django.db import connection

    from apps.directory.tests.factories import OrganizationFactory

    org = OrganizationFactory(email="")
    given = {"id", "organization_id", "last_modified", "email", "status"}
    columns = {
        field.column: field.get_db_prep_save(field.get_default(), connection)
        for field in Service._meta.concrete_fields
        if field.column not in given and not field.null
    }
    names = ", ".join(columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE directory_service DISABLE TRIGGER USER")
        cursor.execute(
            "INSERT INTO directory_service (id, organization_id, last_modified, "
            f"email, status, {names}) SELECT gen_random_uuid(), %s, now(), "  # nosec B608
            f"'listing-' || n || '@example.org', 'active', {placeholders} "
            "FROM generate_series(1, %s) AS n",
            [org.pk, *columns.values(), count],
        )
        # Check the foreign keys now, and give the planner the table's size, as
        # PostgreSQL's autovacuum would in a real directory.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ANALYZE directory_service")


def test_a_campaign_for_100000_services_enqueues_in_batches(db, settings):
    from django.db import connection, transaction
    from django_tasks import default_task_backend

    make_services(100_000)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # Every statement of the campaign must fit well inside the web's timeout.
        cursor.execute("SET LOCAL statement_timeout = '1s'")
        batches = verification.start_verification_campaign.call()
        cursor.execute("RESET statement_timeout")
    assert batches == 200
    enqueued = default_task_backend.results
    assert len(enqueued) == 200
    sizes = [len(result.args[0]) for result in enqueued]
    assert max(sizes) == verification.BATCH_SIZE
    assert sum(sizes) == 100_000
    first = enqueued[0].args[0]
    assert verification.send_verification_batch.call(first) == verification.BATCH_SIZE
    assert VerificationRequest.objects.count() == verification.BATCH_SIZE


def test_freshness_is_shown_and_can_be_filtered(client, db, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    today = timezone.localdate()
    fresh = ServiceFactory(name="Fresh Speech Clinic", last_verified=today)
    old = ServiceFactory(
        name="Old Speech Clinic", last_verified=today - timedelta(days=30 * 19)
    )
    from apps.directory.search import refresh_search_index

    refresh_search_index()
    page = client.get(reverse("directory:service_list"), {"q": "speech clinic"})
    text = page.content.decode()
    assert f"Listing last checked {today:%B %Y}" in text
    assert "may be out of date" in text
    only_fresh = client.get(
        reverse("directory:service_list"),
        {"q": "speech clinic", "checked_recently": "on"},
    ).content.decode()
    assert "Fresh Speech Clinic" in only_fresh
    assert "Old Speech Clinic" not in only_fresh
    detail = client.get(old.get_absolute_url()).content.decode()
    assert "Not checked for over 18 months" in detail
    assert (
        "Not checked for over"
        not in client.get(fresh.get_absolute_url()).content.decode()
    )


def test_approved_hours_change_open_now(client, content_editor, listing):
    """The listing check writes schedules; the service's open minutes follow."""
    from apps.directory.search import refresh_search_index

    refresh_search_index([listing.pk])
    # Monday 2026-11-23, 18:30 in New York: after the listed 9 to 5.
    evening = timezone.localtime(
        datetime(2026, 11, 23, 18, 30, tzinfo=ZoneInfo("America/New_York"))
    )
    assert not Service.objects.open_at(evening).filter(pk=listing.pk).exists()

    url = ask(listing)
    page = client.get(url)
    client.post(url, form_data(page.context, MO_opens="09:00", MO_closes="20:00"))
    proposal = ListingProposal.objects.get(service=listing)
    client.force_login(content_editor)
    review_url = reverse("admin:directory_listingproposal_change", args=[proposal.pk])
    decided = client.post(
        review_url, {"action": "approve_selected", "approve": ["hours"], "note": ""}
    )
    assert decided.status_code == 302
    assert Service.objects.open_at(evening).filter(pk=listing.pk).exists()

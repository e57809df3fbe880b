"""The referral worklist, the dashboard's links into it, and the feed of answers."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from apps.core.models import AccessLog
from apps.directory.tests.factories import ServiceFactory
from apps.referrals.models import FeedMark, Referral
from apps.referrals.tests.factories import ClientFactory, ReferralFactory
from apps.referrals.views.worklist import REFERRALS_PER_PAGE

WORKLIST = "referrals:referral_list"


def _shown(response) -> set[int]:
    return {referral.pk for referral in response.context["referrals"]}


@pytest.fixture
def caseload(caseworker, third_caseworker, other_caseworker, client_record, service):
    today = timezone.localdate()
    mine = {
        "overdue": ReferralFactory(
            client=client_record, service=service, follow_up_on=today - timedelta(2)
        ),
        "draft": ReferralFactory(client=client_record, service=service),
        "sent": ReferralFactory(client=client_record, service=service),
    }
    mine["sent"].change_status("sent", by=caseworker)
    colleague_client = ClientFactory(caseworker=third_caseworker)
    colleague = ReferralFactory(client=colleague_client)
    other_team = ReferralFactory(client=ClientFactory(caseworker=other_caseworker))
    return {**mine, "colleague": colleague, "other_team": other_team}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("patient", 403),
        ("content_editor", 403),
        ("caseworker", 200),
        ("supervisor", 200),
        ("administrator", 403),
    ],
)
def test_worklist_access(client, request, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(WORKLIST)).status_code == status


def test_worklist_shows_what_each_role_may_see(
    client, caseworker, supervisor, other_supervisor, caseload
):
    client.force_login(caseworker)
    mine = {caseload[name].pk for name in ("overdue", "draft", "sent")}
    assert _shown(client.get(reverse(WORKLIST))) == mine
    client.force_login(supervisor)
    team = _shown(client.get(reverse(WORKLIST)))
    assert team == mine | {caseload["colleague"].pk}
    client.force_login(other_supervisor)
    assert _shown(client.get(reverse(WORKLIST))) == {caseload["other_team"].pk}


def test_worklist_filters(client, caseworker, caseload):
    client.force_login(caseworker)

    def shown(**params):
        return _shown(client.get(reverse(WORKLIST), params))

    assert shown(status="sent") == {caseload["sent"].pk}
    assert shown(status="open") == {caseload["sent"].pk, caseload["draft"].pk} | {
        caseload["overdue"].pk
    }
    assert shown(attention="yes") == {caseload["overdue"].pk}
    assert shown(follow_up="passed") == {caseload["overdue"].pk}
    assert shown(follow_up="none") == {caseload["draft"].pk, caseload["sent"].pk}
    lakeside = ServiceFactory(name="Lakeside Breathing Clinic")
    Referral.objects.filter(pk=caseload["sent"].pk).update(service=lakeside)
    assert shown(service="lakeside") == {caseload["sent"].pk}


def test_supervisor_filters_by_caseworker(
    client, supervisor, third_caseworker, caseload
):
    client.force_login(supervisor)
    page = client.get(reverse(WORKLIST), {"caseworker": third_caseworker.pk})
    assert _shown(page) == {caseload["colleague"].pk}
    assertContains(page, 'name="caseworker"')


def test_caseworker_has_no_caseworker_filter(client, caseworker, caseload):
    client.force_login(caseworker)
    page = client.get(reverse(WORKLIST), {"caseworker": 999})
    assertNotContains(page, 'name="caseworker"')
    assert len(_shown(page)) == 3


def test_worklist_sorts_and_pages(client, caseworker, client_record, service):
    for n in range(REFERRALS_PER_PAGE + 3):
        ReferralFactory(
            client=client_record,
            service=service,
            follow_up_on=timezone.localdate() + timedelta(days=n + 1),
        )
    client.force_login(caseworker)
    first = client.get(reverse(WORKLIST))
    dates = [r.follow_up_on for r in first.context["referrals"]]
    assert dates == sorted(dates) and len(dates) == REFERRALS_PER_PAGE
    second = client.get(reverse(WORKLIST), {"page": 2})
    assert len(second.context["referrals"]) == 3
    newest = client.get(reverse(WORKLIST), {"sort": "-updated"})
    stamps = [r.updated_at for r in newest.context["referrals"]]
    assert stamps == sorted(stamps, reverse=True)


def test_worklist_logs_the_rows_it_shows(client, caseworker, caseload):
    client.force_login(caseworker)
    client.get(reverse(WORKLIST))
    logged = set(
        AccessLog.objects.filter(record_type="referrals.referral").values_list(
            "record_id", flat=True
        )
    )
    assert logged == {str(caseload[name].pk) for name in ("overdue", "draft", "sent")}


def test_a_bad_filter_value_is_explained(client, caseworker, caseload):
    client.force_login(caseworker)
    page = client.get(reverse(WORKLIST), {"status": "nonsense"})
    assert page.status_code == 200
    assertContains(page, "Some filters could not be used")


# The dashboard's counts open the worklist with the filter applied


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_every_dashboard_count_links_to_the_same_number_in_the_worklist(
    client, request, who, caseload
):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("referrals:dashboard"))
    html = page.content.decode()
    links = re.findall(
        r'href="(/casework/referrals/[^"]*)">[^<]*<span class="badge[^"]*">(\d+)',
        html,
    )
    assert len(links) == len(Referral.Status.values) + 2  # + attention, all
    for url, count in links:
        listed = client.get(url.replace("&amp;", "&"))
        assert listed.context["page_obj"].paginator.count == int(count), url


# Latest from services


def _answer(referral, status="accepted", note=""):
    if referral.status == "draft":
        referral.change_status("sent")
    referral.change_status(
        status,
        by_label=referral.service.name,
        note=note,
        appointment_at=timezone.now() + timedelta(days=3)
        if status == "scheduled"
        else None,
    )


def test_the_feed_shows_new_answers_until_marked_seen(
    client, caseworker, client_record, service, other_caseworker
):
    accepted = ReferralFactory(client=client_record, service=service)
    declined = ReferralFactory(client=client_record, service=service)
    _answer(accepted)
    _answer(declined, "declined", note="No openings until spring.")
    elsewhere = ReferralFactory(client=ClientFactory(caseworker=other_caseworker))
    _answer(elsewhere)
    client.force_login(caseworker)
    page = client.get(reverse("referrals:dashboard"))
    answers = page.context["answers"]
    assert [event.referral_id for event in answers] == [declined.pk, accepted.pk]
    assertContains(page, "Reason: No openings until spring.")
    assertContains(page, reverse("referrals:referral_detail", args=[accepted.pk]))

    response = client.post(reverse("referrals:feed_mark_seen"))
    assert response.status_code == 302
    assert client.get(reverse("referrals:dashboard")).context["answers"] == []
    later = ReferralFactory(client=client_record, service=service)
    _answer(later, "scheduled")
    answers = client.get(reverse("referrals:dashboard")).context["answers"]
    assert [event.referral_id for event in answers] == [later.pk]


def test_the_feed_leaves_out_what_the_caseworker_did_themselves(
    client, caseworker, client_record, service
):
    referral = ReferralFactory(client=client_record, service=service)
    referral.change_status("sent", by=caseworker)
    referral.change_status("accepted", by=caseworker)
    client.force_login(caseworker)
    assert client.get(reverse("referrals:dashboard")).context["answers"] == []


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("patient", 403),
        ("content_editor", 403),
        ("caseworker", 302),
        ("supervisor", 302),
    ],
)
def test_mark_seen_access(client, db, request, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("referrals:feed_mark_seen")).status_code == status
    assert FeedMark.objects.exists() is (status == 302 and who != "anonymous")


def test_mark_seen_is_post_only(client, caseworker):
    client.force_login(caseworker)
    assert client.get(reverse("referrals:feed_mark_seen")).status_code == 405

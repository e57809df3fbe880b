"""Query counts stay flat however many referrals, clients and notes there are."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.directory.tests.factories import ServiceFactory
from apps.referrals.models import Client
from apps.referrals.tests.factories import ClientFactory, NoteFactory, ReferralFactory


def _fill(client_record, caseworker, n: int) -> None:
    services = ServiceFactory.create_batch(3)
    yesterday = timezone.localdate() - timedelta(days=1)
    for i in range(n):
        referral = ReferralFactory(
            client=client_record,
            service=services[i % 3],
            created_by=caseworker,
            follow_up_on=yesterday if i % 3 == 0 else None,
        )
        if i % 2:
            referral.change_status("sent", by=caseworker)
        if i % 4 == 1:
            # The service answers through its link: the dashboard's feed grows.
            referral.change_status("accepted", by_label=referral.service.name)
        NoteFactory(client=client_record, referral=referral, author=caseworker)
        NoteFactory(
            client=client_record,
            referral=referral,
            author=caseworker,
            is_internal=False,
        )
        ClientFactory(caseworker=caseworker)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# Every page below starts with: session, user (with whether a staff member has a
# second factor: apps/accounts/backends.py). Then, per page:
PAGES = {
    # counts by status and attention (one aggregate), referrals needing attention,
    # recent clients, latest answers from services, one access-log INSERT for
    # every row shown
    "dashboard": (lambda c: reverse("referrals:dashboard"), "caseworker", 7),
    "dashboard_supervisor": (
        lambda c: reverse("referrals:dashboard"),
        "supervisor",
        7,
    ),
    # count, one page of referrals with client, caseworker and service,
    # access-log INSERT
    "worklist": (lambda c: reverse("referrals:referral_list"), "caseworker", 5),
    # the same, and the team's caseworkers for the caseworker filter
    "worklist_supervisor": (
        lambda c: reverse("referrals:referral_list") + "?status=open&sort=-updated",
        "supervisor",
        6,
    ),
    # count, one page of clients with referral counts, access-log INSERT
    "client_list": (lambda c: reverse("referrals:client_list"), "caseworker", 5),
    # client with caseworker, team, patient and profile; last-seen UPDATE;
    # referrals with service, organization, location and note counts; notes with
    # authors; pending invitation; access-log INSERT
    "client_detail": (
        lambda c: reverse("referrals:client_detail", args=[c.pk]),
        "caseworker",
        8,
    ),
    # referral with client, service, location; events with actors; notes with
    # authors; access-log INSERT
    "referral_detail": (
        lambda c: reverse("referrals:referral_detail", args=[c.referrals.last().pk]),
        "caseworker",
        6,
    ),
    # client records with caseworkers, their
    # shared notes; referrals with services, their shared notes; invitations; INSERT
    "my_referrals": (lambda c: reverse("referrals:my_referrals"), "patient", 8),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_query_count_is_flat(request, client, client_record, caseworker, page):
    url_for, who, expected = PAGES[page]
    client.force_login(request.getfixturevalue(who))
    _fill(client_record, caseworker, 5)
    # Each load opens the client anew (the last-seen stamp is written once a minute).
    Client.objects.update(last_seen_at=None)
    few = _count(client, url_for(client_record))
    _fill(client_record, caseworker, 45)
    Client.objects.update(last_seen_at=None)
    many = _count(client, url_for(client_record))
    assert few == many == expected

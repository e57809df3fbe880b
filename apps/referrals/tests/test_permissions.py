"""The whole role matrix, on every page (GET) and every action (POST).

Anonymous visitors are sent to log in (302), the wrong role gets 403 and another
team's or person's record is a 404, never a hint that it exists.
"""

import pytest
from django.urls import reverse

from apps.referrals.models import Client, Referral
from apps.referrals.tokens import make_invitation_token, make_respond_token

ANONYMOUS = {"anonymous": 302}
NOT_CASEWORK = {
    "patient": 403,
    "other_patient": 403,
    "content_editor": 403,
    "administrator": 403,
}
# A page about one client of the North team's caseworker.
OWN_RECORD = {
    **ANONYMOUS,
    **NOT_CASEWORK,
    "caseworker": 200,
    "other_caseworker": 404,
    "supervisor": 200,
    "other_supervisor": 404,
}
# A page every caseworker and supervisor has, showing only their own records.
CASEWORK_PAGE = {
    **ANONYMOUS,
    **NOT_CASEWORK,
    "caseworker": 200,
    "other_caseworker": 200,
    "supervisor": 200,
    "other_supervisor": 200,
}
SUPERVISORS_ONLY = {
    **OWN_RECORD,
    "caseworker": 403,
    "other_caseworker": 403,
}
ACCESS_LOG = {**SUPERVISORS_ONLY, "administrator": 200}
PATIENTS_ONLY = {
    **ANONYMOUS,
    "patient": 200,
    "other_patient": 200,
    "caseworker": 403,
    "other_caseworker": 403,
    "supervisor": 403,
    "other_supervisor": 403,
    "content_editor": 403,
    "administrator": 403,
}
EVERYONE = dict.fromkeys(
    [
        "anonymous",
        "patient",
        "other_patient",
        "caseworker",
        "other_caseworker",
        "supervisor",
        "other_supervisor",
        "content_editor",
        "administrator",
    ],
    200,
)


def _url(request, name, fixture=None, query=""):
    if fixture is None:
        return reverse(name) + query
    obj = request.getfixturevalue(fixture)
    pk = (
        obj.client_id
        if name.startswith("referrals:client") and isinstance(obj, Referral)
        else obj.pk
    )
    return reverse(name, args=[pk]) + query


GET_PAGES = [
    ("referrals:dashboard", None, CASEWORK_PAGE),
    ("referrals:client_list", None, CASEWORK_PAGE),
    ("referrals:client_create", None, CASEWORK_PAGE),
    ("referrals:referral_choose_service", None, CASEWORK_PAGE),
    ("referrals:client_detail", "client_record", OWN_RECORD),
    ("referrals:client_update", "client_record", OWN_RECORD),
    ("referrals:client_progress", "client_record", OWN_RECORD),
    ("referrals:client_invite", "unlinked_client", OWN_RECORD),
    ("referrals:client_reassign", "client_record", SUPERVISORS_ONLY),
    ("referrals:client_access_log", "client_record", ACCESS_LOG),
    ("referrals:referral_detail", "referral", OWN_RECORD),
    ("referrals:referral_update", "referral", OWN_RECORD),
    ("referrals:referral_print", "referral", OWN_RECORD),
    ("referrals:my_referrals", None, PATIENTS_ONLY),
]


@pytest.mark.parametrize(("name", "fixture", "expected"), GET_PAGES)
def test_get_page_access(request, assert_access, notes, name, fixture, expected):
    assert_access(_url(request, name, fixture), expected)


def test_referral_create_with_query_access(
    assert_access, client_record, service, notes
):
    url = (
        reverse("referrals:referral_create")
        + f"?client={client_record.pk}&service={service.pk}"
    )
    assert_access(url, CASEWORK_PAGE)


def test_invitation_page_access(assert_access, invitation):
    url = reverse(
        "referrals:invitation_accept", args=[make_invitation_token(invitation)]
    )
    assert_access(
        url,
        {
            **ANONYMOUS,
            "patient": 200,
            # Signed in as someone else than the person invited.
            "other_patient": 403,
            "caseworker": 403,
            "other_caseworker": 403,
            "supervisor": 403,
            "other_supervisor": 403,
            "content_editor": 403,
            "administrator": 403,
        },
    )


def test_respond_page_needs_only_the_link(assert_access, referral):
    url = reverse("referrals:respond", args=[make_respond_token(referral)])
    assert_access(url, EVERYONE)
    assert_access(
        reverse("referrals:respond", args=["not-a-real-link"]),
        dict.fromkeys(EVERYONE, 404),
    )


# Actions. The roles that must be refused are checked together (nothing changes);
# each role that may act gets a fresh database.

DENIED_OWN = {
    **ANONYMOUS,
    **NOT_CASEWORK,
    "other_caseworker": 404,
    "other_supervisor": 404,
}
DENIED_CASEWORK = {**ANONYMOUS, **NOT_CASEWORK}
DENIED_SUPERVISOR = {**DENIED_OWN, "caseworker": 403, "other_caseworker": 403}
DENIED_PATIENT = {
    **ANONYMOUS,
    "caseworker": 403,
    "other_caseworker": 403,
    "supervisor": 403,
    "other_supervisor": 403,
    "content_editor": 403,
    "administrator": 403,
}


def _client_data(request):
    return {
        "full_name": "New Person",
        "email": "new.person@example.org",
        "phone": "",
        "zip_code": "02114",
        "preferred_language": "en",
        "caseworker": request.getfixturevalue("caseworker").pk,
    }


def _referral_data(request):
    return {
        "client": request.getfixturevalue("client_record").pk,
        "service": request.getfixturevalue("service").pk,
        "reason": "Needs a wheelchair assessment.",
        "urgency": "routine",
    }


ACTIONS = {
    "client_create": (
        lambda r: reverse("referrals:client_create"),
        _client_data,
        DENIED_CASEWORK,
        {"caseworker": 302, "supervisor": 302, "other_caseworker": 302},
    ),
    "client_update": (
        lambda r: reverse(
            "referrals:client_update", args=[r.getfixturevalue("client_record").pk]
        ),
        _client_data,
        DENIED_OWN,
        {"caseworker": 302, "supervisor": 302},
    ),
    "note_create": (
        lambda r: reverse(
            "referrals:note_create", args=[r.getfixturevalue("client_record").pk]
        ),
        lambda r: {"text": "Called back.", "visibility": "internal"},
        DENIED_OWN,
        {"caseworker": 302, "supervisor": 302},
    ),
    "client_reassign": (
        lambda r: reverse(
            "referrals:client_reassign", args=[r.getfixturevalue("client_record").pk]
        ),
        lambda r: {"caseworker": r.getfixturevalue("third_caseworker").pk},
        DENIED_SUPERVISOR,
        {"supervisor": 302},
    ),
    "client_invite": (
        lambda r: reverse(
            "referrals:client_invite", args=[r.getfixturevalue("unlinked_client").pk]
        ),
        lambda r: {"email": "someone@example.org"},
        DENIED_OWN,
        {"caseworker": 302, "supervisor": 302},
    ),
    "client_unlink": (
        lambda r: reverse(
            "referrals:client_unlink", args=[r.getfixturevalue("client_record").pk]
        ),
        lambda r: {},
        DENIED_OWN,
        {"caseworker": 302, "supervisor": 302},
    ),
    "referral_create": (
        lambda r: reverse("referrals:referral_create"),
        _referral_data,
        DENIED_CASEWORK,
        # Another team's caseworker cannot pick this client: the form comes back.
        {"caseworker": 302, "supervisor": 302, "other_caseworker": 200},
    ),
    "referral_update": (
        lambda r: reverse(
            "referrals:referral_update", args=[r.getfixturevalue("referral").pk]
        ),
        lambda r: {
            "reason": "Updated reason.",
            "urgency": "soon",
            "version": r.getfixturevalue("referral").version,
        },
        DENIED_OWN,
        {"caseworker": 302, "supervisor": 302},
    ),
    "referral_change_status": (
        lambda r: reverse(
            "referrals:referral_change_status",
            args=[r.getfixturevalue("draft_referral").pk],
        ),
        lambda r: {"to": "sent", "version": 1},
        DENIED_OWN,
        {"caseworker": 303, "supervisor": 303},
    ),
    "referral_resend_link": (
        lambda r: reverse(
            "referrals:referral_resend_link", args=[r.getfixturevalue("referral").pk]
        ),
        lambda r: {},
        DENIED_OWN,
        {"caseworker": 302, "supervisor": 302},
    ),
    "referral_revoke_link": (
        lambda r: reverse(
            "referrals:referral_revoke_link", args=[r.getfixturevalue("referral").pk]
        ),
        lambda r: {},
        DENIED_OWN,
        {"caseworker": 302, "supervisor": 302},
    ),
    "my_link_remove": (
        lambda r: reverse(
            "referrals:my_link_remove", args=[r.getfixturevalue("client_record").pk]
        ),
        lambda r: {},
        {**DENIED_PATIENT, "other_patient": 404},
        {"patient": 302},
    ),
    "invitation_accept": (
        lambda r: reverse(
            "referrals:invitation_accept",
            args=[make_invitation_token(r.getfixturevalue("invitation"))],
        ),
        lambda r: {"accept": "1"},
        {**DENIED_PATIENT, "other_patient": 403},
        {"patient": 302},
    ),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_action_refused_to_the_wrong_people(request, assert_access, action):
    url, data, denied, _ = ACTIONS[action]
    target, payload = url(request), data(request)
    before = (Client.objects.count(), Referral.objects.count())
    assert_access(target, denied, method="post", data=payload)
    assert (Client.objects.count(), Referral.objects.count()) == before


@pytest.mark.parametrize(
    ("action", "who"),
    [(action, who) for action in sorted(ACTIONS) for who in ACTIONS[action][3]],
)
def test_action_allowed_to_the_right_people(request, client, login_as, action, who):
    url, data, _, allowed = ACTIONS[action]
    target, payload = url(request), data(request)
    login_as(who)
    response = client.post(target, payload)
    assert response.status_code == allowed[who], response.content[:2000]


@pytest.mark.parametrize(
    ("name", "fixture"),
    [
        ("referrals:note_create", "client_record"),
        ("referrals:client_unlink", "client_record"),
        ("referrals:referral_change_status", "referral"),
        ("referrals:referral_resend_link", "referral"),
        ("referrals:referral_revoke_link", "referral"),
        ("referrals:my_link_remove", "client_record"),
    ],
)
def test_actions_refuse_get(request, client, name, fixture):
    who = "patient" if name == "referrals:my_link_remove" else "caseworker"
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(name, args=[request.getfixturevalue(fixture).pk]))
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("name", "fixture"),
    [
        ("referrals:dashboard", None),
        ("referrals:client_list", None),
        ("referrals:client_detail", "client_record"),
        ("referrals:referral_detail", "referral"),
        ("referrals:referral_print", "referral"),
        ("referrals:client_access_log", "client_record"),
    ],
)
def test_read_only_pages_refuse_post(request, client, supervisor, name, fixture):
    client.force_login(supervisor)
    response = client.post(_url(request, name, fixture))
    assert response.status_code == 405


def test_my_referrals_refuses_post(client, patient):
    client.force_login(patient)
    assert client.post(reverse("referrals:my_referrals")).status_code == 405


def test_respond_refuses_put(client, referral):
    url = reverse("referrals:respond", args=[make_respond_token(referral)])
    assert client.put(url).status_code == 405

"""Insecure direct object references: every URL that names a record by its id or a
token, tried by everyone who should not see it.

The sweep reads the URLconf: each pattern with an argument is either listed in
PERSONAL (tried here) or in NOT_PERSONAL with the reason, so a new URL cannot be
forgotten. Everyone else gets 302 (sign in), 401/403 or 404 and never the record's
contents; an action they try changes nothing. The owner's own request is the control.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.directory.tests.factories import ServiceAtLocationFactory
from apps.referrals.models import (
    Client,
    ClientInvitation,
    Note,
    ProgressShare,
    Referral,
)
from apps.referrals.tests.factories import ClientFactory, NoteFactory, ReferralFactory
from apps.referrals.tokens import make_invitation_token, make_respond_token

from .test_security_csrf import url_patterns

ATTACKERS = [
    "anonymous",
    "other_patient",
    "other_caseworker",
    "other_supervisor",
    "content_editor",
]
DENIED = {302, 401, 403, 404}
# Words that only the records below contain.
SECRETS = ["Quentin Zephyrine", "quentin.z@example.org", "RSN-7731", "NOTE-4417"]

# name: (method, who may, how to build the URL's arguments from the records)
PERSONAL = {
    "referrals:client_detail": ("get", "caseworker", lambda r: [r.client.pk]),
    "referrals:client_update": ("get", "caseworker", lambda r: [r.client.pk]),
    "referrals:client_progress": ("get", "caseworker", lambda r: [r.client.pk]),
    "referrals:note_create": ("post", "caseworker", lambda r: [r.client.pk]),
    "referrals:client_reassign": ("get", "supervisor", lambda r: [r.client.pk]),
    "referrals:client_access_log": ("get", "supervisor", lambda r: [r.client.pk]),
    "referrals:client_invite": ("get", "caseworker", lambda r: [r.client.pk]),
    "referrals:client_unlink": ("post", "caseworker", lambda r: [r.client.pk]),
    "referrals:referral_detail": ("get", "caseworker", lambda r: [r.pk]),
    "referrals:referral_update": ("get", "caseworker", lambda r: [r.pk]),
    "referrals:referral_change_status": ("post", "caseworker", lambda r: [r.pk]),
    "referrals:referral_resend_link": ("post", "caseworker", lambda r: [r.pk]),
    "referrals:referral_revoke_link": ("post", "caseworker", lambda r: [r.pk]),
    "referrals:referral_print": ("get", "caseworker", lambda r: [r.pk]),
    "referrals:my_link_remove": ("post", "patient", lambda r: [r.client.pk]),
    "referrals:my_sharing_grant": ("post", "patient", lambda r: [r.client.pk]),
    "referrals:my_sharing_revoke": ("post", "patient", lambda r: [r.client.pk]),
    "referrals:invitation_accept": (
        "get",
        "invited_patient",
        lambda r: [make_invitation_token(r.invitation)],
    ),
    "fhir_api:service_request_detail": ("get", "caseworker", lambda r: [r.pk]),
    "fhir_api:task_detail": ("get", "caseworker", lambda r: [r.pk]),
    "fhir_api:patient_detail": ("get", "caseworker", lambda r: [r.client.pk]),
}
# The admin pages of models that hold personal data: superusers only.
PERSONAL_ADMIN_MODELS = {
    "referrals_client": lambda r: r.client.pk,
    "referrals_referral": lambda r: r.pk,
    "referrals_referralevent": lambda r: r.events.first().pk,
    "referrals_note": lambda r: r.note.pk,
    "referrals_clientinvitation": lambda r: r.invitation.pk,
    "referrals_progressshare": lambda r: r.progress_share.pk,
    "accounts_user": lambda r: r.client.patient.pk,
    "account_emailaddress": lambda r: r.client.patient.emailaddress_set.get().pk,
    "mfa_authenticator": lambda r: r.created_by.authenticator_set.get().pk,
    "core_accesslog": lambda r: r.access_log.pk,
    # The mail outbox holds whole messages; a task row names the message by id.
    "core_outgoingemail": lambda r: r.outgoing_email.pk,
    "django_tasks_database_dbtaskresult": lambda r: r.task_result.pk,
    # A partner system's keys and the team whose referrals it reads.
    "accounts_backendclient": lambda r: r.backend_client.pk,
}
NOT_PERSONAL = {
    "diseases:comparison_detail": "public disease content",
    "diseases:disease_detail": "public disease content",
    "diseases:article_detail": "public disease content",
    "diseases:article_preview": "draft content for editors; apps/diseases tests",
    "checklists:stage_list": "public checklist template",
    "checklists:item_status": "the item is a template; progress is the user's own",
    "checklists:item_note": "the item is a template; the note is the user's own",
    "checklists:my_checklist_stage": "a stage is a template; the page is your own",
    "checklists:reminders_unsubscribe": "the signed token is the key (tested)",
    "directory:service_detail": "public directory",
    "directory:service_report": "public directory",
    "directory:service_save": "public service; the saved list is the user's own",
    "directory:service_unsave": "public service; the saved list is the user's own",
    "directory:organization_detail": "public directory",
    "referrals:respond": "the signed token is the key (tested below)",
    "hsds_api:service_detail": "public directory API",
    "hsds_api:organization_detail": "public directory API",
    "hsds_api:taxonomy_detail": "public directory API",
    "hsds_api:taxonomy_term_detail": "public directory API",
    "hsds_api:service_at_location_detail": "public directory API",
    "directory:listing_check": "a signed link mailed to the service (listing tests)",
    "directory:listing_check_renew": "a signed link mailed to the service",
    "referrals:referral_report_csv": "a table's name; figures only, scoped to the "
    "reader (apps/referrals/tests/test_reports_access.py)",
    "fhir_api:practitioner_detail": "staff of the reader's own team, never a client "
    "(apps/referrals/tests/test_fhir_conformance.py)",
    "fhir_api:practitioner_role_detail": "staff of the reader's own team",
    "fhir_api:organization_detail": "the reader's team or a public directory entry",
    "fhir_api:healthcare_service_detail": "public directory entry",
    "account_confirm_email": "a one-time key that only confirms an address",
    "account_reset_password_from_key": "a one-time key mailed to the owner",
    "admin:view_on_site": "a redirect to the object's own page, checked there",
    "admin:app_list": "a list of models, not records",
    "admin:auth_user_password_change": "superusers only (accounts_user below)",
    "admin/(?P<url>.*)$": "the admin's catch-all: sign-in or not found",
}
ADMIN_CONTENT_MODELS = {
    "auth_group",
    "accounts_team",
    "diseases_reference",
    "diseases_disease",
    "diseases_article",
    "diseases_overduearticle",
    "diseases_comparison",
    "diseases_glossaryterm",
    "directory_service",
    "directory_organization",
    "directory_location",
    "directory_taxonomyterm",
    "directory_listingreport",
    # Providers' proposals and verification links: business contacts, moderated
    # by content editors (apps/directory/tests/test_listing_upkeep.py).
    "directory_listingproposal",
    "directory_verificationrequest",
    "checklists_stage",
    "checklists_checklistitem",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
}
ADMIN_OBJECT_VIEWS = ["change", "history", "delete"]


def patterns_with_arguments():
    for route, name, _view in url_patterns():
        if "<" in route:
            yield route, name


def admin_model(route: str) -> str | None:
    parts = route.split("/")
    if (
        parts[0] == "admin"
        and len(parts) > 3
        and not parts[2].startswith("<")
        and parts[3].startswith("<path:object")
    ):
        return f"{parts[1]}_{parts[2]}"
    return None


def test_every_url_with_an_id_is_classified():
    missing = []
    for route, name in patterns_with_arguments():
        model = admin_model(route)
        if model is not None:
            if model not in PERSONAL_ADMIN_MODELS and model not in ADMIN_CONTENT_MODELS:
                missing.append(f"admin model {model}")
        elif (name or route) not in PERSONAL and (name or route) not in NOT_PERSONAL:
            missing.append(f"{name or route}")
    assert not missing, "classify in PERSONAL or NOT_PERSONAL: " + ", ".join(missing)


@pytest.fixture
def records(caseworker, patient, administrator):
    """A client of the caseworker (North team), linked to the patient, with a sent
    referral, a note, an invitation and an access-log row."""
    from django_tasks_db.models import DBTaskResult

    from apps.accounts.models import BackendClient
    from apps.accounts.services import register_backend_client
    from apps.core.models import AccessLog, OutgoingEmail

    client = ClientFactory(
        caseworker=caseworker,
        full_name="Quentin Zephyrine",
        email="quentin.z@example.org",
        patient=patient,
        consents_to_share_with_services=True,
    )
    service = ServiceAtLocationFactory().service
    referral = ReferralFactory(
        client=client, service=service, created_by=caseworker, reason="RSN-7731"
    )
    referral.change_status(Referral.Status.SENT, by=caseworker)
    Referral.objects.filter(pk=referral.pk).update(link_issued_at=timezone.now())
    referral.refresh_from_db()
    referral.note = NoteFactory(client=client, referral=referral, text="NOTE-4417")
    referral.invitation = ClientInvitation.objects.create(
        client=client, email="invited@example.org", invited_by=caseworker
    )
    referral.progress_share = ProgressShare.objects.create(
        client=client, patient=patient, caseworker=caseworker, team=caseworker.team
    )
    referral.access_log = AccessLog.objects.create(
        action="view", record_type="referrals.client", record_id=str(client.pk)
    )
    referral.outgoing_email = OutgoingEmail.objects.create(
        subject="A referral", body="NOTE-4417", to=["service@example.org"]
    )
    referral.task_result = DBTaskResult.objects.create(
        args_kwargs={"args": [referral.outgoing_email.pk], "kwargs": {}},
        task_path="apps.core.mail.deliver_email",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    referral.backend_client = register_backend_client(
        client=BackendClient(
            name="Riverside EHR", team=caseworker.team, jwks={"keys": []}
        )
    )
    return referral


def state(referral) -> tuple:
    """What an action could change: it must be the same after each attempt."""
    client = Client.objects.get(pk=referral.client_id)
    fresh = Referral.objects.get(pk=referral.pk)
    return (
        client.patient_id,
        client.caseworker_id,
        fresh.status,
        fresh.version,
        fresh.token_generation,
        Note.objects.count(),
        ClientInvitation.objects.filter(revoked_at__isnull=True).count(),
        ProgressShare.objects.filter(revoked_at__isnull=True).count(),
    )


def leaks(response) -> list[str]:
    body = response.content.decode(errors="replace")
    return [secret for secret in SECRETS if secret in body]


@pytest.mark.parametrize("name", sorted(PERSONAL))
def test_personal_urls_only_for_their_people(request, client, login_as, records, name):
    from apps.accounts.tests.factories import UserFactory

    method, owner, arguments = PERSONAL[name]
    url = reverse(name, args=arguments(records))
    before = state(records)
    wrong = []
    for who in ATTACKERS:
        login_as(who)
        response = getattr(client, method)(url, {"text": "x", "to": "cancelled"})
        if response.status_code not in DENIED or leaks(response):
            wrong.append(f"{who}: {response.status_code} {leaks(response)}")
        assert state(records) == before, f"{who} changed something through {name}"
    assert not wrong, f"{method.upper()} {name}: " + "; ".join(wrong)

    # The control: the record's own people do reach it.
    if method == "get":
        if owner == "invited_patient":
            user = UserFactory(email="invited@example.org")
            client.force_login(user)
        else:
            login_as(owner)
        response = client.get(url)
        # A client already linked to an account is sent back to their page.
        expected = (200, 302) if name == "referrals:client_invite" else (200,)
        assert response.status_code in expected, f"{owner} cannot open {name}"


@pytest.mark.parametrize("model", sorted(PERSONAL_ADMIN_MODELS))
def test_personal_admin_pages_only_for_superusers(
    client, login_as, records, administrator, model
):
    pk = PERSONAL_ADMIN_MODELS[model](records)
    wrong = []
    for view in ADMIN_OBJECT_VIEWS:
        url = reverse(f"admin:{model}_{view}", args=[pk])
        for who in ATTACKERS:
            login_as(who)
            response = client.get(url)
            if response.status_code not in DENIED or leaks(response):
                wrong.append(f"{who} {view}: {response.status_code}")
    assert not wrong, f"{model}: " + "; ".join(wrong)
    client.force_login(administrator)
    response = client.get(reverse(f"admin:{model}_change", args=[pk]))
    assert response.status_code == 200


def test_fhir_searches_name_no_one_elses_records(client, login_as, records):
    wrong = []
    for who in ATTACKERS:
        login_as(who)
        for name, params in [
            ("fhir_api:service_request_search", {"subject": records.client_id}),
            ("fhir_api:task_search", {"focus": f"ServiceRequest/{records.pk}"}),
            ("fhir_api:task_search", {"patient": records.client_id}),
        ]:
            response = client.get(reverse(name), params)
            total = response.json().get("total") if response.status_code == 200 else 0
            if total or leaks(response) or response.status_code >= 500:
                wrong.append(f"{who} {name}: {response.status_code} total={total}")
    assert not wrong, "; ".join(wrong)


def test_a_response_link_opens_its_own_referral_only(client, records, caseworker):
    """Another referral's id in a link breaks its signature."""
    other = ReferralFactory(client=ClientFactory(caseworker=caseworker))
    other.change_status(Referral.Status.SENT, by=caseworker)
    Referral.objects.filter(pk=other.pk).update(link_issued_at=timezone.now())
    other.refresh_from_db()
    token = make_respond_token(records)
    _, stamp, signature = token.rsplit(":", 2)
    other_payload = make_respond_token(other).rsplit(":", 2)[0]
    forged = f"{other_payload}:{stamp}:{signature}"
    for url in [
        reverse("referrals:respond", args=[forged]),
        reverse("referrals:respond", args=[token[:-2] + "xx"]),
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert not leaks(response)
    response = client.get(reverse("referrals:respond", args=[token]))
    assert response.status_code == 200

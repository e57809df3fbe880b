"""Every page in Spanish, walked: no English left outside content marked lang="en".

The walk reads the URLconf: each page pattern is either in VISITS (opened under
/es/ as the person who uses it, with a sample record from the seed content or the
factories) or in NOT_PAGES with the reason, so a new page cannot be forgotten. The
admin, the APIs and the health check are language-neutral (carenav/urls.py) and
not walked. Every problem of every page is reported at once.
"""

import pytest
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone, translation

from apps.checklists.demo import load_spanish as load_spanish_checklists
from apps.checklists.models import Stage
from apps.checklists.reminders import unsubscribe_token
from apps.directory.listings import VerificationRequest
from apps.directory.models import Location, Organization, SavedService, Service
from apps.directory.verification import make_token
from apps.diseases.demo import load_spanish as load_spanish_diseases
from apps.diseases.models import Article
from apps.referrals.models import ClientInvitation, ProgressShare, Referral
from apps.referrals.tests.factories import ClientFactory, NoteFactory, ReferralFactory
from apps.referrals.tokens import make_invitation_token, make_respond_token

from .english_text import english_left, english_words

pytestmark = pytest.mark.django_db

# Not pages: actions that only take a POST and redirect (their messages are shown on
# the page they lead to), and files that are not HTML.
NOT_PAGES = {
    "accounts:reminders_update": "POST only",
    "accounts:data_export": "a JSON file (English keys, by design)",
    "diseases:sitemap": "an XML sitemap",
    "checklists:my_checklist_calendar": "an .ics file",
    "checklists:stage_choose": "POST only",
    "checklists:condition_choose": "POST only",
    "checklists:item_status": "POST only",
    "checklists:item_note": "POST only",
    "directory:service_save": "POST only",
    "directory:service_unsave": "POST only",
    "directory:listing_check_renew": "POST only",
    "directory:saved_list_email": "POST only",
    "referrals:feed_mark_seen": "POST only",
    "referrals:note_create": "POST only",
    "referrals:client_unlink": "POST only",
    "referrals:referral_change_status": "POST only",
    "referrals:referral_resend_link": "POST only",
    "referrals:referral_revoke_link": "POST only",
    "referrals:referral_report_csv": "a CSV file",
    "referrals:my_link_remove": "POST only",
    "referrals:my_sharing_grant": "POST only",
    "referrals:my_sharing_revoke": "POST only",
    "account_logout": "signing out: a POST (the nav's button)",
    "account_set_password": "for accounts without a password: there are none",
    "account_confirm_login_code": "sign-in by e-mailed code is off",
    "mfa_authenticate": "only during a sign-in that asked for a code",
    "mfa_download_recovery_codes": "a text file",
    # allauth's own pages (its Spanish catalogue): changing a second factor first
    # asks for the code again (mfa_reauthenticate, walked), and recovery codes
    # exist only once generated.
    "mfa_activate_totp": "asks to confirm a code first",
    "mfa_deactivate_totp": "asks to confirm a code first",
    "mfa_view_recovery_codes": "only once codes are generated",
    "mfa_generate_recovery_codes": "asks to confirm a code first",
}

# name: [(who, how to build the URL's arguments from the sample records)]; who is
# a role fixture, "anonymous", or "invited_patient" (the address an invitation
# went to).
VISITS = {
    # Signed in, the home page sends each role on to its own start page.
    "core:home": [("anonymous", None)],
    "accounts:profile_update": [("patient", None)],
    "accounts:account": [("patient", None)],
    "accounts:data_page": [("patient", None)],
    "accounts:account_delete": [("patient", None)],
    "accounts:account_deleted": [("anonymous", None)],
    "diseases:disease_list": [("anonymous", None)],
    "diseases:glossary": [("anonymous", None)],
    "diseases:search": [("anonymous", None)],
    "diseases:comparison_detail": [("anonymous", lambda r: ["als-vs-ms"])],
    "diseases:article_preview": [("content_editor", lambda r: [r.article.pk])],
    "diseases:disease_detail": [("anonymous", lambda r: ["als"])],
    "diseases:article_detail": [
        ("anonymous", lambda r: [r.article.disease.slug, r.article.slug])
    ],
    "checklists:stage_list": [("anonymous", lambda r: ["als"])],
    "checklists:my_checklist": [("patient", None)],
    "checklists:my_checklist_print": [("patient", None)],
    "checklists:my_checklist_stage": [("patient", lambda r: [r.later_stage.slug])],
    "checklists:reminders_unsubscribe": [
        ("anonymous", lambda r: [unsubscribe_token(r.client.patient)])
    ],
    "directory:service_list": [("anonymous", None)],
    "directory:service_detail": [("anonymous", lambda r: [r.service.pk])],
    "directory:service_report": [("anonymous", lambda r: [r.service.pk])],
    "directory:organization_detail": [
        ("anonymous", lambda r: [r.service.organization_id])
    ],
    "directory:listing_check_done": [("anonymous", None)],
    "directory:listing_check": [("anonymous", lambda r: [make_token(r.verification)])],
    "directory:saved_list": [("patient", None)],
    "directory:saved_list_print": [("patient", None)],
    "referrals:dashboard": [("caseworker", None)],
    "referrals:client_list": [("caseworker", None)],
    "referrals:client_create": [("caseworker", None)],
    "referrals:client_detail": [("caseworker", lambda r: [r.client.pk])],
    "referrals:client_update": [("caseworker", lambda r: [r.client.pk])],
    "referrals:client_progress": [("caseworker", lambda r: [r.client.pk])],
    "referrals:client_reassign": [("supervisor", lambda r: [r.client.pk])],
    "referrals:client_access_log": [("supervisor", lambda r: [r.client.pk])],
    "referrals:client_invite": [("caseworker", lambda r: [r.unlinked_client.pk])],
    "referrals:referral_list": [("caseworker", None)],
    "referrals:referral_create": [("caseworker", None)],
    "referrals:referral_choose_service": [("caseworker", None)],
    "referrals:referral_detail": [("caseworker", lambda r: [r.pk])],
    "referrals:referral_update": [("caseworker", lambda r: [r.pk])],
    "referrals:referral_print": [("caseworker", lambda r: [r.pk])],
    "referrals:referral_report": [("supervisor", None)],
    "referrals:my_referrals": [("patient", None)],
    "referrals:my_sharing": [("patient", None)],
    "referrals:invitation_accept": [
        ("invited_patient", lambda r: [make_invitation_token(r.invitation)])
    ],
    # The receiving service, which has no account: the signed link is its key.
    "referrals:respond": [("anonymous", lambda r: [make_respond_token(r)])],
    "account_login": [("anonymous", None)],
    "account_signup": [("anonymous", None)],
    "account_inactive": [("anonymous", None)],
    "account_reauthenticate": [("patient", None)],
    "account_email": [("patient", None)],
    "account_email_verification_sent": [("anonymous", None)],
    "account_change_password": [("patient", None)],
    "account_reset_password": [("anonymous", None)],
    "account_reset_password_done": [("anonymous", None)],
    "account_reset_password_from_key_done": [("anonymous", None)],
    # A key that is not (or no longer) valid: the page that says so.
    "account_confirm_email": [("anonymous", lambda r: ["no-such-key"])],
    "account_reset_password_from_key": [("anonymous", lambda r: ["1", "no-such-key"])],
    "mfa_index": [("caseworker", None)],
    "mfa_reauthenticate": [("caseworker", None)],
}


# Forms sent with mistakes: the page that explains them must be Spanish too (Django's
# and allauth's own messages come from their Spanish catalogues).
# name: (who, the URL's arguments, what is sent)
FORMS_WITH_MISTAKES = {
    "accounts:profile_update": (
        "patient",
        None,
        {"disease": "als", "zip_code": "1234x", "diagnosis_date": "2999-01-01"},
    ),
    "accounts:account_delete": ("patient", None, {"password": "not-the-password"}),
    "checklists:item_note": ("patient", lambda r: [r.item.pk], {"note": "x" * 2001}),
    "account_signup": (
        "anonymous",
        None,
        {"email": "not an address", "password1": "a", "password2": "b"},
    ),
    "account_login": (
        "anonymous",
        None,
        {"login": "nobody@example.org", "password": "not-the-password"},
    ),
    "account_reset_password": ("anonymous", None, {"email": "not an address"}),
    "account_change_password": (
        "patient",
        None,
        {"oldpassword": "wrong", "password1": "a", "password2": "b"},
    ),
}


def page_patterns(patterns=None, namespace=""):
    """The name of every pattern of the pages people read (English and Spanish)."""
    from carenav.urls import page_urlpatterns

    for pattern in page_urlpatterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace
                    else (pattern.namespace)
                )
            yield from page_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_page_pattern_is_walked_or_excused():
    names = set(page_patterns())
    assert None not in names, "every page pattern needs a name"
    missing = names - VISITS.keys() - NOT_PAGES.keys()
    stale = (VISITS.keys() | NOT_PAGES.keys()) - names
    assert not missing, f"add to VISITS or NOT_PAGES: {sorted(missing)}"
    assert not stale, f"no such page any more: {sorted(stale)}"


def test_english_is_found_in_text_and_in_what_is_read_out():
    html = """<html><head><title>Sign in · CareNav</title>
      <script>var next = "the page";</script><style>.back { }</style></head>
      <body><p>Entre en su cuenta</p><button aria-label="Save note">Guardar</button>
      <input type="submit" value="Send"><img alt="Your photo" src="x.png">
      <p>Escriba a help@example.org o visite https://www.example.org/the-page</p>
      <article lang="en"><h2>The first <em>30 days</em></h2><p>And then</p></article>
      <p translate="no">Center for the Deaf and Hard of Hearing</p>
      <p>Qué hacer</p></body></html>"""
    found = {phrase.text: phrase.words for phrase in english_left(html)}
    assert found == {
        "Sign in · CareNav": ("sign",),
        "Save note": ("save",),
        "Send": ("send",),
        "Your photo": ("your",),
    }


def test_spanish_words_are_not_mistaken_for_english():
    spanish = (
        "Si está en crisis, llame o envíe un mensaje de texto al 988. No está solo: "
        "a veces me cuesta, pero con su equipo de atención hay ayuda. Es gratis y "
        "solo usted ve su lista; la etapa, los pasos, un plazo y las fechas."
    )
    assert english_words(spanish) == ()


@pytest.fixture
def records(site_content, caseworker, supervisor, patient, content_editor):
    """A client of the caseworker linked to the patient, with a sent referral to a
    seed service, a note, a consent to share, an invitation, a saved service, a
    listing check link and a later checklist stage."""
    # The seed's Spanish, as `make run` loads it: the ALS pages and checklist.
    load_spanish_diseases()
    load_spanish_checklists()
    service = Service.objects.filter(service_at_locations__isnull=False).first()
    client = ClientFactory(
        caseworker=caseworker, patient=patient, consents_to_share_with_services=True
    )
    referral = ReferralFactory(client=client, service=service, created_by=caseworker)
    referral.change_status(Referral.Status.SENT, by=caseworker)
    Referral.objects.filter(pk=referral.pk).update(link_issued_at=timezone.now())
    referral.refresh_from_db()
    NoteFactory(client=client, referral=referral)
    ProgressShare.objects.create(
        client=client, patient=patient, caseworker=caseworker, team=caseworker.team
    )
    referral.unlinked_client = ClientFactory(caseworker=caseworker, patient=None)
    referral.invitation = ClientInvitation.objects.create(
        client=referral.unlinked_client,
        email="invited@example.org",
        invited_by=caseworker,
    )
    SavedService.objects.create(user=patient, service=service)
    referral.verification = VerificationRequest.objects.create(
        service=service,
        email="listing@example.org",
        reason=VerificationRequest.Reason.SCHEDULE,
    )
    referral.article = Article.objects.filter(
        status=Article.Status.PUBLISHED, disease__slug="als"
    ).first()
    stages = Stage.objects.filter(disease__slug="als").order_by("order")
    referral.later_stage = stages[2]
    referral.item = referral.later_stage.items.first()
    return referral


# Pages that need a query to be the page (the referral form asks which service).
QUERIES = {
    "referrals:referral_create": lambda records: f"?service={records.service.pk}",
}


def spanish_url(name: str, args: list) -> str:
    with translation.override("es"):
        return reverse(name, args=args)


def one_language_texts() -> set[str]:
    """Text a Spanish page may show in English: translated content fields with no
    Spanish yet (their English), and listing names, kept as their holders wrote
    them."""
    from modeltranslation.translator import translator

    texts = set()
    for model in translator.get_registered_models():
        for field in translator.get_options_for_model(model).fields:
            texts.update(
                model.objects.filter(**{f"{field}_es__isnull": True}).values_list(
                    f"{field}_en", flat=True
                )
            )
            texts.update(
                model.objects.filter(**{f"{field}_es": ""}).values_list(
                    f"{field}_en", flat=True
                )
            )
    for model in (Service, Organization, Location):
        texts.update(model.objects.values_list("name", flat=True))
    return {text for text in texts if text}


def test_no_english_left_on_any_page_in_spanish(client, request, records):
    from apps.accounts.tests.factories import UserFactory

    people = {"invited_patient": lambda: UserFactory(email="invited@example.org")}
    one_language = one_language_texts()
    problems = []
    visited = 0
    for name, visits in VISITS.items():
        for who, arguments in visits:
            url = spanish_url(name, arguments(records) if arguments else [])
            url += QUERIES[name](records) if name in QUERIES else ""
            client.logout()
            if who in people:
                client.force_login(people[who]())
            elif who != "anonymous":
                client.force_login(request.getfixturevalue(who))
            response = client.get(url)
            visited += 1
            if response.status_code != 200:
                problems.append(f"{url} ({who}): answered {response.status_code}")
                continue
            if not response.get("Content-Type", "").startswith("text/html"):
                problems.append(f"{url} ({who}): not a page, list it in NOT_PAGES")
                continue
            for phrase in english_left(response.content.decode(), one_language):
                problems.append(f"{url} ({who}): {phrase}")
    assert visited >= len(VISITS)
    assert not problems, f"{len(problems)} English phrases:\n" + "\n".join(problems)


def test_form_mistakes_are_explained_in_spanish(client, request, records):
    one_language = one_language_texts()
    problems = []
    for name, (who, arguments, data) in FORMS_WITH_MISTAKES.items():
        url = spanish_url(name, arguments(records) if arguments else [])
        client.logout()
        if who != "anonymous":
            client.force_login(request.getfixturevalue(who))
        response = client.post(url, data)
        if response.status_code not in (200, 400):
            problems.append(f"{url} ({who}): answered {response.status_code}")
            continue
        for phrase in english_left(response.content.decode(), one_language):
            problems.append(f"{url} ({who}): {phrase}")
    assert not problems, f"{len(problems)} English phrases:\n" + "\n".join(problems)

from datetime import date

import pytest
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.tests.factories import UserFactory
from apps.core.tests.conftest import (  # noqa: F401 (browser fixtures and hook)
    browser,
    new_page,
    page,
    pytest_runtest_makereport,
)
from apps.directory.tests.factories import (
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)
from apps.referrals.models import ClientInvitation, Referral
from apps.referrals.tests.factories import ClientFactory, NoteFactory, ReferralFactory


@pytest.fixture
def service(db):
    return ServiceFactory(name="Northside ALS Clinic")


@pytest.fixture
def client_record(caseworker, patient):
    """A client of `caseworker` (North team), linked to `patient`."""
    return ClientFactory(
        caseworker=caseworker,
        full_name="Morgan Example",
        email=patient.email,
        patient=patient,
        consents_to_share_with_services=True,
    )


@pytest.fixture
def referral(client_record, service, caseworker):
    """A sent referral with an open response link."""
    referral = ReferralFactory(
        client=client_record, service=service, created_by=caseworker
    )
    referral.change_status(Referral.Status.SENT, by=caseworker)
    Referral.objects.filter(pk=referral.pk).update(link_issued_at=timezone.now())
    referral.refresh_from_db()
    return referral


@pytest.fixture
def draft_referral(client_record, service, caseworker):
    return ReferralFactory(client=client_record, service=service, created_by=caseworker)


@pytest.fixture
def notes(client_record, referral, caseworker):
    return {
        "internal": NoteFactory(
            client=client_record, author=caseworker, text="INTERNAL-ONLY remark"
        ),
        "shared": NoteFactory(
            client=client_record,
            author=caseworker,
            text="SHARED note for the client",
            is_internal=False,
        ),
        "referral_internal": NoteFactory(
            client=client_record,
            referral=referral,
            author=caseworker,
            text="INTERNAL referral remark",
        ),
        "referral_shared": NoteFactory(
            client=client_record,
            referral=referral,
            author=caseworker,
            text="SHARED referral note",
            is_internal=False,
        ),
    }


@pytest.fixture
def service_at_location(service):
    return ServiceAtLocationFactory(service=service)


@pytest.fixture
def unlinked_client(caseworker, patient):
    """Another record of `caseworker` for the same person, not linked yet."""
    return ClientFactory(caseworker=caseworker, email=patient.email)


@pytest.fixture
def invitation(unlinked_client, caseworker, patient):
    return ClientInvitation.objects.create(
        client=unlinked_client, email=patient.email, invited_by=caseworker
    )


@pytest.fixture
def third_caseworker(team):
    """A second caseworker of the North team, to reassign clients to."""
    return UserFactory(role=User.Role.CASEWORKER, team=team)


# The FHIR API tests' (test_fhir_*.py) ---


@pytest.fixture
def client_of_caseworker(caseworker):
    return ClientFactory(
        caseworker=caseworker,
        full_name="Morgan Example",
        email="morgan@example.org",
        date_of_birth=date(1961, 4, 2),
        preferred_language="es",
    )


@pytest.fixture
def fhir_service(db):
    term = TaxonomyTermFactory(code="aac", name="Communication devices")
    return ServiceFactory(name="Talking Tech Loans", taxonomy_terms=[term])


@pytest.fixture
def sent_referral(client_of_caseworker, fhir_service, caseworker):
    referral = ReferralFactory(
        client=client_of_caseworker,
        service=fhir_service,
        created_by=caseworker,
        urgency=Referral.Urgency.SOON,
        follow_up_on=date(2026, 3, 2),
        reason="Trial of an eye-gaze device before speech gets harder.",
    )
    referral.change_status(Referral.Status.SENT, by=caseworker)
    return referral

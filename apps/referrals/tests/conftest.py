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
from apps.directory.tests.factories import ServiceAtLocationFactory, ServiceFactory
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

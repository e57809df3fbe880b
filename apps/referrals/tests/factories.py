import factory

from apps.accounts.models import User
from apps.accounts.tests.factories import TeamFactory, UserFactory
from apps.directory.tests.factories import ServiceFactory
from apps.referrals.models import Client, Note, Referral, ReferralEvent


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    caseworker = factory.SubFactory(
        UserFactory, role=User.Role.CASEWORKER, team=factory.SubFactory(TeamFactory)
    )
    team = factory.SelfAttribute("caseworker.team")
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"client{n}@example.org")
    phone = "617-555-0142"
    zip_code = "02114"


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    client = factory.SubFactory(ClientFactory)
    service = factory.SubFactory(ServiceFactory)
    status = Referral.Status.DRAFT
    reason = "Needs an assessment for a communication device."
    created_by = factory.SelfAttribute("client.caseworker")


class ReferralEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralEvent

    referral = factory.SubFactory(ReferralFactory)
    actor = factory.SelfAttribute("referral.created_by")
    from_status = ""
    to_status = Referral.Status.DRAFT


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    client = factory.SubFactory(ClientFactory)
    author = factory.SelfAttribute("client.caseworker")
    text = "Called the client; they prefer morning appointments."
    is_internal = True

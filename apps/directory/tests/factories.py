import factory

from apps.directory.models import (
    Address,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)


class TaxonomyTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxonomyTerm
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"term-{n}")
    name = factory.Sequence(lambda n: f"Care type {n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Example Care Organization {n}")
    description = "A fictional organization for tests."
    email = factory.Sequence(lambda n: f"org{n}@example.org")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Example service {n}")
    description = "Help for people living with ALS."
    status = Service.Status.ACTIVE
    diseases = factory.LazyFunction(lambda: ["als"])
    accepts_referrals = True
    referral_email = factory.Sequence(lambda n: f"referrals{n}@example.org")

    @factory.post_generation
    def taxonomy_terms(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.taxonomy_terms.add(*extracted)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Example site {n}")
    # Boston, MA 02114
    latitude = factory.LazyFunction(lambda: 42.3611)
    longitude = factory.LazyFunction(lambda: -71.0683)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    location = factory.SubFactory(LocationFactory)
    address_1 = factory.Sequence(lambda n: f"{n + 1} Example Street")
    city = "Boston"
    state_province = "MA"
    postal_code = "02114"
    country = "US"


class ServiceAtLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceAtLocation

    service = factory.SubFactory(ServiceFactory)
    location = factory.SubFactory(
        LocationFactory, organization=factory.SelfAttribute("..service.organization")
    )


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phone

    service = factory.SubFactory(ServiceFactory)
    number = "617-555-0100"
    type = "voice"


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    service = factory.SubFactory(ServiceFactory)
    freq = "WEEKLY"
    byday = "MO,TU,WE,TH,FR"
    opens_at = "09:00"
    closes_at = "17:00"


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language

    service = factory.SubFactory(ServiceFactory)
    name = "Spanish"
    code = "es"

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from apps.accounts.models import PatientProfile, Team, User
from apps.accounts.roles import assign_role


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a verified e-mail; staff roles also get a TOTP authenticator."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    role = User.Role.PATIENT
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def setup(obj, create, extracted, **kwargs):
        if not create:
            return
        assign_role(user=obj, role=obj.role)
        EmailAddress.objects.create(
            user=obj, email=obj.email, primary=True, verified=True
        )
        if obj.requires_mfa and extracted is not False:
            TOTP.activate(obj, generate_totp_secret())


class PatientProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatientProfile

    user = factory.SubFactory(UserFactory, role=User.Role.PATIENT)
    disease = PatientProfile.Disease.ALS
    zip_code = "02114"

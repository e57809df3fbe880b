import zipcodes
from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from apps.core.validators import (
    readable_years_constraint,
    validate_no_control_characters,
    validate_past_date,
)


class Team(models.Model):
    """A group of caseworkers; a supervisor sees every client of the team."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, role="")
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address. Administrators are superusers."""

    class Role(models.TextChoices):
        PATIENT = "patient", "Patient"
        CASEWORKER = "caseworker", "Caseworker"
        SUPERVISOR = "supervisor", "Supervisor"
        CONTENT_EDITOR = "content_editor", "Content editor"

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(
        max_length=150, blank=True, validators=[validate_no_control_characters]
    )
    role = models.CharField(
        max_length=20, choices=Role, default=Role.PATIENT, blank=True
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the admin site."
    )
    date_joined = models.DateTimeField(
        default=timezone.now, validators=[validate_past_date]
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    role__in=[
                        "patient",
                        "caseworker",
                        "supervisor",
                        "content_editor",
                        "",
                    ]
                ),
                name="accounts_user_role_valid",
            ),
            readable_years_constraint("accounts_user", "date_joined"),
        ]

    def __str__(self):
        return self.full_name or self.email

    @property
    def is_patient(self) -> bool:
        return self.role == self.Role.PATIENT and not self.is_superuser

    @property
    def is_caseworker(self) -> bool:
        return self.role == self.Role.CASEWORKER

    @property
    def is_supervisor(self) -> bool:
        return self.role == self.Role.SUPERVISOR

    @property
    def is_content_editor(self) -> bool:
        return self.role == self.Role.CONTENT_EDITOR

    @property
    def does_casework(self) -> bool:
        return self.role in (self.Role.CASEWORKER, self.Role.SUPERVISOR)

    @property
    def requires_mfa(self) -> bool:
        """Whoever sees other people's data or edits content needs a second factor."""
        return self.is_superuser or self.role in (
            self.Role.CASEWORKER,
            self.Role.SUPERVISOR,
            self.Role.CONTENT_EDITOR,
        )


zip_code_validator = RegexValidator(
    r"^\d{5}$", "Enter a US ZIP code of exactly five digits, for example 02114."
)


def validate_known_zip(value: str) -> None:
    if value and value.isdigit() and len(value) == 5 and not zipcodes.is_real(value):
        raise ValidationError(
            "We could not find ZIP code %(zip)s. Check the five digits and try again.",
            params={"zip": value},
            code="unknown_zip",
        )


class PatientProfileQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class PatientProfile(models.Model):
    """What patients tell CareNav about themselves, to personalise the checklist."""

    class Disease(models.TextChoices):
        ALS = "als", "ALS (motor neurone disease)"
        MS = "ms", "Multiple sclerosis (MS)"
        NOT_SURE = "not-sure", "Not sure yet"

    class OnsetSite(models.TextChoices):
        LIMB = "limb", "Limbs (arms or legs)"
        BULBAR = "bulbar", "Speech or swallowing (bulbar)"
        OTHER = "other", "Somewhere else"
        UNKNOWN = "unknown", "I don't know"

    class FamilyHistory(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        UNKNOWN = "unknown", "I don't know"

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        SPANISH = "es", "Spanish"
        CHINESE = "zh", "Chinese"
        VIETNAMESE = "vi", "Vietnamese"
        TAGALOG = "tl", "Tagalog"
        ARABIC = "ar", "Arabic"
        FRENCH = "fr", "French"
        KOREAN = "ko", "Korean"
        RUSSIAN = "ru", "Russian"
        PORTUGUESE = "pt", "Portuguese"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    disease = models.CharField(max_length=10, choices=Disease, default=Disease.NOT_SURE)
    symptom_onset_date = models.DateField(
        "when symptoms started",
        null=True,
        blank=True,
        validators=[validate_past_date],
    )
    diagnosis_date = models.DateField(
        "date of diagnosis", null=True, blank=True, validators=[validate_past_date]
    )
    onset_site = models.CharField(
        "where symptoms started",
        max_length=10,
        choices=OnsetSite,
        default=OnsetSite.UNKNOWN,
    )
    family_history = models.CharField(
        "family history of the same disease",
        max_length=10,
        choices=FamilyHistory,
        default=FamilyHistory.UNKNOWN,
    )
    zip_code = models.CharField(
        "ZIP code",
        max_length=5,
        blank=True,
        validators=[zip_code_validator, validate_known_zip],
    )
    preferred_language = models.CharField(
        max_length=5, choices=Language, default=Language.ENGLISH
    )
    # Reminders are opt-in: nobody gets one without ticking this.
    email_reminders = models.BooleanField(
        "e-mail me a weekly reminder",
        default=False,
        help_text="Once a week, when something on your checklist is due soon, "
        "overdue, or a time-limited window is closing. Every message has a link to "
        "stop them.",
    )
    reminder_sent_on = models.DateField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientProfileQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(symptom_onset_date__isnull=True)
                | models.Q(diagnosis_date__isnull=True)
                | models.Q(symptom_onset_date__lte=models.F("diagnosis_date")),
                name="accounts_patientprofile_onset_before_diagnosis",
            ),
            readable_years_constraint("accounts_patientprofile", "symptom_onset_date"),
            readable_years_constraint("accounts_patientprofile", "diagnosis_date"),
        ]

    def __str__(self):
        return f"Profile of user {self.user_id}"

    def get_absolute_url(self):
        return reverse("accounts:profile_update")

    def clean(self):
        # Each date's own range is checked by its field's validator.
        errors = {}
        if (
            self.symptom_onset_date
            and self.diagnosis_date
            and self.symptom_onset_date > self.diagnosis_date
        ):
            errors["symptom_onset_date"] = (
                "Symptoms usually start before the diagnosis. "
                "Check this date and the date of diagnosis."
            )
        if errors:
            raise ValidationError(errors)

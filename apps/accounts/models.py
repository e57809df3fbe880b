import secrets

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from apps.core.validators import (
    readable_years_constraint,
    validate_no_control_characters,
    validate_past_date,
)

from .validators import validate_zip_code


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
    # The language of the person's pages, e-mails and reminders: set at sign-up from
    # the page's language and whenever they use the language switch signed in.
    language = models.CharField(
        "language of CareNav's pages and e-mails",
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
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


# Migration 0001 names this; the one ZIP check is validators.validate_zip_code.
validate_known_zip = validate_zip_code


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
        validators=[validate_zip_code],
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


def new_client_id() -> str:
    return secrets.token_urlsafe(24)


class BackendClient(models.Model):
    """A partner system (an EHR, a referral platform) that reads referrals through
    the FHIR API without a person signing in: SMART Backend Services.

    The system proves who it is with a JWT signed by its private key; CareNav keeps
    only the public half (a JWKS, pasted or fetched from its URL). It reads what a
    supervisor of its team may read, through a service account named after it, so
    every read lands in the access log under its name.
    """

    name = models.CharField(max_length=120, unique=True)
    client_id = models.CharField(
        max_length=64, unique=True, default=new_client_id, editable=False
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    jwks = models.JSONField(
        "public keys (JWKS)",
        blank=True,
        null=True,
        help_text='The client\'s public keys as a JWK Set: {"keys": [...]}.',
    )
    jwks_url = models.URLField(
        "JWKS URL",
        blank=True,
        help_text="Or where CareNav fetches the client's public keys (https only).",
    )
    scope = models.CharField(
        max_length=300,
        default="system/ServiceRequest.rs system/Task.rs system/Patient.rs",
        help_text="The scopes the client may ask for, separated by spaces.",
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="backend_client",
        editable=False,
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(jwks__isnull=True, jwks_url=""),
                name="accounts_backendclient_has_keys",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if not self.jwks and not self.jwks_url:
            raise ValidationError("Give the client's public keys or their URL.")
        if self.jwks_url and not self.jwks_url.startswith("https://"):
            raise ValidationError({"jwks_url": "The JWKS URL must use https."})
        if self.jwks and not (
            isinstance(self.jwks, dict) and isinstance(self.jwks.get("keys"), list)
        ):
            raise ValidationError({"jwks": 'A JWK Set looks like {"keys": [...]}.'})

    @property
    def allowed_scopes(self) -> set[str]:
        return set(self.scope.split())


class BackendTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(
            expires_at__gt=timezone.now(),
            revoked=False,
            client__is_active=True,
            client__account__is_active=True,
        )


class BackendToken(models.Model):
    """A short-lived access token issued to a backend client (stored hashed)."""

    client = models.ForeignKey(
        BackendClient, on_delete=models.CASCADE, related_name="tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=300)
    # The assertion's JWT ID: each signed assertion buys one token, never two.
    assertion_id = models.CharField(max_length=255)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    objects = BackendTokenQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "assertion_id"],
                name="accounts_backendtoken_assertion_once",
            ),
        ]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"Token {self.pk} of {self.client}"

    @property
    def scopes(self) -> set[str]:
        return set(self.scope.split())

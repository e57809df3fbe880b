"""The care-service directory, shaped after Open Referral HSDS 3.0.

Model and field names follow HSDS so that data can be imported and exported without
translation; every row keeps its HSDS id (a UUID) as its primary key. CareNav's own
additions are marked as such.
"""

import uuid

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.validators import (
    readable_years_constraint,
    validate_no_control_characters,
    validate_past_date,
)

from .opening import MinutesOfWeekField

# The narrow tables that searches read (located services, one row per service),
# and the search's filter columns that they share with Service.
from .places import (  # noqa: F401
    SEARCH_FILTER_COLUMNS,
    ServicePlace,
    ServiceSearchRow,
)
from .querysets import (
    ServiceQuerySet,
    TaxonomyTermQuerySet,
    stale_cutoff,
)


def track_history(*exclude: str):
    """Change history of a content model, kept by database triggers.

    Triggers record bulk imports and admin actions too. Fields that change without
    an editor's intent (timestamps, the search vector) are left out, so refreshing
    them records nothing. Each model gets its own tracker instances.
    """
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        exclude=list(exclude) or None,
    )


@track_history()
class TaxonomyTerm(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    also_called = models.CharField(
        max_length=300,
        blank=True,
        help_text="Other words people use for this type of service, comma-separated "
        "(for example logopeda, logopedia). Searches in this language find it by them.",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    taxonomy = models.CharField(max_length=100, default="carenav")
    language = models.CharField(max_length=10, blank=True, default="en")
    term_uri = models.URLField(max_length=500, blank=True)

    objects = TaxonomyTermQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


@track_history("last_modified")
class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255, validators=[validate_no_control_characters])
    alternate_name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    tax_id = models.CharField(max_length=50, blank=True)
    year_incorporated = models.PositiveSmallIntegerField(null=True, blank=True)
    legal_status = models.CharField(max_length=100, blank=True)
    logo = models.URLField(max_length=500, blank=True)
    uri = models.URLField(max_length=500, blank=True)
    parent_organization = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # Admin search (icontains) on names.
            GinIndex(
                OpClass(Upper("name"), name="gin_trgm_ops"),
                name="directory_org_name_trgm",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:organization_detail", args=[self.id])


@track_history(
    "last_modified",
    "search_vector",
    "search_terms",
    "search_languages",
    "open_minutes",
    "card",
)
class Service(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Defunct")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")

    class Disease(models.TextChoices):
        ALS = "als", _("ALS")
        MS = "ms", _("MS")
        PARKINSONS = "parkinsons", _("Parkinson's")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(max_length=255, validators=[validate_no_control_characters])
    alternate_name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.ACTIVE)
    interpretation_services = models.TextField(blank=True)
    application_process = models.TextField(blank=True)
    fees_description = models.TextField(blank=True)
    wait_time = models.CharField(max_length=255, blank=True)
    accreditations = models.TextField(blank=True)
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    assured_date = models.DateField(
        null=True, blank=True, validators=[validate_past_date]
    )
    assurer_email = models.EmailField(blank=True)
    alert = models.TextField(blank=True)
    last_modified = models.DateTimeField(auto_now=True)
    taxonomy_terms = models.ManyToManyField(
        TaxonomyTerm, related_name="services", blank=True
    )
    # CareNav additions.
    diseases = ArrayField(
        models.CharField(max_length=20, choices=Disease),
        default=list,
        blank=True,
        help_text=_("The diseases this service knows well."),
    )
    accepts_referrals = models.BooleanField(default=False)
    referral_email = models.EmailField(
        blank=True, help_text=_("Where referral requests are sent.")
    )
    telehealth = models.BooleanField(default=False)
    last_verified = models.DateField(
        null=True, blank=True, validators=[validate_past_date]
    )
    # Kept by apps.directory.search.refresh_search_index, for the search only: the
    # weighted full-text vector, the ids of the service's taxonomy terms and of their
    # ancestors, and its languages (codes and names, lower case). Array columns let
    # one bitmap index scan combine keywords and filters.
    search_vector = SearchVectorField(null=True, editable=False)
    search_terms = ArrayField(
        models.UUIDField(), default=list, blank=True, editable=False
    )
    search_languages = ArrayField(
        models.CharField(max_length=100), default=list, blank=True, editable=False
    )
    # Weekly opening hours in minutes of the week, for "open now" (opening.py).
    open_minutes = MinutesOfWeekField(null=True, blank=True, editable=False)
    # What a result card shows from other tables (phone, addresses, weekly hours,
    # type names), kept with the columns above: see apps.directory.cards.
    card = models.JSONField(default=dict, blank=True, editable=False)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            GinIndex(fields=["search_vector"], name="directory_service_search"),
            # Covering every filter column: a distance search checks the services
            # of the locations in its box, and browsing by filters alone reads
            # services in name order until it has enough, without reading rows
            # (a search by type, language and flags read 24,000 rows in 92 ms;
            # from this index, 11 ms).
            models.Index(
                fields=["id"],
                include=["name", *SEARCH_FILTER_COLUMNS],
                name="directory_service_listing",
            ),
            models.Index(
                fields=["name", "id"],
                include=SEARCH_FILTER_COLUMNS,
                name="directory_service_name_id",
            ),
            GinIndex(fields=["diseases"], name="directory_service_diseases"),
            GinIndex(fields=["search_terms"], name="directory_service_terms"),
            GinIndex(fields=["search_languages"], name="directory_service_languages"),
            GinIndex(
                OpClass(Upper("name"), name="gin_trgm_ops"),
                name="directory_service_name_trgm",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(accepts_referrals=False)
                | ~models.Q(referral_email=""),
                name="directory_service_referral_email_when_accepting",
            ),
            readable_years_constraint("directory_service", "assured_date"),
            readable_years_constraint("directory_service", "last_verified"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:service_detail", args=[self.id])

    @property
    def is_stale(self) -> bool:
        """Not checked within STALE_AFTER_MONTHS: shown as possibly out of date."""
        return self.last_verified is None or self.last_verified < stale_cutoff()

    def disease_names(self) -> list[str]:
        labels = dict(Service.Disease.choices)
        return [labels.get(code, code) for code in self.diseases]


@track_history()
class Location(models.Model):
    class LocationType(models.TextChoices):
        PHYSICAL = "physical", _("Physical")
        POSTAL = "postal", _("Postal")
        VIRTUAL = "virtual", _("Virtual")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="locations",
    )
    location_type = models.CharField(
        max_length=10, choices=LocationType, default=LocationType.PHYSICAL
    )
    url = models.URLField(max_length=500, blank=True)
    name = models.CharField(max_length=255, blank=True)
    alternate_name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    transportation = models.TextField(blank=True)
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True
    )
    external_identifier = models.CharField(max_length=255, blank=True)
    external_identifier_type = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # Bounding-box prefilter of the ZIP radius search (index only).
            models.Index(
                fields=["latitude", "longitude"],
                include=["id"],
                name="directory_location_point",
            ),
        ]

    def __str__(self):
        return self.name or str(self.id)


@track_history()
class Address(models.Model):
    class AddressType(models.TextChoices):
        PHYSICAL = "physical", _("Physical")
        POSTAL = "postal", _("Postal")
        VIRTUAL = "virtual", _("Virtual")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="addresses"
    )
    attention = models.CharField(max_length=255, blank=True)
    address_1 = models.CharField(max_length=255)
    address_2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=255)
    region = models.CharField(max_length=255, blank=True)
    state_province = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="US")
    address_type = models.CharField(
        max_length=10, choices=AddressType, default=AddressType.PHYSICAL
    )

    class Meta:
        verbose_name_plural = _("addresses")

    def __str__(self):
        return f"{self.address_1}, {self.city}"


@track_history()
class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = _("service at location")
        constraints = [
            # Location first: it leads from locations near a point to their services.
            models.UniqueConstraint(
                fields=["location", "service"], name="directory_serviceatlocation_once"
            ),
        ]

    def __str__(self):
        return f"{self.service} at {self.location}"


@track_history()
class Phone(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="phones",
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="phones",
    )
    number = models.CharField(max_length=50)
    extension = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)

    def __str__(self):
        return self.number

    @property
    def type_label(self) -> str:
        """The HSDS phone type in words ("Fax"); a type HSDS does not name as typed."""
        return str(PHONE_TYPES.get(self.type, self.type[:1].upper() + self.type[1:]))


# HSDS 3.0 phone types other than "voice", which pages show without a label.
PHONE_TYPES = {
    "text": _("Text"),
    "cell": _("Cell"),
    "fax": _("Fax"),
    "video": _("Video"),
    "pager": _("Pager"),
    "textphone": _("Textphone"),
}


@track_history()
class Language(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="languages",
    )
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="languages",
    )
    phone = models.ForeignKey(
        Phone, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    name = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=10, blank=True, help_text="ISO 639 code.")
    note = models.TextField(blank=True)

    class Meta:
        indexes = [
            # The search's language filter compares case-insensitively.
            models.Index(Upper("code"), name="directory_language_code_ci"),
            models.Index(Upper("name"), name="directory_language_name_ci"),
        ]

    def __str__(self):
        return self.name or self.code


class SearchWord(models.Model):
    """A word that occurs in the directory, for correcting typos in searches.

    Kept by refresh_search_index; a trigram index finds the nearest known word to a
    misspelt one ("speach" -> "speech").
    """

    word = models.CharField(max_length=100, primary_key=True)

    class Meta:
        indexes = [
            # GiST, not GIN: it returns the nearest words in order (KNN, "<->").
            GistIndex(
                OpClass("word", name="gist_trgm_ops"),
                name="directory_searchword_gist",
            ),
        ]

    def __str__(self):
        return self.word


# Listing upkeep (verification requests, providers' proposals, reports that a
# listing is wrong), patients' saved services and opening hours (schedules) live
# beside this module; imported last because they build on Service.
from .listings import (  # noqa: E402, F401
    ListingProposal,
    ListingReport,
    VerificationRequest,
)
from .saved import SavedService  # noqa: E402, F401
from .schedules import Schedule  # noqa: E402, F401

"""The directory as HSDS 3.0 JSON objects.

HSDS types have no null, and an empty string is not a valid uri, email or date, so an
optional value that is empty is left out of the object rather than sent as null or "".
Nested lists read what the view prefetched (``.all()``), so serialising a page costs no
further queries.
"""

import uuid
from datetime import UTC

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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

# Taxonomies and attributes are not rows of their own in CareNav; their HSDS ids are
# derived from what identifies them, so they stay the same from one request to the next.
TAXONOMY_NAMESPACE = uuid.UUID("5b0f3c2e-8d1a-4f6e-9c47-2a61d8e0b7f3")
ATTRIBUTE_NAMESPACE = uuid.UUID("0e9d7c1b-3a54-4b8f-a2d6-7f1c9e4b5a08")

TAXONOMY_DESCRIPTIONS = {
    "carenav": "CareNav's own care-service taxonomy: the kinds of help people living "
    "with ALS or MS look for, from specialist clinics to respite and legal advice.",
}


def taxonomy_id(name: str) -> uuid.UUID:
    return uuid.uuid5(TAXONOMY_NAMESPACE, name)


def attribute_id(link_id: uuid.UUID, term_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(ATTRIBUTE_NAMESPACE, f"{link_id}:{term_id}")


def taxonomy_object(name: str) -> dict:
    return {
        "id": str(taxonomy_id(name)),
        "name": name,
        "description": TAXONOMY_DESCRIPTIONS.get(
            name, f"Terms of the {name} taxonomy used in this directory."
        ),
    }


class HSDSDateTimeField(serializers.DateTimeField):
    """UTC with millisecond precision, as HSDS asks for last_modified."""

    def to_representation(self, value):
        if value is None:
            return None
        text = value.astimezone(UTC).isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")


class HSDSSerializer(serializers.ModelSerializer):
    """Leaves out optional values that are empty (None or "")."""

    required_keys: tuple[str, ...] = ("id",)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return {
            key: value
            for key, value in data.items()
            if key in self.required_keys or value not in (None, "")
        }


class TaxonomySerializer(serializers.Serializer):
    """A taxonomy, built from the name its terms carry."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField()


class TaxonomyTermSerializer(HSDSSerializer):
    required_keys = ("id", "name", "description")
    taxonomy_id = serializers.SerializerMethodField()
    taxonomy_detail = serializers.SerializerMethodField()

    class Meta:
        model = TaxonomyTerm
        fields = [
            "id",
            "code",
            "name",
            "description",
            "parent_id",
            "taxonomy",
            "taxonomy_detail",
            "language",
            "taxonomy_id",
            "term_uri",
        ]

    def get_taxonomy_id(self, term) -> uuid.UUID:
        return str(taxonomy_id(term.taxonomy))

    @extend_schema_field(TaxonomySerializer)
    def get_taxonomy_detail(self, term):
        return taxonomy_object(term.taxonomy)


class AttributeSerializer(serializers.Serializer):
    """A taxonomy term applied to a service, as an HSDS attribute."""

    id = serializers.UUIDField()
    link_id = serializers.UUIDField()
    link_type = serializers.CharField()
    link_entity = serializers.CharField()
    taxonomy_term_id = serializers.UUIDField()
    taxonomy_term = TaxonomyTermSerializer()


def service_attributes(service) -> list[dict]:
    return [
        {
            "id": str(attribute_id(service.id, term.id)),
            "link_id": str(service.id),
            "link_type": "service_type",
            "link_entity": "service",
            "taxonomy_term_id": str(term.id),
            "taxonomy_term": TaxonomyTermSerializer(term).data,
        }
        for term in service.taxonomy_terms.all()
    ]


class LanguageSerializer(HSDSSerializer):
    class Meta:
        model = Language
        fields = ["id", "service_id", "location_id", "phone_id", "name", "code", "note"]


class PhoneSerializer(HSDSSerializer):
    extension = serializers.SerializerMethodField()
    languages = LanguageSerializer(many=True)

    class Meta:
        model = Phone
        fields = [
            "id",
            "location_id",
            "service_id",
            "organization_id",
            "service_at_location_id",
            "number",
            "extension",
            "type",
            "description",
            "languages",
        ]

    def get_extension(self, phone) -> int | None:
        # HSDS types the extension as a number; anything else cannot be sent.
        return int(phone.extension) if phone.extension.isdigit() else None


class ScheduleSerializer(HSDSSerializer):
    class Meta:
        model = Schedule
        fields = [
            "id",
            "service_id",
            "location_id",
            "service_at_location_id",
            "valid_from",
            "valid_to",
            "dtstart",
            "timezone",
            "until",
            "count",
            "wkst",
            "freq",
            "interval",
            "byday",
            "byweekno",
            "bymonthday",
            "byyearday",
            "description",
            "opens_at",
            "closes_at",
            "schedule_link",
            "attending_type",
            "notes",
        ]


class AddressSerializer(HSDSSerializer):
    required_keys = (
        "id",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    )

    class Meta:
        model = Address
        fields = [
            "id",
            "location_id",
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ]


class LocationListSerializer(HSDSSerializer):
    """A location's own fields, without the lists that hang off it."""

    required_keys = ("id", "location_type")
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)

    class Meta:
        model = Location
        fields = [
            "id",
            "location_type",
            "url",
            "organization_id",
            "name",
            "alternate_name",
            "description",
            "transportation",
            "latitude",
            "longitude",
            "external_identifier",
            "external_identifier_type",
        ]


class LocationSerializer(LocationListSerializer):
    languages = LanguageSerializer(many=True)
    addresses = AddressSerializer(many=True)
    phones = PhoneSerializer(many=True)
    schedules = ScheduleSerializer(many=True)

    class Meta(LocationListSerializer.Meta):
        fields = [
            *LocationListSerializer.Meta.fields,
            "languages",
            "addresses",
            "phones",
            "schedules",
        ]


class OrganizationListSerializer(HSDSSerializer):
    required_keys = ("id", "name", "description")

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "alternate_name",
            "description",
            "email",
            "website",
            "tax_id",
            "year_incorporated",
            "legal_status",
            "logo",
            "uri",
            "parent_organization_id",
        ]


SERVICE_FIELDS = [
    "id",
    "organization_id",
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "interpretation_services",
    "application_process",
    "fees_description",
    "wait_time",
    "accreditations",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "alert",
    "last_modified",
]


class ServiceListSerializer(HSDSSerializer):
    """A service's own fields and its organization (HSDS compiled/service_list)."""

    required_keys = ("id", "name", "status")
    last_modified = HSDSDateTimeField()
    organization = OrganizationListSerializer()

    class Meta:
        model = Service
        fields = [*SERVICE_FIELDS, "organization"]


class ServiceAtLocationSerializer(HSDSSerializer):
    """A service at one location, with the location and what hangs off both."""

    location = LocationSerializer()
    phones = PhoneSerializer(many=True)
    schedules = ScheduleSerializer(many=True)

    class Meta:
        model = ServiceAtLocation
        fields = [
            "id",
            "service_id",
            "location_id",
            "description",
            "phones",
            "schedules",
            "location",
        ]


class ServiceSerializer(ServiceListSerializer):
    """A fully nested service (HSDS service.json), as /services/{id} returns it."""

    phones = PhoneSerializer(many=True)
    schedules = ScheduleSerializer(many=True)
    service_at_locations = ServiceAtLocationSerializer(many=True)
    languages = LanguageSerializer(many=True)
    attributes = serializers.SerializerMethodField()

    class Meta(ServiceListSerializer.Meta):
        fields = [
            *SERVICE_FIELDS,
            "organization",
            "phones",
            "schedules",
            "service_at_locations",
            "languages",
            "attributes",
        ]

    @extend_schema_field(AttributeSerializer(many=True))
    def get_attributes(self, service):
        return service_attributes(service)


class OrganizationServiceSerializer(ServiceSerializer):
    """A fully nested service inside its organization (so without the organization)."""

    class Meta(ServiceSerializer.Meta):
        fields = [f for f in ServiceSerializer.Meta.fields if f != "organization"]


class OrganizationSerializer(OrganizationListSerializer):
    """A fully nested organization, with its phones, locations and services."""

    phones = PhoneSerializer(many=True)
    locations = LocationSerializer(many=True)
    services = OrganizationServiceSerializer(many=True)

    class Meta(OrganizationListSerializer.Meta):
        fields = [
            *OrganizationListSerializer.Meta.fields,
            "phones",
            "locations",
            "services",
        ]


class ServiceAtLocationListSerializer(HSDSSerializer):
    """HSDS compiled/service_at_location_list: the link, its location and service."""

    location = LocationListSerializer()
    service = ServiceListSerializer()

    class Meta:
        model = ServiceAtLocation
        fields = [
            "id",
            "service_id",
            "location_id",
            "description",
            "location",
            "service",
        ]

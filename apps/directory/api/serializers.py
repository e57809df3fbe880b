"""The HSDS 3.0 objects of the API, described for its OpenAPI document.

The objects themselves are built in objects.py, by the HSDS export's own functions;
these serializers only give drf-spectacular their fields and types. HSDS types have no
null, so an empty optional value is left out of an object, never sent as null or "".
"""

from rest_framework import serializers

from apps.directory.hsds.exporter import schema_required
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


class HSDSSerializer(serializers.ModelSerializer):
    """Fields and types of one HSDS object, taken from the model where they match.

    Only what the HSDS schema of the object requires is marked required: the rest is
    left out when empty.
    """

    hsds_object = ""

    def get_fields(self):
        fields = super().get_fields()
        required = set(schema_required(self.hsds_object)) | {"id"}
        for name, field in fields.items():
            field.required = name in required
        return fields


class TaxonomySerializer(serializers.Serializer):
    """A taxonomy, built from the name its terms carry."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField()


class TaxonomyTermSerializer(HSDSSerializer):
    hsds_object = "taxonomy_term"
    taxonomy_id = serializers.UUIDField()
    taxonomy_detail = TaxonomySerializer()

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


class AttributeSerializer(serializers.Serializer):
    """A taxonomy term applied to a service, as an HSDS attribute."""

    id = serializers.UUIDField()
    link_id = serializers.UUIDField()
    link_type = serializers.CharField()
    link_entity = serializers.CharField()
    taxonomy_term_id = serializers.UUIDField()
    value = serializers.CharField(required=False)
    taxonomy_term = TaxonomyTermSerializer()


class LanguageSerializer(HSDSSerializer):
    hsds_object = "language"

    class Meta:
        model = Language
        fields = ["id", "service_id", "location_id", "phone_id", "name", "code", "note"]


class PhoneSerializer(HSDSSerializer):
    hsds_object = "phone"
    extension = serializers.IntegerField(required=False)
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


class ScheduleSerializer(HSDSSerializer):
    hsds_object = "schedule"

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
    hsds_object = "address"

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

    hsds_object = "location"
    latitude = serializers.FloatField(required=False)
    longitude = serializers.FloatField(required=False)

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
    hsds_object = "organization"

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

    hsds_object = "service"
    organization = OrganizationListSerializer()

    class Meta:
        model = Service
        fields = [*SERVICE_FIELDS, "organization"]


class ServiceAtLocationSerializer(HSDSSerializer):
    """A service at one location, with the location and what hangs off both."""

    hsds_object = "service_at_location"
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
    attributes = AttributeSerializer(many=True)

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

    hsds_object = "service_at_location"
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

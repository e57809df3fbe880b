"""Which HSDS 3.0 tables and columns CareNav holds, and where they go.

Column names are HSDS's. Foreign keys keep their HSDS names as model attribute names
(``organization_id``, ``parent_id``...), so a reference column is stored as it is read.
Tables and columns not listed here (contacts, programs, funding, ``tax_status``...) are
read past and reported as not held.

CareNav's own service fields (the diseases a service knows, whether it accepts
referrals and where they go, telehealth, the date the listing was last verified) have
no HSDS column. HSDS's own way of saying something more about a service is an
``attribute``: a taxonomy term applied to the service, with an optional ``value``. So
each of those fields is a term of a small CareNav taxonomy (``FACTS``), with fixed ids,
and its value travels in the attribute's ``value``. Any HSDS reader keeps and shows
them; ``import_hsds`` turns them back into the service's fields.
"""

import uuid
from dataclasses import dataclass, field
from functools import cache

from django.db import models

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

# Derived ids (taxonomies, attributes, CareNav's detail terms) are uuid5 names in
# this namespace, so an export gives the same ids every time.
CARENAV_NAMESPACE = uuid.UUID("8f3e2a61-4c7b-5d90-a1e8-6b2c9f0d4e17")


@dataclass(frozen=True)
class Ref:
    """A column holding the id of a row of another table."""

    column: str
    table: str
    required: bool = False
    # False: checked, but not stored (CareNav has no taxonomy table).
    stored: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    csv: str
    model: type[models.Model] | None
    # HSDS column -> model field name, for the plain (non-reference) columns.
    fields: dict[str, str]
    required: tuple[str, ...] = ()
    refs: tuple[Ref, ...] = ()
    # Phones, schedules and languages belong to something: at least one of their
    # stored references must lead to a row.
    needs_owner: bool = False
    # HSDS enumerations that the model does not encode as choices.
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def model_field(self, column: str) -> models.Field:
        return self.model._meta.get_field(self.fields[column])

    @property
    def columns(self) -> tuple[str, ...]:
        return ("id", *self.fields, *(ref.column for ref in self.refs))

    @property
    def required_columns(self) -> tuple[str, ...]:
        return (
            "id",
            *self.required,
            *(ref.column for ref in self.refs if ref.required),
        )


def _same(*names: str) -> dict[str, str]:
    return {name: name for name in names}


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# In the order rows are checked and written: a table comes after those it refers to.
TABLES: tuple[Table, ...] = (
    Table(
        "taxonomy",
        "taxonomies.csv",
        None,
        _same("name", "description", "uri", "version"),
        required=("name",),
    ),
    Table(
        "organization",
        "organizations.csv",
        Organization,
        _same(
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
        ),
        required=("name",),
        refs=(Ref("parent_organization_id", "organization"),),
    ),
    Table(
        "taxonomy_term",
        "taxonomy_terms.csv",
        TaxonomyTerm,
        _same("code", "name", "description", "taxonomy", "language", "term_uri"),
        required=("name",),
        refs=(
            Ref("parent_id", "taxonomy_term"),
            Ref("taxonomy_id", "taxonomy", stored=False),
        ),
    ),
    Table(
        "service",
        "services.csv",
        Service,
        _same(
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
            # When the source last changed the service: kept as the source says,
            # so a later modified_after sync of CareNav's export is not misled.
            "last_modified",
        ),
        required=("name", "status"),
        refs=(Ref("organization_id", "organization", required=True),),
    ),
    Table(
        "location",
        "locations.csv",
        Location,
        _same(
            "location_type",
            "url",
            "name",
            "alternate_name",
            "description",
            "transportation",
            "latitude",
            "longitude",
            "external_identifier",
            "external_identifier_type",
        ),
        required=("location_type",),
        refs=(Ref("organization_id", "organization"),),
    ),
    Table(
        "address",
        "addresses.csv",
        Address,
        _same(
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
        required=(
            "address_1",
            "city",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
        refs=(Ref("location_id", "location", required=True),),
    ),
    Table(
        "service_at_location",
        "service_at_location.csv",
        ServiceAtLocation,
        _same("description"),
        refs=(
            Ref("service_id", "service", required=True),
            Ref("location_id", "location", required=True),
        ),
    ),
    Table(
        "phone",
        "phones.csv",
        Phone,
        _same("number", "extension", "type", "description"),
        required=("number",),
        refs=(
            Ref("location_id", "location"),
            Ref("service_id", "service"),
            Ref("organization_id", "organization"),
            Ref("service_at_location_id", "service_at_location"),
        ),
        needs_owner=True,
    ),
    Table(
        "schedule",
        "schedules.csv",
        Schedule,
        _same(
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
        ),
        refs=(
            Ref("service_id", "service"),
            Ref("location_id", "location"),
            Ref("service_at_location_id", "service_at_location"),
        ),
        needs_owner=True,
        choices={"freq": ("WEEKLY", "MONTHLY"), "wkst": WEEKDAYS},
    ),
    Table(
        "language",
        "languages.csv",
        Language,
        _same("name", "code", "note"),
        refs=(
            Ref("service_id", "service"),
            Ref("location_id", "location"),
            Ref("phone_id", "phone"),
        ),
        needs_owner=True,
    ),
    # Links a taxonomy term to a service (Service.taxonomy_terms), or carries one of
    # CareNav's own service fields (FACTS). link_id is checked against link_entity.
    Table(
        "attribute",
        "attributes.csv",
        None,
        _same("link_type", "link_entity", "value"),
        required=("link_entity",),
        refs=(
            Ref("link_id", "", required=True, stored=False),
            Ref("taxonomy_term_id", "taxonomy_term", required=True, stored=False),
        ),
    ),
)

TABLES_BY_NAME = {table.name: table for table in TABLES}
TABLES_BY_CSV = {table.csv: table for table in TABLES}

# Every HSDS 3.0 table, for telling a table CareNav does not hold from a typo.
HSDS_TABLES = frozenset(
    {
        "organization",
        "program",
        "service",
        "attribute",
        "service_at_location",
        "location",
        "phone",
        "contact",
        "address",
        "schedule",
        "funding",
        "service_area",
        "required_document",
        "language",
        "accessibility",
        "taxonomy_term",
        "metadata",
        "meta_table_description",
        "cost_option",
        "organization_identifier",
        "taxonomy",
    }
)

# A phone that belongs only to a contact is a contact's detail, which CareNav does not
# hold: it is passed over rather than refused.
NOT_HELD_OWNERS = {"phone": "contact_id"}

SERVICE_TYPE_LINK = "service_type"


@cache
def taxonomy_id(name: str) -> uuid.UUID:
    """The HSDS id of a taxonomy, which CareNav knows only by its name."""
    return uuid.uuid5(CARENAV_NAMESPACE, f"taxonomy:{name}")


def attribute_id(
    service_id: uuid.UUID, term_id: uuid.UUID, value: str = ""
) -> uuid.UUID:
    suffix = f":{value}" if value else ""
    return uuid.uuid5(CARENAV_NAMESPACE, f"attribute:{service_id}:{term_id}{suffix}")


TAXONOMY_DESCRIPTIONS = {
    "carenav": "CareNav's care-service taxonomy: the kinds of help people living "
    "with ALS or MS look for, from specialist clinics to respite and legal advice.",
}


def taxonomy_object(name: str) -> dict:
    return {
        "id": str(taxonomy_id(name)),
        "name": name,
        "description": TAXONOMY_DESCRIPTIONS.get(
            name, f"Terms of the {name} taxonomy used in this directory."
        ),
    }


@dataclass(frozen=True)
class Fact:
    """One of CareNav's own service fields, carried as an HSDS attribute."""

    code: str
    field: str
    kind: str  # disease, bool, email or date
    name: str
    description: str

    @property
    def term_id(self) -> uuid.UUID:
        return uuid.uuid5(CARENAV_NAMESPACE, f"term:{self.code}")


FACTS_TAXONOMY = {
    "id": str(taxonomy_id("carenav-service-details")),
    "name": "carenav-service-details",
    "description": "Details CareNav keeps about each service beyond HSDS's own "
    "fields. Each term names one detail; the attribute's value holds it.",
}
FACT_LINK_TYPE = "carenav_detail"

FACTS: tuple[Fact, ...] = (
    Fact(
        "carenav-disease",
        "diseases",
        "disease",
        "Knows this disease well",
        "The value is a disease the service has experience with: als, ms or "
        "parkinsons. One attribute per disease.",
    ),
    Fact(
        "carenav-accepts-referrals",
        "accepts_referrals",
        "bool",
        "Accepts referrals",
        "The value is true when caseworkers may send referrals to the service, "
        "false when not.",
    ),
    Fact(
        "carenav-referral-email",
        "referral_email",
        "email",
        "Referral e-mail",
        "The value is the e-mail address that receives referral requests.",
    ),
    Fact(
        "carenav-telehealth",
        "telehealth",
        "bool",
        "Telehealth",
        "The value is true when the service can be used by video or telephone.",
    ),
    Fact(
        "carenav-last-verified",
        "last_verified",
        "date",
        "Last verified",
        "The value is the date (YYYY-MM-DD) the listing was last checked with "
        "the service.",
    ),
)
FACTS_BY_TERM_ID = {fact.term_id: fact for fact in FACTS}


def fact_term_object(fact: Fact) -> dict:
    return {
        "id": str(fact.term_id),
        "code": fact.code,
        "name": fact.name,
        "description": fact.description,
        "taxonomy": FACTS_TAXONOMY["name"],
        "language": "en",
        "taxonomy_id": FACTS_TAXONOMY["id"],
    }

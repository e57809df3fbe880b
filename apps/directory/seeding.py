"""A realistic, random, clearly fictional directory for demos and benchmarks.

Rows are built in memory in batches and written with bulk_create, then the search
index is refreshed once, set-based. History triggers are skipped for these inserts:
generated data has no editorial history worth keeping.
"""

import datetime
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pgtrigger
import zipcodes
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from apps.core.bulk import ProgressFactory, analyze, chunks, no_progress

from .models import (
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
from .places import refresh_narrow_tables
from .search import refresh_search_index

BATCH_SIZE = 2000
# Services indexed per statement: each stays short, and the bar moves.
INDEX_CHUNK = 5000
SERVICES_PER_ORGANIZATION = 3

# Service names by taxonomy code; "{place}" is the town of the organisation.
SERVICE_NAMES = {
    "als-clinic": [
        "{place} ALS Multidisciplinary Clinic",
        "ALS Care Clinic of {place}",
    ],
    "ms-centre": ["{place} MS Center", "Multiple Sclerosis Care Center of {place}"],
    "neurology": ["{place} Neurology Associates", "Neuromuscular Clinic {place}"],
    "pulmonology": [
        "{place} Breathing Support Clinic",
        "{place} Lung and Sleep Center",
    ],
    "gastroenterology": [
        "{place} Feeding Tube Service",
        "{place} Nutrition Access Team",
    ],
    "genetic-counselling": ["{place} Genetic Counseling", "Family Genetics of {place}"],
    "clinical-trials": ["{place} Neuroscience Research Unit", "{place} Trials Office"],
    "speech-language": [
        "{place} Speech and Swallowing Therapy",
        "{place} Speech-Language Pathology",
        "Voice and Speech Therapy of {place}",
    ],
    "physical-therapy": ["{place} Physical Therapy", "Move Well PT {place}"],
    "occupational-therapy": ["{place} Occupational Therapy", "Daily Living OT {place}"],
    "dietitian": ["{place} Nutrition Counseling", "{place} Dietitian Services"],
    "mental-health": ["{place} Counseling Center", "Coping Together {place}"],
    "equipment-loan": ["{place} Equipment Loan Closet", "{place} Mobility Aid Library"],
    "aac": ["{place} Communication Device Program", "{place} AAC and Eye-Gaze Lab"],
    "home-modifications": ["{place} Home Access Builders", "Safe at Home {place}"],
    "home-care": ["{place} Home Care Aides", "Helping Hands Home Care {place}"],
    "respite": ["{place} Respite House", "Carer Break Program {place}"],
    "palliative-care": ["{place} Hospice and Palliative Care", "Comfort Care {place}"],
    "social-work": ["{place} Care Navigation", "{place} Social Work Services"],
    "support-group": ["{place} ALS and MS Support Group", "Living Well Circle {place}"],
    "legal-benefits": ["{place} Disability Benefits Help", "{place} Legal Aid Clinic"],
    "transportation": ["{place} Accessible Rides", "{place} Medical Transport"],
}
ORGANIZATION_DESCRIPTION = "A fictional organization made up for demonstrations."
ORGANIZATION_KINDS = [
    "Health",
    "Medical Group",
    "Care Network",
    "Community Services",
    "Neurological Institute",
    "Rehabilitation Center",
    "Family Support Association",
    "Regional Hospital",
]
DESCRIPTIONS = [
    "Fictional example listing. Works with people living with {disease} and their "
    "families, with appointments in person{telehealth}.",
    "Fictional example listing. A small team that sees new patients within a few "
    "weeks; carers are welcome at visits{telehealth}.",
    "Fictional example listing. Offers assessments, advice and follow-up for people "
    "with neurological conditions{telehealth}.",
]
ELIGIBILITY = [
    "Adults with a diagnosis of ALS or MS.",
    "Anyone living with a neurological condition, and their carers.",
    "Residents of the county; a referral from a doctor helps but is not required.",
    "",
]
FEES = [
    "Free.",
    "Most insurance accepted, including Medicare and Medicaid.",
    "Sliding scale based on income.",
    "Free for people with ALS; small fee otherwise.",
    "",
]
LANGUAGES = [
    ("es", "Spanish"),
    ("zh", "Chinese"),
    ("vi", "Vietnamese"),
    ("ko", "Korean"),
    ("ru", "Russian"),
    ("ar", "Arabic"),
    ("ht", "Haitian Creole"),
    ("pt", "Portuguese"),
    ("fr", "French"),
    ("tl", "Tagalog"),
    ("ase", "American Sign Language"),
]
HOURS = [
    ("MO,TU,WE,TH,FR", datetime.time(9), datetime.time(17)),
    ("MO,TU,WE,TH,FR", datetime.time(8), datetime.time(16, 30)),
    ("MO,WE,FR", datetime.time(10), datetime.time(18)),
    ("TU,TH", datetime.time(13), datetime.time(20)),
    ("MO,TU,WE,TH,FR,SA", datetime.time(7), datetime.time(19)),
    ("MO,TU,WE,TH,FR,SA,SU", datetime.time(0), datetime.time(23, 59)),
]
LOCATION_KINDS = ["Main site", "Outpatient center", "Office"]
DISEASES = {"ALS": ["als"], "MS": ["ms"], "ALS and MS": ["als", "ms"]}
STREETS = ["Main St", "Oak Ave", "Maple Dr", "Park Rd", "Elm St", "Cedar Ln", "Hill Rd"]


TRACKED = (
    Organization,
    Service,
    Location,
    Address,
    ServiceAtLocation,
    Phone,
    Schedule,
    Language,
)


def copy_rows(model, rows: list[dict]) -> None:
    """Write rows (dicts by column attname) with COPY; unset columns get defaults.

    About ten times faster than bulk_create for hundreds of thousands of rows, as no
    model instances are built.
    """
    if not rows:
        return
    now = timezone.now()
    # A serial primary key (the taxonomy link table's) is left to its sequence.
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and field.attname not in rows[0])
    ]
    defaults = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        elif field.attname != "id":
            # As the database takes it: a JSON column's {} as JSON.
            defaults[field.attname] = field.get_db_prep_save(
                field.get_default(), connection
            )
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    attnames = [field.attname for field in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row.get(name, defaults.get(name)) for name in attnames])


@dataclass
class SeedSummary:
    services: int = 0
    organizations: int = 0
    locations: int = 0
    rows: int = 0


def real_zip_areas() -> list[dict]:
    """Every standard, active US ZIP code with a centroid."""
    return [
        row
        for row in zipcodes.list_all()
        if row.get("lat")
        and row.get("long")
        and row.get("active")
        and row.get("zip_code_type") == "STANDARD"
    ]


class DirectorySeeder:
    def __init__(self, *, seed: int | None = None):
        self.rng = random.Random(seed)
        self.zips = real_zip_areas()
        self.today = datetime.date.today()

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def ensure_taxonomy(self) -> list[TaxonomyTerm]:
        if not TaxonomyTerm.objects.exists():
            call_command("loaddata", "taxonomy.json", verbosity=0)
        terms = list(TaxonomyTerm.objects.filter(parent__isnull=False))
        return terms or list(TaxonomyTerm.objects.all())

    def run(
        self, services: int, *, progress: ProgressFactory = no_progress
    ) -> SeedSummary:
        terms = self.ensure_taxonomy()
        summary = SeedSummary()
        created_ids: list = []
        written = progress(total=services, desc="Writing services", unit="services")
        triggers = [f"directory.{model.__name__}:insert_insert" for model in TRACKED]
        with transaction.atomic(), pgtrigger.ignore(*triggers):
            with connection.cursor() as cursor:
                # Runs through Django's cursor, so pgtrigger sets its "ignore" flag
                # for the transaction; the COPYs below go round that wrapper.
                cursor.execute("SELECT 1")
            for batch in self.batches(services, terms, summary):
                for model, rows in batch:
                    copy_rows(model, rows)
                    summary.rows += len(rows)
                    if model is Service:
                        created_ids.extend(row["id"] for row in rows)
                        written.update(len(rows))
            written.close()
            analyze(*TRACKED, Service.taxonomy_terms.through)
            indexed = progress(
                total=len(created_ids), desc="Indexing for search", unit="services"
            )
            for chunk in chunks(created_ids, INDEX_CHUNK):
                refresh_search_index(chunk)
                indexed.update(len(chunk))
            # The chunks' narrow rows, written again in the order searches read.
            refresh_narrow_tables()
            indexed.close()
        return summary

    def batches(self, total: int, terms: list, summary: SeedSummary) -> Iterator[list]:
        made = 0
        while made < total:
            size = min(BATCH_SIZE, total - made)
            yield self.build(size, terms, summary)
            made += size

    def build(self, count: int, terms: list, summary: SeedSummary) -> list:
        rng = self.rng
        organizations, locations, addresses = [], [], []
        services, links, sals, phones, schedules, languages = [], [], [], [], [], []
        remaining = count
        while remaining > 0:
            area = rng.choice(self.zips)
            place = area["city"].title()
            org_id = self.uuid()
            organizations.append(
                {
                    "id": org_id,
                    "name": f"{place} {rng.choice(ORGANIZATION_KINDS)} (example)",
                    "description": ORGANIZATION_DESCRIPTION,
                    "email": f"info{rng.randrange(10**6)}@example.org",
                    "website": "https://example.org/",
                }
            )
            area_code = (area.get("area_codes") or ["555"])[0]
            org_locations = []
            for _ in range(rng.choice((1, 1, 2))):
                location_id = self.uuid()
                org_locations.append(location_id)
                locations.append(
                    {
                        "id": location_id,
                        "organization_id": org_id,
                        "name": f"{place} {rng.choice(LOCATION_KINDS)}",
                        "latitude": round(
                            Decimal(area["lat"])
                            + Decimal(rng.randint(-300, 300)) / 10000,
                            6,
                        ),
                        "longitude": round(
                            Decimal(area["long"])
                            + Decimal(rng.randint(-300, 300)) / 10000,
                            6,
                        ),
                    }
                )
                addresses.append(
                    {
                        "id": self.uuid(),
                        "location_id": location_id,
                        "address_1": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
                        "city": place,
                        "state_province": area["state"],
                        "postal_code": area["zip_code"],
                    }
                )
            for _ in range(
                min(remaining, rng.randint(1, 2 * SERVICES_PER_ORGANIZATION - 1))
            ):
                service_id = self.uuid()
                term = rng.choice(terms)
                names = SERVICE_NAMES.get(term.code, ["{place} " + term.name])
                telehealth = rng.random() < 0.4
                accepts = rng.random() < 0.6
                disease = rng.choice(["ALS", "MS", "ALS and MS"])
                services.append(
                    {
                        "id": service_id,
                        "organization_id": org_id,
                        "name": rng.choice(names).format(place=place),
                        "description": rng.choice(DESCRIPTIONS).format(
                            disease=disease,
                            telehealth=" and by video" if telehealth else "",
                        ),
                        "status": Service.Status.ACTIVE
                        if rng.random() < 0.97
                        else Service.Status.TEMPORARILY_CLOSED,
                        "eligibility_description": rng.choice(ELIGIBILITY),
                        "fees_description": rng.choice(FEES),
                        "diseases": DISEASES[disease],
                        "telehealth": telehealth,
                        "accepts_referrals": accepts,
                        "referral_email": f"referrals{rng.randrange(10**6)}@example.org"
                        if accepts
                        else "",
                        "last_verified": self.today
                        - datetime.timedelta(days=rng.randint(0, 800)),
                    }
                )
                chosen = {term.id}
                if rng.random() < 0.3:
                    chosen.add(rng.choice(terms).id)
                links.extend(
                    {"service_id": service_id, "taxonomyterm_id": term_id}
                    for term_id in chosen
                )
                for location_id in rng.sample(
                    org_locations, rng.randint(1, len(org_locations))
                ):
                    sals.append(
                        {
                            "id": self.uuid(),
                            "service_id": service_id,
                            "location_id": location_id,
                        }
                    )
                phones.append(
                    {
                        "id": self.uuid(),
                        "service_id": service_id,
                        "number": f"{area_code}-555-01{rng.randint(0, 99):02d}",
                        "type": "voice",
                    }
                )
                byday, opens, closes = rng.choice(HOURS)
                schedules.append(
                    {
                        "id": self.uuid(),
                        "service_id": service_id,
                        "freq": "WEEKLY",
                        "byday": byday,
                        "opens_at": opens,
                        "closes_at": closes,
                    }
                )
                spoken = [("en", "English")] + rng.sample(
                    LANGUAGES, rng.choice((0, 0, 1, 2))
                )
                languages.extend(
                    {
                        "id": self.uuid(),
                        "service_id": service_id,
                        "name": name,
                        "code": code,
                    }
                    for code, name in spoken
                )
                remaining -= 1
        summary.services += len(services)
        summary.organizations += len(organizations)
        summary.locations += len(locations)
        return [
            (Organization, organizations),
            (Location, locations),
            (Address, addresses),
            (Service, services),
            (Service.taxonomy_terms.through, links),
            (ServiceAtLocation, sals),
            (Phone, phones),
            (Schedule, schedules),
            (Language, languages),
        ]

"""The directory's search core: filters as QuerySet methods, and a search result
that Django's Paginator can page.

Every way of finding services (the search page, the HSDS API, a caseworker choosing
a service to refer to) builds on these, so each rule lives in one place::

    from apps.directory.models import Service, TaxonomyTerm
    from apps.directory.geo import find_zip

    services = (
        Service.objects.listed()                   # active or temporarily closed
        .matching("speach therapy")                # words, typos corrected; .rank
        .of_types(TaxonomyTerm.objects.descendant_ids(codes=["therapy"]))
        .near(find_zip("02114"), miles=25)         # .distance in miles
        .open_at(timezone.now())
        .speaking("es")                            # ISO 639 code or language name
        .with_telehealth()
        .accepting_referrals()
        .for_disease("als")
    )
    results = services.search_results()            # best match first
    results.count()                                # capped: see below
    results[0:20]                                  # Service objects of one page
    Paginator(results, 20).page(2)                 # or let Paginator do it

Each filter is optional and they combine in any order; ``matching`` records how it
read the words in ``results.corrections`` ({"speach": ["speech"]}).

Speed at 100,000 services. ``search_results`` reads one narrow query: the ids of at
most ``CANDIDATE_LIMIT + 1`` matches with their sort keys, all filters applied in
the database through GIN-indexed columns of the service row (``search_vector``,
``search_terms``, ``search_languages``, ``diseases``) and a coordinate index for
distance. Only that bounded candidate set is ranked, so a broad word ("therapy") costs
no more than a narrow one. The count is honest and capped: ``count()`` is the number
of candidates, and ``is_capped`` says when more services matched than were ranked
(the page then says "more than 1,000" and suggests narrowing the search). Then one
query reads the services of the page with their organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections, models
from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject

from .geo import ZipCentroid, bounding_box, distance_miles
from .search import SEARCH_CONFIG, build_tsquery, correct_words, query_words

LISTED_STATUSES = ["active", "temporarily closed"]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
# The matches ranked per search; more are counted as "more than" this.
CANDIDATE_LIMIT = 1000

# Languages people most often ask for in the US, by ISO 639 code.
LANGUAGES = {
    "en": "English",
    "es": "Spanish",
    "zh": "Chinese",
    "vi": "Vietnamese",
    "tl": "Tagalog",
    "ko": "Korean",
    "ru": "Russian",
    "ar": "Arabic",
    "ht": "Haitian Creole",
    "pt": "Portuguese",
    "fr": "French",
    "pl": "Polish",
    "ase": "American Sign Language",
}


def open_at_q(moment: datetime) -> Q:
    """Weekly schedule rows open at this local time, overnight hours included."""
    day = WEEKDAYS[moment.weekday()]
    at = moment.time().replace(microsecond=0)
    same_day = Q(opens_at__lte=at, closes_at__gt=at)
    overnight = Q(closes_at__lt=F("opens_at")) & (
        Q(opens_at__lte=at) | Q(closes_at__gt=at)
    )
    weekly = Q(freq__iexact="WEEKLY", byday__icontains=day)
    return weekly & (same_day | overnight)


def descendant_ids(terms: list[tuple], *, codes=(), ids=()) -> list:
    """Ids of the terms with these codes or ids and of every term below them, at any
    depth; ``terms`` are (id, code, parent_id) of the whole taxonomy."""
    children: dict = {}
    for term_id, _, parent_id in terms:
        children.setdefault(parent_id, []).append(term_id)
    wanted_ids = {str(value) for value in ids}
    found = [
        term_id
        for term_id, code, _ in terms
        if code in codes or str(term_id) in wanted_ids
    ]
    result: list = []
    while found:
        term_id = found.pop()
        if term_id not in result:
            result.append(term_id)
            found.extend(children.get(term_id, []))
    return result


class TaxonomyTermQuerySet(models.QuerySet):
    def descendant_ids(self, *, codes=(), ids=()) -> list:
        """See :func:`descendant_ids`; one query for the (small) taxonomy."""
        terms = list(self.order_by().values_list("id", "code", "parent_id"))
        return descendant_ids(terms, codes=codes, ids=ids)


class ServiceQuerySet(models.QuerySet):
    corrections: dict[str, list[str]]

    def _clone(self):
        clone = super()._clone()
        clone.corrections = getattr(self, "corrections", {})
        return clone

    def active(self):
        return self.filter(status="active")

    def listed(self):
        """What the public directory shows: active or temporarily closed."""
        return self.filter(status__in=LISTED_STATUSES)

    def matching(self, text: str):
        """Services whose stored vector holds every word, as typed or as the nearest
        words of the directory (typos), annotated with ``rank``. No words: all."""
        words = query_words(text or "")
        if not words:
            return self._chain()
        corrections = correct_words(words)
        query = SearchQuery(
            build_tsquery(words, corrections),
            search_type="raw",
            config=SEARCH_CONFIG,
        )
        found = self.filter(search_vector=query).annotate(
            rank=SearchRank(F("search_vector"), query)
        )
        found.corrections = {**getattr(self, "corrections", {}), **corrections}
        return found

    def of_types(self, term_ids: list):
        """Services with any of these taxonomy terms (pass descendants too:
        ``TaxonomyTerm.objects.descendant_ids``). The stored ``search_terms`` hold
        each service's terms with their ancestors."""
        return self.filter(search_terms__overlap=list(term_ids))

    def for_disease(self, code: str):
        return self.filter(diseases__contains=[code])

    def speaking(self, language: str):
        """Services that speak a language, given as ISO 639 code or name."""
        names = {language.lower(), LANGUAGES.get(language, language).lower()}
        return self.filter(search_languages__overlap=sorted(names))

    def with_telehealth(self):
        return self.filter(telehealth=True)

    def accepting_referrals(self):
        return self.filter(accepts_referrals=True)

    def open_at(self, moment: datetime):
        """Services with a weekly opening that includes this local time."""
        schedule = self.model._meta.get_field("schedules").related_model
        hours = schedule.objects.filter(open_at_q(moment))
        # Two EXISTS rather than one with an OR inside, so that each can use its
        # own index per row, or be hashed once, whichever is cheaper.
        return self.filter(
            Exists(hours.filter(service_id=OuterRef("pk")))
            | Exists(hours.filter(service_at_location__service_id=OuterRef("pk")))
        )

    def near(self, centre: ZipCentroid, miles: float, *, beyond: float = 0):
        """Services with a location within ``miles`` of the centre (and farther than
        ``beyond``), annotated with ``distance``: miles to their nearest one."""
        prefix = "service_at_locations__location__"
        box = bounding_box(centre.latitude, centre.longitude, miles, prefix=prefix)
        found = (
            self.filter(**box)
            .annotate(
                distance=Min(distance_miles(centre.latitude, centre.longitude, prefix))
            )
            .filter(distance__lte=miles)
        )
        if beyond:
            found = found.filter(distance__gt=beyond)
        return found

    def with_card_details(self, moment: datetime, centre: ZipCentroid | None = None):
        """What a result card shows, in the same query: the first phone
        (``card_phone``), the address of the nearest (or first) location
        (``card_address``, a dict), today's weekly opening hours (``card_hours``,
        [{"opens_at", "closes_at"}]) and the names of its types (``card_types``).
        ``hours_today()`` and ``is_open_at()`` of the Schedule model read them."""
        model = self.model
        phone = model._meta.get_field("phones").related_model
        schedule = model._meta.get_field("schedules").related_model
        at_location = model._meta.get_field("service_at_locations").related_model
        address = (
            at_location._meta.get_field("location")
            .related_model._meta.get_field("addresses")
            .related_model
        )
        term = model._meta.get_field("taxonomy_terms").related_model
        mine = Q(service_id=OuterRef("pk")) | Q(
            service_at_location__service_id=OuterRef("pk")
        )
        phones = phone.objects.filter(mine).order_by("service_at_location_id", "id")
        addresses = address.objects.filter(
            location__service_at_locations__service_id=OuterRef("pk")
        )
        if centre is not None:
            addresses = addresses.annotate(
                miles=distance_miles(centre.latitude, centre.longitude, "location__")
            ).order_by(F("miles").asc(nulls_last=True), "id")
        else:
            addresses = addresses.order_by("location__name", "id")
        today = WEEKDAYS[moment.weekday()]
        hours = schedule.objects.filter(
            mine, freq__iexact="WEEKLY", byday__icontains=today, opens_at__isnull=False
        ).order_by("opens_at")
        return self.annotate(
            card_phone=Subquery(phones.values("number")[:1]),
            card_address=Subquery(
                addresses.values(
                    json=JSONObject(
                        address_1="address_1",
                        city="city",
                        state="state_province",
                        postal_code="postal_code",
                    )
                )[:1]
            ),
            card_hours=ArraySubquery(
                hours.values(
                    json=JSONObject(opens_at="opens_at", closes_at="closes_at")
                )
            ),
            card_types=ArraySubquery(
                term.objects.filter(services=OuterRef("pk"))
                .order_by("name")
                .values("name")
            ),
        )

    def search_results(self, *, sort: str = "") -> ServiceSearch:
        """The matches in order, for paging: best match first when there are
        words (then nearest), nearest first with a distance only, else by name.
        ``sort`` may ask for "distance" or "name" instead."""
        annotations = self.query.annotations
        keys = []
        if sort != "name":
            if "rank" in annotations and sort != "distance":
                keys.append("-rank")
            if "distance" in annotations:
                keys.append("distance")
        return ServiceSearch(
            self, order=[*keys, "name", "id"], corrections=self.corrections
        )


@dataclass
class ServiceSearch:
    """One search's matches: ``count()`` and slicing give Service objects in order,
    which is all Django's Paginator needs. See the module docstring."""

    queryset: ServiceQuerySet
    order: list[str]
    corrections: dict[str, list[str]] = field(default_factory=dict)
    # Candidates ranked at most; None: CANDIDATE_LIMIT.
    limit: int | None = None
    # How the services of a page are read (e.g. ``with_card_details``).
    page_queryset: QuerySet | None = None
    _candidates: list | None = None

    def __post_init__(self):
        if self.limit is None:
            self.limit = CANDIDATE_LIMIT

    @property
    def has_distance(self) -> bool:
        return "distance" in self.queryset.query.annotations

    def candidates(self) -> list[tuple]:
        """(id, rank, distance) of the first ``limit + 1`` matches, in order.

        By name or distance, the database reads them in that order (an index for
        names; a bounded box for distance). By relevance, it ranks at most that
        many matches: ranking every one of thousands is what made broad words slow.
        """
        if self._candidates is None:
            annotations = self.queryset.query.annotations
            fields = ["id", "name"]
            fields += [name for name in ("rank", "distance") if name in annotations]
            narrow = self.queryset.values_list(*fields)
            if self.order[0] == "-rank":
                # Bound first, then rank: a subquery keeps the limit inside.
                rows = _ordered(narrow.order_by()[: self.limit + 1], fields, self.order)
            else:
                rows = list(narrow.order_by(*self.order)[: self.limit + 1])
            self._candidates = rows
        return self._candidates

    @property
    def is_capped(self) -> bool:
        return len(self.candidates()) > self.limit

    def count(self) -> int:
        return min(len(self.candidates()), self.limit)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, int):
            return self[index : index + 1][0]
        rows = self.candidates()[: self.limit][index]
        page = self.page_queryset
        if page is None:
            page = self.queryset.model.objects.all()
        by_id = page.select_related("organization").in_bulk([row[0] for row in rows])
        services = []
        for row in rows:
            service = by_id[row[0]]
            values = dict(zip(("id", "name", *self._extra()), row, strict=False))
            service.rank = values.get("rank")
            service.distance = values.get("distance")
            services.append(service)
        return services

    def _extra(self) -> list[str]:
        annotations = self.queryset.query.annotations
        return [name for name in ("rank", "distance") if name in annotations]


def _ordered(inner, fields: list[str], order: list[str]) -> list[tuple]:
    """Rows of a sliced (bounded) query, sorted by ``order`` in the database: the
    ORM cannot order the rows of a subquery after its LIMIT."""
    sql, params = inner.query.sql_with_params()
    terms = []
    for key in order:
        name = key.lstrip("-")
        terms.append(f"c.{name} {'DESC' if key.startswith('-') else 'ASC'}")
    aliased = ", ".join(f"c.{name}" for name in fields)
    with connections[inner.db].cursor() as cursor:
        cursor.execute(
            # nosec B608: column names come from code, values are parameters
            f"SELECT {aliased} FROM ({sql}) AS c ORDER BY {', '.join(terms)}",
            params,
        )
        return cursor.fetchall()


@dataclass(frozen=True)
class OpeningHours:
    """One opening of a day, as a result card shows it."""

    opens_at: time
    closes_at: time | None

    def is_open_at(self, moment: time) -> bool:
        if self.closes_at is None:
            return moment >= self.opens_at
        if self.closes_at <= self.opens_at:  # open overnight
            return moment >= self.opens_at or moment < self.closes_at
        return self.opens_at <= moment < self.closes_at


def hours_today(card_hours: list[dict] | None) -> list[OpeningHours]:
    """The ``card_hours`` of ``with_card_details`` as OpeningHours."""
    return [
        OpeningHours(
            opens_at=time.fromisoformat(row["opens_at"]),
            closes_at=time.fromisoformat(row["closes_at"])
            if row.get("closes_at")
            else None,
        )
        for row in card_hours or []
    ]

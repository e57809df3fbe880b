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
read the words in ``results.corrections`` ({"speach": ["speech"]}). A page's services
come with their organisation; to read what a result card shows (phone, address,
today's hours) in the same single query, set ``results.read =
functools.partial(apps.directory.cards.read_cards, moment=..., centre=..., miles=...)``.

Speed at 100,000 services. ``search_results`` reads one narrow query: the ids of at
most ``CANDIDATE_LIMIT + 1`` matches with their sort keys, all filters applied in
the database through GIN-indexed columns of the service row (``search_vector``,
``search_terms``, ``search_languages``, ``diseases``); within a distance, the same
columns of the services' places (``apps/directory/places.py``), with their
coordinates. Only that bounded candidate set is ranked, so a broad word ("therapy")
costs no more than a narrow one. The count is honest and capped: ``count()`` is the
number of candidates, and ``is_capped`` says when more services matched than were ranked
(the page then says "more than 200" and suggests narrowing the search). Then one
query reads the services of the page with their organisation.

The candidate query is not compiled through the ORM on each search: every filter
method records the fixed SQL fragment it filters with, and ServiceSearch joins
those fragments (``apps/directory/candidates.py``); a QuerySet changed in any other
way is compiled as usual.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connections, models
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_noop

from .candidates import (
    CandidateQuery,
    Near,
    ServiceSQL,
    words_condition,
    words_rank,
)
from .geo import ZipCentroid, bounding_box, distance_miles
from .opening import minute_of_week
from .search import (
    SEARCH_CONFIG,
    WordReading,
    build_tsquery,
    query_words,
    read_words,
)

LISTED_STATUSES = ["active", "temporarily closed"]
# Names in English, as stored and matched; pages show gettext(name).
WEEKDAY_CODES = {
    "MO": gettext_noop("Monday"),
    "TU": gettext_noop("Tuesday"),
    "WE": gettext_noop("Wednesday"),
    "TH": gettext_noop("Thursday"),
    "FR": gettext_noop("Friday"),
    "SA": gettext_noop("Saturday"),
    "SU": gettext_noop("Sunday"),
}
WEEKDAYS = list(WEEKDAY_CODES)
# The matches ranked per search; more are counted as "more than" this. Ranking
# reads each match's row: 200 keep a broad word's search near 1 ms of database
# time at 100,000 services, where 1,000 took about 10 ms.
CANDIDATE_LIMIT = 200
# Nearest first within this radius or more, half of it is searched first.
INNER_CIRCLE_FROM_MILES = 20

# Languages people most often ask for in the US, by ISO 639 code. The English name
# is what Language rows store and searches match; pages show gettext(name).
LANGUAGES = {
    "en": gettext_noop("English"),
    "es": gettext_noop("Spanish"),
    "zh": gettext_noop("Chinese"),
    "vi": gettext_noop("Vietnamese"),
    "tl": gettext_noop("Tagalog"),
    "ko": gettext_noop("Korean"),
    "ru": gettext_noop("Russian"),
    "ar": gettext_noop("Arabic"),
    "ht": gettext_noop("Haitian Creole"),
    "pt": gettext_noop("Portuguese"),
    "fr": gettext_noop("French"),
    "pl": gettext_noop("Polish"),
    "ase": gettext_noop("American Sign Language"),
}


def stale_cutoff() -> date:
    """A listing last checked before this day is out of date (STALE_AFTER_MONTHS)."""
    return timezone.localdate() - timedelta(days=30 * settings.STALE_AFTER_MONTHS)


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

    def __init__(self, model=None, query=None, using=None, hints=None):
        super().__init__(model, query, using, hints)
        # All services: the candidate query starts here (see candidates.py).
        self._candidate_query = CandidateQuery(self.query) if query is None else None

    def _clone(self):
        clone = super()._clone()
        clone.corrections = getattr(self, "corrections", {})
        # Describes the original's query, not the clone's: a clone changed by
        # anything but the methods below is compiled through the ORM.
        clone._candidate_query = self._candidate_query
        return clone

    def candidate_query(self) -> CandidateQuery | None:
        """The candidate query of this QuerySet, or None when it was changed by
        something else than the methods below."""
        found = self._candidate_query
        return found if found is not None and found.describes(self.query) else None

    def _narrowed(self, condition: ServiceSQL | None, found=None, **changes):
        """``found`` (by default: filtered by ``condition``), its candidate query
        recording the condition and ``changes``."""
        recorded = self.candidate_query()
        if found is None:
            found = self.filter(condition)
        found._candidate_query = (
            recorded.narrowed(found.query, condition, **changes) if recorded else None
        )
        return found

    def _where(self, sql: str, *params):
        return self._narrowed(ServiceSQL(sql, params))

    def active(self):
        return self._where('{table}."status" = %s', "active")

    def listed(self):
        """What the public directory shows: active or temporarily closed."""
        return self._where('{table}."status" IN (%s, %s)', *LISTED_STATUSES)

    def matching(self, text: str, *, reading: WordReading | None = None):
        """Services whose stored vector holds every word, as typed or as the nearest
        words of the directory (typos), annotated with ``rank``. No words: all.

        ``reading``: how these words were read before (``read_words``), so that
        several searches for the same words look them up once."""
        words = query_words(text or "")
        if not words:
            return self._narrowed(None, self._chain())
        reading = reading or read_words(words)
        corrections = reading.corrections
        text = build_tsquery(words, reading)
        condition = words_condition(text, SEARCH_CONFIG)
        rank = words_rank(text, SEARCH_CONFIG)
        found = self.filter(condition).annotate(rank=rank)
        recorded = self.candidate_query()
        if recorded is not None and recorded.rank is not None:
            found._candidate_query = None  # ranked twice: the ORM keeps the last
        else:
            found = self._narrowed(condition, found, rank=rank)
        found.corrections = {**getattr(self, "corrections", {}), **corrections}
        return found

    def of_types(self, term_ids: list):
        """Services with any of these taxonomy terms (pass descendants too:
        ``TaxonomyTerm.objects.descendant_ids``). The stored ``search_terms`` hold
        each service's terms with their ancestors."""
        return self._where('{table}."search_terms" && %s::uuid[]', list(term_ids))

    def for_disease(self, code: str):
        return self._where('{table}."diseases" @> %s::varchar(20)[]', [code])

    def speaking(self, language: str):
        """Services that speak a language, given as ISO 639 code or name."""
        names = {language.lower(), LANGUAGES.get(language, language).lower()}
        return self._where(
            '{table}."search_languages" && %s::varchar(100)[]',
            sorted(names),
        )

    def with_telehealth(self):
        return self._where('{table}."telehealth"')

    def accepting_referrals(self):
        return self._where('{table}."accepts_referrals"')

    def checked_recently(self):
        """Listings their service or our staff checked within STALE_AFTER_MONTHS."""
        return self._where('{table}."last_verified" >= %s', stale_cutoff())

    def open_at(self, moment: datetime):
        """Services whose weekly hours include this local time (``open_minutes``,
        kept by refresh_search_index: see opening.py)."""
        return self._where(
            '{table}."open_minutes" @> %s::integer', minute_of_week(moment)
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
        else:
            # For search_results by distance: the same search in a smaller circle
            # (see ServiceSearch.candidates). Not kept by a further filter, which
            # the smaller circle would miss.
            found.nearer = functools.partial(self.near, centre)
            found.near_miles = miles
        recorded = self.candidate_query()
        if recorded is not None and recorded.near is None:
            near = Near(centre, miles, beyond)
            found = self._narrowed(None, found, near=near)
        else:
            found._candidate_query = None
        return found

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
            self,
            order=[*keys, "name", "id"],
            corrections=self.corrections,
            nearer=getattr(self, "nearer", None),
            miles=getattr(self, "near_miles", 0),
            composed=self.candidate_query(),
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
    # Reads the services of a page: ids -> {id: Service}; by default with their
    # organisation (the search page reads its cards: apps/directory/cards.py).
    read: Callable[[list[str]], dict] | None = None
    # The same search within fewer miles than ``miles`` (ServiceQuerySet.near).
    nearer: Callable[[float], ServiceQuerySet] | None = None
    miles: float = 0
    # The candidate query from fixed fragments; None: compiled through the ORM.
    composed: CandidateQuery | None = None
    _candidates: list[tuple[str, float | None]] | None = None

    def __post_init__(self):
        if self.limit is None:
            self.limit = CANDIDATE_LIMIT

    @property
    def has_distance(self) -> bool:
        return "distance" in self.queryset.query.annotations

    def candidates(self) -> list[tuple[str, float | None]]:
        """(id, miles or None) of the first ``limit + 1`` matches, in order.

        By name or distance, the database reads them in that order (an index for
        names; a bounded box for distance) and stops at the limit. By relevance, it
        ranks at most that many matches: ranking every one of thousands is what
        made broad words slow. They come back as one string, which is far cheaper
        to read than a thousand rows.

        Nearest first within a wide radius, the circle of half the radius is read
        first: when it holds more than the limit, they are the nearest of the
        whole circle (everything outside is farther), and the database computed
        the distance of a quarter of the locations. A 100-mile search around a
        city otherwise reads thousands of locations to keep 201. (Half rather than
        a quarter: measured on the bench's ZIP searches, a quarter was too small
        too often, and the second query cost more than it saved.)
        """
        if self._candidates is None:
            self._candidates = self._nearest_in_inner_circle()
        if self._candidates is None:
            self._candidates = self._few_words_matches_by_name()
        if self._candidates is None:
            if self.composed is not None:
                self._candidates = self._read_candidates(
                    *self.composed.sql(self.order, self.limit + 1)
                )
            else:
                self._candidates = self._read_candidates(*self._compiled(self.queryset))
        return self._candidates

    def _few_words_matches_by_name(self) -> list[tuple[str, float | None]] | None:
        """Words sorted by name: every match, when the words' index finds no more
        than the limit (then sorted here, in one query); None otherwise.

        Walking the name index until the limit is fast when the words are common
        and slow when they are rare: PostgreSQL guesses which from statistics, and
        a rare pair of words made it read most of the index (30-100 ms). Any
        ``limit + 1`` matches from the words' index cost a few milliseconds and
        tell which it is; only common words then walk the name index."""
        composed = self.composed
        if (
            composed is None
            or composed.rank is None
            or composed.near is not None
            or self.order[0] != "name"
        ):
            return None
        rows = self._read_candidates(*composed.sql(["-rank"], self.limit + 1))
        return rows if len(rows) <= self.limit else None

    def _nearest_in_inner_circle(self) -> list[tuple[str, float | None]] | None:
        if self.order[0] != "distance":
            return None
        if self.composed is not None:
            # Every filter is in the composed query, whatever their order.
            near = self.composed.near
            if near is None or near.beyond or near.miles < INNER_CIRCLE_FROM_MILES:
                return None
            inner = self.composed.within(near.miles / 2)
            query = inner.sql(self.order, self.limit + 1)
        else:
            if not self.nearer or self.miles < INNER_CIRCLE_FROM_MILES:
                return None
            query = self._compiled(self.nearer(self.miles / 2))
        rows = self._read_candidates(*query)
        return rows if len(rows) > self.limit else None

    def _compiled(self, queryset) -> tuple[str, list]:
        """The candidate query of a QuerySet the filter methods do not describe
        (see candidates.py), compiled through the ORM."""
        fields = ["id", "name"]
        fields += [n for n in ("rank", "distance") if n in queryset.query.annotations]
        narrow = queryset.values_list(*fields)
        if self.order[0] == "-rank":
            # Bound first, then rank: the limit applies before the ORDER BY.
            inner = narrow.order_by()[: self.limit + 1]
        else:
            inner = narrow.order_by(*self.order)[: self.limit + 1]
        return inner.query.sql_with_params()

    def _read_candidates(self, sql: str, params) -> list[tuple[str, float | None]]:
        order = ", ".join(
            f"c.{key.lstrip('-')} {'DESC' if key.startswith('-') else 'ASC'}"
            for key in self.order
        )
        miles = "round(c.distance::numeric, 2)::text" if self.has_distance else "''"
        # Only names fixed in code (search_results' keys) and Django's compiled SQL
        # are interpolated; every value stays a parameter.
        query = f"SELECT string_agg(c.id::text || ' ' || {miles}, ',' ORDER BY {order})"
        query += f" FROM ({sql}) AS c"  # nosec B608: see the comment above
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(query, params)
            text = cursor.fetchone()[0]
        rows = []
        for item in (text or "").split(",") if text else []:
            pk, _, distance = item.partition(" ")
            rows.append((pk, float(distance) if distance else None))
        return rows

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
        ids = [pk for pk, _ in rows]
        if self.read is not None:
            by_id = self.read(ids)
        else:
            page = self.queryset.model.objects.select_related("organization")
            by_id = {str(pk): service for pk, service in page.in_bulk(ids).items()}
        services = []
        for pk, distance in rows:
            service = by_id[pk]
            service.distance = distance
            services.append(service)
        return services

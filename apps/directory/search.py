"""Directory search, words: the stored full-text vector, typo correction and the
text query. The filters and the paged result built on them are in
``apps/directory/querysets.py`` (``Service.objects.listed().matching(...)``).

Every service keeps a weighted ``tsvector`` in ``Service.search_vector``:

- A: service name and alternate name
- B: organisation name, taxonomy term names (and a few everyday words for each term)
- C: service description

and, for the filters, the ids of its taxonomy terms with their ancestors
(``search_terms``), its languages' codes and names (``search_languages``) and its
weekly opening hours as minutes of the week (``open_minutes``, see ``opening.py``).

The vector is rebuilt set-based by :func:`refresh_search_index`, called by every path
that writes services: the admin's save, the HSDS importer and ``seed_directory``.
It also rebuilds the services' places (``places.py``), the narrow rows that distance
searches read, and the services' stored cards (``cards.py``: phone, addresses,
weekly hours, type names).
Explicit calls were chosen over database triggers because the columns depend on
ten tables (service, organisation, taxonomy term, the service-term link,
language, schedule, service-at-location, location, address, phone): triggers on each
would fire once per row during bulk loads of 100,000 services, where one set-based
UPDATE at the end is far cheaper.

The same function records each word of the directory in ``SearchWord``, so a misspelt
search word can be matched to the nearest known word by trigram similarity.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction

from apps.core.prepared import prepared_cursor

from .opening import open_minutes_lateral
from .places import refresh_narrow_rows
from .stored_card import STORED_CARD_SQL
from .taxonomy import copies_generation, forget_taxonomy, taxonomy_copy

SEARCH_CONFIG = "english"

# Everyday words people type for each care-service type of fixtures/taxonomy.json,
# indexed at weight B alongside the term's name.
TAXONOMY_SYNONYMS = {
    "als-clinic": "ALS clinic motor neurone neuron disease multidisciplinary team",
    "ms-centre": "MS center multiple sclerosis clinic",
    "neurology": "neurologist nerve doctor",
    "pulmonology": "lung breathing respiratory ventilation BiPAP cough assist",
    "gastroenterology": "feeding tube PEG gastrostomy nutrition",
    "genetic-counselling": "genetic counseling genetics testing",
    "clinical-trials": "research study trial",
    "speech-language": "speech therapy speech therapist SLP swallowing voice",
    "physical-therapy": "physiotherapy physio physical therapist exercise mobility",
    "occupational-therapy": "occupational therapist daily living",
    "dietitian": "nutrition nutritionist diet",
    "mental-health": "counseling counselling therapist psychologist",
    "equipment-loan": "wheelchair walker hospital bed lending closet",
    "aac": "augmentative alternative communication eye gaze speech device",
    "home-modifications": "ramp grab bar stair lift accessibility",
    "home-care": "home health aide nursing personal care",
    "respite": "caregiver break carer",
    "palliative-care": "hospice comfort end of life",
    "social-work": "social worker case manager navigator",
    "support-group": "peer support group caregiver",
    "legal-benefits": "disability benefits insurance Medicaid Medicare lawyer",
    "transportation": "rides transport paratransit",
}

# Not below pg_trgm's similarity_threshold (0.3), which read_words' index
# condition applies first.
MIN_WORD_SIMILARITY = 0.3
MAX_CORRECTIONS = 3
MAX_QUERY_WORDS = 8
# Readings of typed words each worker remembers (see read_words); past this many it
# starts again, so a flood of made-up words cannot fill its memory.
REMEMBERED_WORDS = 20_000
_WORD = re.compile(r"[a-z0-9]+")
# Readings of typed words shared by the workers (see _shared_readings): the key
# names the generation, so a new word list is never read with old readings.
WORD_KEY_PREFIX = "carenav:directory:word-reading:"
WORD_READING_SECONDS = 24 * 60 * 60


def _synonym_values() -> tuple[str, list[str]]:
    rows = ", ".join(["(%s, %s)"] * len(TAXONOMY_SYNONYMS))
    params = [value for item in TAXONOMY_SYNONYMS.items() for value in item]
    return rows, params


def refresh_search_index(service_ids: Iterable | None = None) -> int:
    """Rebuild the stored search columns of the given services (all when None).

    Returns the number of services updated. Set-based: one UPDATE for the vectors and
    one INSERT for the typo-correction word list, whatever the number of services.
    """
    if service_ids is not None:
        service_ids = [str(pk) for pk in service_ids]
        if not service_ids:
            return 0
    synonym_rows, synonym_params = _synonym_values()
    where = ""
    where_params: list = []
    if service_ids is not None:
        where = "WHERE s2.id = ANY(%s::uuid[])"
        where_params = [service_ids]
    source = f"""
        SELECT
            s2.id,
            concat_ws(' ', s2.name, s2.alternate_name) AS service_names,
            concat_ws(' ', o.name, o.alternate_name) AS organization_names,
            coalesce(terms.words, '') AS term_words,
            coalesce(terms.ids, '{{}}') AS term_ids,
            coalesce(spoken.names, '{{}}') AS languages,
            s2.description
        FROM directory_service s2
        JOIN directory_organization o ON o.id = s2.organization_id
        LEFT JOIN (
            SELECT st.service_id,
                   string_agg(concat_ws(' ', t.name, syn.words), ' ') AS words,
                   array_agg(DISTINCT t.id)
                   || array_remove(array_agg(DISTINCT t.parent_id), NULL)
                   || array_remove(array_agg(DISTINCT p.parent_id), NULL) AS ids
            FROM directory_service_taxonomy_terms st
            JOIN directory_taxonomyterm t ON t.id = st.taxonomyterm_id
            LEFT JOIN directory_taxonomyterm p ON p.id = t.parent_id
            LEFT JOIN (VALUES {synonym_rows}) AS syn(code, words) ON syn.code = t.code
            GROUP BY st.service_id
        ) terms ON terms.service_id = s2.id
        LEFT JOIN (
            SELECT l.service_id, array_agg(DISTINCT lower(v.name)) AS names
            FROM directory_language l
            CROSS JOIN LATERAL (VALUES (l.code), (l.name)) AS v(name)
            WHERE l.service_id IS NOT NULL AND v.name <> ''
            GROUP BY l.service_id
        ) spoken ON spoken.service_id = s2.id
        {where}
    """  # nosec B608: only placeholders and fixed SQL are put in; values are params
    params = synonym_params + where_params
    # One transaction: a search never sees a service without its places.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE directory_service s SET search_vector =
                setweight(to_tsvector(%s, src.service_names), 'A')
                || setweight(to_tsvector(%s, src.organization_names), 'B')
                || setweight(to_tsvector(%s, src.term_words), 'B')
                || setweight(to_tsvector(%s, src.description), 'C'),
                search_terms = src.term_ids,
                search_languages = src.languages,
                open_minutes = hours.minutes,
                card = {STORED_CARD_SQL}
            FROM ({source}) src
            CROSS JOIN {open_minutes_lateral("src.id")} hours
            WHERE src.id = s.id
            """,  # nosec B608: the source query above, fixed SQL
            [SEARCH_CONFIG] * 4 + params,
        )
        updated = cursor.rowcount
        refresh_narrow_rows(cursor, service_ids)
        cursor.execute(
            f"""
            INSERT INTO directory_searchword (word)
            SELECT DISTINCT word FROM (
                SELECT regexp_split_to_table(
                    lower(concat_ws(' ', src.service_names, src.organization_names,
                                    src.term_words, src.description)),
                    '[^a-z0-9]+'
                ) AS word
                FROM ({source}) src
            ) words
            WHERE length(word) BETWEEN 3 AND 100
              -- Stop words ("each", "with") are never searched, so never offered.
              AND to_tsvector(%s, word) <> ''::tsvector
            ON CONFLICT (word) DO NOTHING
            """,  # nosec B608: the source query above, fixed SQL
            [*params, SEARCH_CONFIG],
        )
        if cursor.rowcount:
            # New words of the directory: a word typed before may now be known, or
            # have nearer corrections. Workers forget what they remembered of the
            # words (read_words) with the taxonomy, which shares the generation.
            forget_taxonomy()
    return updated


def query_words(text: str) -> list[str]:
    """The search words of what someone typed: lower case letters and digits only."""
    return _WORD.findall(text.lower())[:MAX_QUERY_WORDS]


@dataclass
class WordReading:
    """How the words of a search were read: which are words of the directory as
    typed, and the nearest directory words to each of the others."""

    known: set[str] = field(default_factory=set)
    corrections: dict[str, list[str]] = field(default_factory=dict)


def read_words(words: list[str]) -> WordReading:
    """Look the words up in the directory's word list (one query for the words
    this worker has not read yet).

    A word found as typed is taken as meant. Otherwise up to MAX_CORRECTIONS words
    at least MIN_WORD_SIMILARITY alike are searched for as well, so a place name
    that happens to be closest ("peach" for "speach") does not hide the service
    word ("speech").

    People type the same words again and again, and the word list only changes
    when services are indexed, so each worker remembers how it read each word
    until then (the taxonomy's generation: refresh_search_index raises it when it
    adds words), and the workers share their readings through the cache.
    """
    candidates = [word for word in words if len(word) >= 4 and not word.isdigit()]
    if not candidates:
        return WordReading()
    remembered = taxonomy_copy("word readings", dict)
    unread = [word for word in dict.fromkeys(candidates) if word not in remembered]
    if unread:
        if len(remembered) + len(unread) > REMEMBERED_WORDS:
            remembered.clear()
        remembered.update(_shared_readings(unread))
    reading = WordReading()
    for word in candidates:
        is_known, corrections = remembered[word]
        if is_known:
            reading.known.add(word)
        elif corrections:
            reading.corrections[word] = list(corrections)
    return reading


def _shared_readings(words: list[str]) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """{word: reading} as another worker read it (the shared cache, under the
    words' generation), else from the database, then shared. A misspelt word is
    typed by many people and read by every worker: looking it up took a query of
    1-3 ms at 100,000 services, reading it back from the cache a tenth of that."""
    generation = copies_generation()
    keys = {f"{WORD_KEY_PREFIX}{generation}:{word}": word for word in words}
    shared = cache.get_many(keys)
    readings = {keys[key]: tuple(value) for key, value in shared.items()}
    unread = [word for word in words if word not in readings]
    if unread:
        looked_up = _look_up_words(unread)
        readings.update(looked_up)
        cache.set_many(
            {f"{WORD_KEY_PREFIX}{generation}:{w}": r for w, r in looked_up.items()},
            WORD_READING_SECONDS,
        )
    return readings


def _look_up_words(words: list[str]) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """{word: (found as typed, its nearest directory words)}, in one query."""
    with prepared_cursor() as cursor:
        # Words found as typed are taken from the primary key; only the others
        # walk the trigram index for their nearest words. The % condition (at
        # least pg_trgm.similarity_threshold alike, 0.3 unless set otherwise)
        # lets the index skip what is too far: the nearest-first walk alone took
        # 15 ms for "breuthing" at 100,000 services, with it 1.3 ms. A plain
        # SELECT (the WITH inside), as prepared_cursor() asks.
        cursor.execute(
            """
            SELECT readings.typed, readings.near, readings.distance FROM (
                WITH typed AS (
                    SELECT t.word, EXISTS (
                        SELECT 1 FROM directory_searchword w WHERE w.word = t.word
                    ) AS is_known
                    FROM unnest(%s::text[]) AS t(word)
                )
                SELECT typed.word AS typed, typed.word AS near, 0.0 AS distance
                FROM typed WHERE typed.is_known
                UNION ALL
                SELECT typed.word, near.word, near.distance
                FROM typed
                CROSS JOIN LATERAL (
                    SELECT w.word, w.word <-> typed.word AS distance
                    FROM directory_searchword w
                    WHERE w.word %% typed.word
                    ORDER BY w.word <-> typed.word, w.word
                    LIMIT %s::integer
                ) near
                WHERE NOT typed.is_known AND near.distance <= %s::real
            ) readings
            ORDER BY 1, 3, 2
            """,
            [words, MAX_CORRECTIONS, 1 - MIN_WORD_SIMILARITY],
        )
        rows = cursor.fetchall()
    known = {typed for typed, near, _ in rows if typed == near}
    corrections: dict[str, list[str]] = {}
    for typed, near, _ in rows:
        if typed not in known:
            corrections.setdefault(typed, []).append(near)
    return {word: (word in known, tuple(corrections.get(word, ()))) for word in words}


def build_tsquery(words: list[str], reading: WordReading) -> str:
    """A to_tsquery() string: every word must match, as typed or as corrected.

    Words are already reduced to [a-z0-9]+, so nothing typed can inject tsquery
    syntax. A longer word that is not a word of the directory also matches as a
    prefix ("therap" finds "therapist"); a known word or a correction is matched
    whole, because a prefix match makes the index read every word that starts so
    (the costliest part of a search for "therapy").
    """
    parts = []
    for word in words:
        terms = [word if word in reading.known or len(word) < 5 else f"{word}:*"]
        terms += reading.corrections.get(word, [])
        parts.append("(" + " | ".join(terms) + ")")
    return " & ".join(parts)

"""Full-text search of published articles, in PostgreSQL.

Typed words that no published article contains are matched to the nearest words
the articles do contain (trigram similarity, as the directory search does), so
"breething" finds "breathing". Snippets are cut from the rendered text of the
article, never from its Markdown.

A page in Spanish searches the Spanish text (``search_vector_es``, PostgreSQL's
'spanish' configuration after unaccent), with accents ignored in what is typed and
in the words typos are matched to: "respiracion" finds "respiración".
"""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet

from apps.core.translated import active_language, without_accents

from .models import SEARCH_CONFIG, SEARCH_CONFIG_ES, Article
from .rendering import MARK_START, MARK_STOP, plain_text

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8
MAX_CORRECTIONS = 3
MIN_WORD_SIMILARITY = 0.3
_WORD = re.compile(r"[a-z0-9]+")
HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords=35, MinWords=15, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


def clean_query(raw: str | None) -> str:
    """What a visitor typed, made safe to hand to PostgreSQL.

    A NUL character cannot go into a PostgreSQL string, and a very long query
    only costs time; whitespace is collapsed.
    """
    text = (raw or "").replace("\x00", " ")
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


@dataclass(frozen=True)
class SearchLanguage:
    """Which text of the articles a search reads: the columns, the stored vector
    and PostgreSQL's text search configuration."""

    config: str
    vector: str
    columns: tuple[str, ...]
    # SQL that makes the article text comparable with the typed words.
    plain_sql: str

    def words(self, text: str) -> list[str]:
        """The typed words, lower case (without accents where the language's
        configuration ignores them)."""
        text = without_accents(text) if self.config == SEARCH_CONFIG_ES else text
        return _WORD.findall(text.lower())


ENGLISH = SearchLanguage(
    SEARCH_CONFIG, "search_vector", ("title_en", "summary_en", "body_en"), "lower(%s)"
)
SPANISH = SearchLanguage(
    SEARCH_CONFIG_ES,
    "search_vector_es",
    ("title_es", "summary_es", "body_es"),
    "lower(unaccent(%s))",
)


def search_language() -> SearchLanguage:
    """The text a page in the active language searches."""
    return SPANISH if active_language() == "es" else ENGLISH


@dataclass
class ArticleQuery:
    """What to search for: the visitor's words (websearch syntax: quotes, "or",
    "-"), or, when some word is not in any article, every word as typed or as
    one of its nearest article words."""

    text: str
    corrections: dict[str, list[str]] = field(default_factory=dict)
    language: SearchLanguage = field(default_factory=search_language)

    @property
    def search_query(self) -> SearchQuery:
        config = self.language.config
        if not self.corrections:
            return SearchQuery(self.text, search_type="websearch", config=config)
        return SearchQuery(self._raw(), search_type="raw", config=config)

    def _raw(self) -> str:
        # Words are [a-z0-9]+ only: nothing typed can inject tsquery syntax.
        parts = []
        for word in self.language.words(self.text)[:MAX_QUERY_WORDS]:
            options = [word, *self.corrections.get(word, [])]
            parts.append("(" + " | ".join(options) + ")")
        return " & ".join(parts)

    def sql(self) -> tuple[str, list]:
        """The tsquery as SQL, for ts_headline."""
        config = self.language.config
        if not self.corrections:
            return "websearch_to_tsquery(%s::regconfig, %s)", [config, self.text]
        return "to_tsquery(%s::regconfig, %s)", [config, self._raw()]


def read_query(text: str) -> ArticleQuery:
    """The query for what a visitor typed, misspelt words corrected (one query).

    The word list is read from the published articles at search time: there are
    a few hundred articles at most, so a stored list would only add upkeep.
    """
    query = ArticleQuery(text=text)
    language = query.language
    words = [
        word
        for word in language.words(text)[:MAX_QUERY_WORDS]
        if len(word) >= 4 and not word.isdigit()
    ]
    if not words:
        return query
    published, published_params = (
        Article.objects.published().order_by().values("pk").query.sql_with_params()
    )
    columns = ", ".join(f"a.{column}" for column in language.columns)
    article_text = language.plain_sql % f"concat_ws(' ', {columns})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH article_words AS (
                SELECT DISTINCT word
                FROM diseases_article a,
                regexp_split_to_table({article_text}, '[^a-z0-9]+') AS word
                WHERE a.id IN ({published}) AND length(word) >= 3
            )
            SELECT typed.word, near.word
            FROM unnest(%s::text[]) AS typed(word)
            CROSS JOIN LATERAL (
                SELECT w.word, w.word <-> typed.word AS distance
                FROM article_words w
                ORDER BY distance, w.word
                LIMIT %s
            ) near
            WHERE near.distance <= %s
            ORDER BY typed.word, near.distance, near.word
            """,  # nosec B608: the ORM's SQL for published articles, fixed column names
            [*published_params, words, MAX_CORRECTIONS, 1 - MIN_WORD_SIMILARITY],
        )
        rows = cursor.fetchall()
    known = {typed for typed, near in rows if typed == near}
    for typed, near in rows:
        if typed not in known:
            query.corrections.setdefault(typed, []).append(near)
    return query


def search_articles(text: str | ArticleQuery) -> QuerySet[Article]:
    """Published articles matching the words, best first, each with `rank`.

    Rows come as their clinically signed versions (public_versions), so their
    headlines are cut from the text a reviewer signed."""
    query = text if isinstance(text, ArticleQuery) else ArticleQuery(text=text)
    search_query = query.search_query
    vector = query.language.vector
    return (
        Article.objects.published()
        .filter(**{vector: search_query})
        .annotate(rank=SearchRank(F(vector), search_query))
        .select_related("disease")
        .order_by("-rank", "title", "pk")
        .public_versions()
    )


def headlines(articles: list[Article], query: ArticleQuery) -> list[str]:
    """For each article, an excerpt of its rendered text around the matches,
    the matches between MARK_START and MARK_STOP (one query for the page)."""
    if not articles:
        return []
    texts = [plain_text(article.body) for article in articles]
    tsquery, params = query.sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT ts_headline(%s::regconfig, body.text, {tsquery}, %s)
            FROM unnest(%s::text[]) WITH ORDINALITY AS body(text, position)
            ORDER BY body.position
            """,  # nosec B608: tsquery is one of two fixed SQL fragments
            [query.language.config, *params, HEADLINE_OPTIONS, texts],
        )
        return [row[0] for row in cursor.fetchall()]

"""Full-text search of published articles, in PostgreSQL.

Typed words that no published article contains are matched to the nearest words
the articles do contain (trigram similarity, as the directory search does), so
"breething" finds "breathing". Snippets are cut from the rendered text of the
article, never from its Markdown.
"""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet

from .models import SEARCH_CONFIG, Article
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


@dataclass
class ArticleQuery:
    """What to search for: the visitor's words (websearch syntax: quotes, "or",
    "-"), or, when some word is not in any article, every word as typed or as
    one of its nearest article words."""

    text: str
    corrections: dict[str, list[str]] = field(default_factory=dict)

    @property
    def search_query(self) -> SearchQuery:
        if not self.corrections:
            return SearchQuery(self.text, search_type="websearch", config=SEARCH_CONFIG)
        return SearchQuery(self._raw(), search_type="raw", config=SEARCH_CONFIG)

    def _raw(self) -> str:
        # Words are [a-z0-9]+ only: nothing typed can inject tsquery syntax.
        parts = []
        for word in _WORD.findall(self.text.lower())[:MAX_QUERY_WORDS]:
            options = [word, *self.corrections.get(word, [])]
            parts.append("(" + " | ".join(options) + ")")
        return " & ".join(parts)

    def sql(self) -> tuple[str, list]:
        """The tsquery as SQL, for ts_headline."""
        if not self.corrections:
            return "websearch_to_tsquery(%s::regconfig, %s)", [SEARCH_CONFIG, self.text]
        return "to_tsquery(%s::regconfig, %s)", [SEARCH_CONFIG, self._raw()]


def read_query(text: str) -> ArticleQuery:
    """The query for what a visitor typed, misspelt words corrected (one query).

    The word list is read from the published articles at search time: there are
    a few hundred articles at most, so a stored list would only add upkeep.
    """
    words = [
        word
        for word in _WORD.findall(text.lower())[:MAX_QUERY_WORDS]
        if len(word) >= 4 and not word.isdigit()
    ]
    query = ArticleQuery(text=text)
    if not words:
        return query
    published, published_params = (
        Article.objects.published().order_by().values("pk").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH article_words AS (
                SELECT DISTINCT word
                FROM diseases_article a,
                regexp_split_to_table(
                    lower(concat_ws(' ', a.title, a.summary, a.body)), '[^a-z0-9]+'
                ) AS word
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
            """,  # nosec B608: the ORM's SQL for published articles, values as params
            [*published_params, words, MAX_CORRECTIONS, 1 - MIN_WORD_SIMILARITY],
        )
        rows = cursor.fetchall()
    known = {typed for typed, near in rows if typed == near}
    for typed, near in rows:
        if typed not in known:
            query.corrections.setdefault(typed, []).append(near)
    return query


def search_articles(text: str | ArticleQuery) -> QuerySet[Article]:
    """Published articles matching the words, best first, each with `rank`."""
    query = text if isinstance(text, ArticleQuery) else ArticleQuery(text=text)
    search_query = query.search_query
    return (
        Article.objects.published()
        .filter(search_vector=search_query)
        .annotate(rank=SearchRank(F("search_vector"), search_query))
        .select_related("disease")
        .order_by("-rank", "title", "pk")
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
            [SEARCH_CONFIG, *params, HEADLINE_OPTIONS, texts],
        )
        return [row[0] for row in cursor.fetchall()]

"""Full-text search of published articles, in PostgreSQL."""

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.fields.json import KT

from .models import SEARCH_CONFIG, Article
from .rendering import MARK_START, MARK_STOP

MAX_QUERY_LENGTH = 200


def clean_query(raw: str | None) -> str:
    """What a visitor typed, made safe to hand to PostgreSQL.

    A NUL character cannot go into a PostgreSQL string, and a very long query
    only costs time; whitespace is collapsed.
    """
    text = (raw or "").replace("\x00", " ")
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def search_articles(text: str) -> QuerySet[Article]:
    """Published articles matching the words, best first.

    Each row carries `rank` and `headline`, an excerpt of the body with the
    matches between MARK_START and MARK_STOP (see rendering.search_snippet), and
    `is_body_signed`: whether that body is the one a clinical reviewer signed (rows
    come as their signed versions, so a headline of a newer body must not show).
    websearch syntax never raises: quotes, "or" and "-" work, the rest is words.
    """
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    return (
        Article.objects.published()
        .filter(search_vector=query)
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            headline=SearchHeadline(
                "body",
                query,
                config=SEARCH_CONFIG,
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
            is_body_signed=ExpressionWrapper(
                Q(body=KT("signed_version__fields__body")), output_field=BooleanField()
            ),
        )
        .select_related("disease")
        .order_by("-rank", "title", "pk")
        .public_versions()
    )

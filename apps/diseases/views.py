"""Public disease information, and the editors' preview of a draft.

Only published content is read here (QuerySet.published()); nothing is cached
per visitor. Anonymous visitors share one rendered copy of each public page for a
few minutes (apps.core.caching.cache_public_page), as these pages are heavy to render
(Markdown, glossary linking) and the same for everyone who is not signed in.
"""

import string
from itertools import groupby

from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps import views as sitemap_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from apps.core.caching import cache_public_page
from apps.core.signoff import public_children

from .models import Article, Comparison, Disease, GlossaryTerm
from .rendering import GlossaryMatcher, render_markdown, search_snippet
from .search import clean_query, headlines, read_query, search_articles
from .sitemaps import SITEMAPS

SEARCH_PAGE_SIZE = 20
# What lists of articles show; the signed versions hold the reviewed title and
# summary of each language ("title" loads every language's column).
LISTED_ARTICLE_FIELDS = (
    "slug",
    "title",
    "section",
    "order",
    "disease_id",
    "signed_version",
    "signed_version_es",
)


@login_not_required
@require_safe
@cache_public_page()
def disease_list(request):
    diseases = Disease.objects.published()
    comparisons = (
        Comparison.objects.published()
        .select_related("first_disease", "second_disease")
        .public_versions()
    )
    return render(
        request,
        "diseases/disease_list.html",
        {"diseases": diseases, "comparisons": comparisons},
    )


@login_not_required
@require_safe
@cache_public_page()
def disease_detail(request, slug):
    disease = get_object_or_404(Disease.objects.published(), slug=slug)
    articles = (
        disease.articles.filter(status=Article.Status.PUBLISHED)
        .only(*LISTED_ARTICLE_FIELDS, "summary")
        .public_versions()
    )
    section_order = {value: index for index, value in enumerate(Article.Section.values)}
    articles = sorted(
        articles, key=lambda a: (section_order.get(a.section, 99), a.order, a.title)
    )
    sections = [
        (Article.Section(section).label, section, list(rows))
        for section, rows in groupby(articles, key=lambda a: a.section)
    ]
    comparisons = (
        Comparison.objects.published()
        .filter(Q(first_disease=disease) | Q(second_disease=disease))
        .select_related("first_disease", "second_disease")
        .public_versions()
    )
    return render(
        request,
        "diseases/disease_detail.html",
        {"disease": disease, "sections": sections, "comparisons": comparisons},
    )


def _render_article(request, article: Article, *, is_preview: bool = False):
    """The article as the public reads it (its signed version, if signed off), or
    as saved now for an editor's preview."""
    if is_preview:
        citations = list(article.citations.select_related("reference"))
    else:
        citations = public_children(article, "citations", related=("reference",))
    glossary = GlossaryMatcher(
        GlossaryTerm.objects.only("term", "slug", "definition", "also_matches")
    )
    body = render_markdown(
        article.body,
        citations={citation.order for citation in citations},
        glossary=glossary,
    )
    siblings = (
        Article.objects.published()
        .filter(disease=article.disease_id)
        .only(*LISTED_ARTICLE_FIELDS)
        .public_versions()
    )
    return render(
        request,
        "diseases/article_detail.html",
        {
            "article": article,
            "disease": article.disease,
            "body": body.html,
            "terms": body.terms,
            "citations": citations,
            "siblings": siblings,
            "is_preview": is_preview,
        },
    )


@login_not_required
@require_safe
@cache_public_page()
def article_detail(request, disease, article):
    article = get_object_or_404(
        Article.objects.published().select_related("disease").public_versions(),
        disease__slug=disease,
        slug=article,
    )
    return _render_article(request, article)


@require_safe
def article_preview(request, pk):
    """An article of any status, as the public would see it: for content staff."""
    if not (request.user.is_staff and request.user.has_perm("diseases.view_article")):
        raise PermissionDenied
    article = get_object_or_404(Article.objects.select_related("disease"), pk=pk)
    response = _render_article(request, article, is_preview=True)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _source_number(sources: dict, reference) -> int | None:
    """The note number of a reference, numbering it if it is new."""
    if reference is None:
        return None
    if reference.pk not in sources:
        sources[reference.pk] = reference
    return list(sources).index(reference.pk) + 1


@login_not_required
@require_safe
@cache_public_page()
def comparison_detail(request, slug):
    comparison = get_object_or_404(
        Comparison.objects.published()
        .select_related("first_disease", "second_disease")
        .public_versions(),
        slug=slug,
    )
    rows = public_children(
        comparison, "rows", related=("first_reference", "second_reference")
    )
    # Sources are numbered in the order the table first cites them, row by row,
    # first column before second.
    sources = {}
    for row in rows:
        row.first_source = _source_number(sources, row.first_reference)
        row.second_source = _source_number(sources, row.second_reference)
    return render(
        request,
        "diseases/comparison_detail.html",
        {
            "comparison": comparison,
            "rows": rows,
            "sources": list(sources.values()),
        },
    )


@login_not_required
@require_safe
@cache_public_page()
def glossary(request):
    terms = GlossaryTerm.objects.select_related(
        "related_article__disease", "reference"
    ).order_by("term")
    groups = {}
    for term in terms:
        article = term.related_article
        term.read_more = article if article is not None and article.is_public else None
        first = term.term[:1].upper()
        letter = first if first in string.ascii_uppercase else "#"
        groups.setdefault(letter, []).append(term)
    letters = [*string.ascii_uppercase, "#"]
    return render(
        request,
        "diseases/glossary.html",
        {
            "groups": [
                (letter, groups[letter]) for letter in letters if letter in groups
            ],
            "letters": [(letter, letter in groups) for letter in letters],
        },
    )


@login_not_required
@require_safe
def search(request):
    """Queries: the typo lookup, the count, the page of articles, their snippets
    (cut from the rendered text)."""
    query = clean_query(request.GET.get("q"))
    page = None
    corrections: dict = {}
    if query:
        article_query = read_query(query)
        corrections = article_query.corrections
        paginator = Paginator(search_articles(article_query), SEARCH_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        articles = list(page.object_list)
        for article, headline in zip(
            articles, headlines(articles, article_query), strict=True
        ):
            article.snippet = search_snippet(headline)
        page.object_list = articles
    return render(
        request,
        "diseases/search.html",
        {"query": query, "page_obj": page, "corrections": corrections},
    )


@login_not_required
@require_safe
def sitemap(request):
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS)

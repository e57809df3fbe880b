"""The sitemap lists published pages only: a draft is never announced."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Comparison, Disease


class PageSitemap(Sitemap):
    def items(self):
        return ["diseases:disease_list", "diseases:glossary"]

    def location(self, item):
        return reverse(item)


class DiseaseSitemap(Sitemap):
    def items(self):
        return Disease.objects.published().only("slug")


class ArticleSitemap(Sitemap):
    def items(self):
        return (
            Article.objects.published()
            .select_related("disease")
            .only("slug", "updated_at", "disease__slug")
            .order_by("disease__order", "order", "pk")
        )

    def lastmod(self, article):
        return article.updated_at


class ComparisonSitemap(Sitemap):
    def items(self):
        return Comparison.objects.published().only("slug")


SITEMAPS = {
    "pages": PageSitemap,
    "diseases": DiseaseSitemap,
    "articles": ArticleSitemap,
    "comparisons": ComparisonSitemap,
}

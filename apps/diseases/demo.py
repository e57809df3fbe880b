"""Seed content for disease information: the fixture, then derived values."""

from .models import Article, Disease, GlossaryTerm

FIXTURES = ["diseases.json"]


def seed(*, stdout) -> None:
    # loaddata stores rows as they are, without Article.save(), so the reading
    # grade is worked out here for any article that has none.
    for article in Article.objects.filter(reading_grade__isnull=True):
        article.save(update_fields=["body"])
    stdout.write(
        f"  disease information: {Disease.objects.published().count()} diseases, "
        f"{Article.objects.published().count()} published articles, "
        f"{GlossaryTerm.objects.count()} glossary terms"
    )

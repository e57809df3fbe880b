import datetime

import factory

from apps.diseases.models import (
    Article,
    ArticleReference,
    Comparison,
    ComparisonRow,
    Disease,
    GlossaryTerm,
    Reference,
)


class DiseaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disease
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"disease-{n}")
    name = factory.Sequence(lambda n: f"Example disease {n}")
    short_name = factory.Sequence(lambda n: f"ED{n}")
    summary = "A fictional disease for tests."
    is_published = True
    last_reviewed = datetime.date(2026, 1, 15)
    next_review = datetime.date(2099, 1, 15)


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    title = factory.Sequence(lambda n: f"Source document {n}")
    publisher = "Example Health Institute"
    url = factory.Sequence(lambda n: f"https://example.org/source/{n}")
    accessed = datetime.date(2026, 1, 10)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    disease = factory.SubFactory(DiseaseFactory)
    slug = factory.Sequence(lambda n: f"article-{n}")
    title = factory.Sequence(lambda n: f"Example article {n}")
    summary = "A short summary."
    body = "Plain words about the disease. They are short and clear."
    section = Article.Section.OVERVIEW
    status = Article.Status.PUBLISHED
    last_reviewed = datetime.date(2026, 1, 15)
    next_review = datetime.date(2099, 1, 15)

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT)


class ArticleReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleReference

    article = factory.SubFactory(ArticleFactory)
    reference = factory.SubFactory(ReferenceFactory)
    order = factory.Sequence(lambda n: n + 1)


class ComparisonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comparison

    slug = factory.Sequence(lambda n: f"first-vs-second-{n}")
    title = factory.Sequence(lambda n: f"Comparison {n}")
    introduction = "How two diseases differ."
    first_disease = factory.SubFactory(DiseaseFactory)
    second_disease = factory.SubFactory(DiseaseFactory)
    is_published = True
    last_reviewed = datetime.date(2026, 1, 15)


class ComparisonRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComparisonRow

    comparison = factory.SubFactory(ComparisonFactory)
    order = factory.Sequence(lambda n: n)
    feature = factory.Sequence(lambda n: f"Feature {n}")
    first_value = "Value for the first disease."
    second_value = "Value for the second disease."
    first_reference = factory.SubFactory(ReferenceFactory)
    second_reference = factory.SubFactory(ReferenceFactory)


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm

    term = factory.Sequence(lambda n: f"Term{n}")
    slug = factory.LazyAttribute(lambda o: o.term.lower().replace(" ", "-"))
    definition = "A plain explanation."

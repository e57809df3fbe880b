import factory

from apps.accounts.models import User
from apps.accounts.tests.factories import UserFactory
from apps.checklists.models import (
    ChecklistItem,
    ChecklistItemReference,
    ItemProgress,
    PatientStage,
    Stage,
)
from apps.diseases.models import Article, Disease
from apps.diseases.tests.factories import ReferenceFactory


class DiseaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disease
        django_get_or_create = ["slug"]

    slug = "als"
    name = "Amyotrophic lateral sclerosis"
    short_name = "ALS"
    summary = "A disease of the nerve cells that control muscles."
    is_published = True


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    disease = factory.SubFactory(DiseaseFactory)
    slug = factory.Sequence(lambda n: f"article-{n}")
    title = factory.Sequence(lambda n: f"Article {n}")
    summary = "A short summary."
    body = "Some text."
    section = Article.Section.LIVING
    status = Article.Status.PUBLISHED


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    disease = factory.SubFactory(DiseaseFactory)
    order = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"stage-{n}")
    title = factory.Sequence(lambda n: f"Stage {n}")
    description = "What this stage is about."


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem
        skip_postgeneration_save = True

    stage = factory.SubFactory(StageFactory)
    order = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"item-{n}")
    title = factory.Sequence(lambda n: f"Do thing number {n}")
    guidance = "Ask your care team about it."
    why_it_matters = "It helps you plan."

    @factory.post_generation
    def service_types(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.service_types.add(*extracted)


class ChecklistItemReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItemReference

    item = factory.SubFactory(ChecklistItemFactory)
    reference = factory.SubFactory(ReferenceFactory)
    order = factory.Sequence(lambda n: n + 1)


class ItemProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemProgress

    patient = factory.SubFactory(UserFactory, role=User.Role.PATIENT)
    item = factory.SubFactory(ChecklistItemFactory)


class PatientStageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatientStage

    patient = factory.SubFactory(UserFactory, role=User.Role.PATIENT)
    stage = factory.SubFactory(StageFactory)

import datetime
import re

import pghistory
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone

from apps.core.models import ClinicallySignedOff, SignedOffQuerySet
from apps.core.validators import (
    readable_years_constraint,
    validate_past_date,
    validate_planning_date,
)

SEARCH_CONFIG = "english"
# PostgreSQL's 'spanish' configuration with accents removed first (unaccent), made
# by migration diseases 0031: "logopedia" finds "logopédia", "medico" finds "médico".
SEARCH_CONFIG_ES = "spanish_unaccent"
# A citation in an article's body: [1], [2]...
CITED = re.compile(r"\[(\d{1,3})\]")


def track_history(*exclude: str):
    """Record every insert, update and delete, with the user who made it.

    Triggers do the recording, so admin actions and bulk updates are kept too.
    Each model gets its own tracker instances.
    """
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        exclude=list(exclude) or None,
    )


def is_overdue(next_review: datetime.date | None) -> bool:
    return next_review is not None and next_review < timezone.localdate()


class DiseaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


@track_history()
class Disease(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    short_name = models.CharField(max_length=20, help_text="For example ALS or MS.")
    also_known_as = models.CharField(max_length=200, blank=True)
    summary = models.TextField(help_text="Two or three plain sentences.")
    order = models.PositiveSmallIntegerField(default=0)
    is_published = models.BooleanField(default=False)
    last_reviewed = models.DateField(
        null=True, blank=True, validators=[validate_past_date]
    )
    next_review = models.DateField(
        null=True, blank=True, validators=[validate_planning_date]
    )

    objects = DiseaseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            readable_years_constraint("diseases_disease", "last_reviewed"),
            readable_years_constraint("diseases_disease", "next_review"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("diseases:disease_detail", args=[self.slug])

    @property
    def is_review_overdue(self) -> bool:
        return is_overdue(self.next_review)


@track_history()
class Reference(models.Model):
    """A source behind medical claims, cited by articles as numbered notes."""

    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    accessed = models.DateField(null=True, blank=True, validators=[validate_past_date])

    class Meta:
        ordering = ["title"]
        constraints = [readable_years_constraint("diseases_reference", "accessed")]

    def __str__(self):
        return self.title

    @property
    def link(self) -> str:
        """The URL, if it is a web address: never a javascript: or data: one."""
        return self.url if self.url.lower().startswith(("https://", "http://")) else ""

    @property
    def missing_details(self) -> list[str]:
        """What a reader needs to check the source and it lacks."""
        return [
            label
            for label, value in (("URL", self.link), ("access date", self.accessed))
            if not value
        ]


def reference_faults(references) -> list[str]:
    """A sentence for each reference that lacks a URL or an access date."""
    return [
        f"the reference “{reference}” has no {' or '.join(reference.missing_details)}"
        for reference in references
        if reference.missing_details
    ]


class ArticleQuerySet(SignedOffQuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED, disease__is_published=True)

    def review_overdue(self):
        return self.filter(next_review__lt=timezone.localdate())


@track_history("search_vector", "search_vector_es", "updated_at")
class Article(ClinicallySignedOff):
    class Section(models.TextChoices):
        OVERVIEW = "overview", "Overview"
        TYPES = "types", "Types"
        SYMPTOMS = "symptoms", "Symptoms"
        DIAGNOSIS = "diagnosis", "Diagnosis"
        TREATMENT = "treatment", "Treatment"
        LIVING = "living", "Living with it"
        OUTLOOK = "outlook", "Outlook"
        COMPARISON = "comparison", "How it compares"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    disease = models.ForeignKey(
        Disease, on_delete=models.PROTECT, related_name="articles"
    )
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=400)
    body = models.TextField(
        help_text="Markdown. Cite a reference with [1], [2]... in the order below."
    )
    section = models.CharField(max_length=20, choices=Section)
    order = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    references = models.ManyToManyField(
        Reference, through="ArticleReference", related_name="articles", blank=True
    )
    reading_grade = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept current by PostgreSQL itself, so fixtures, bulk updates and the admin
    # all leave it right: title outweighs summary, which outweighs body. One per
    # language, over that language's columns (see translation.py).
    search_vector = models.GeneratedField(
        expression=(
            SearchVector("title_en", weight="A", config=SEARCH_CONFIG)
            + SearchVector("summary_en", weight="B", config=SEARCH_CONFIG)
            + SearchVector("body_en", weight="C", config=SEARCH_CONFIG)
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    search_vector_es = models.GeneratedField(
        expression=(
            SearchVector("title_es", weight="A", config=SEARCH_CONFIG_ES)
            + SearchVector("summary_es", weight="B", config=SEARCH_CONFIG_ES)
            + SearchVector("body_es", weight="C", config=SEARCH_CONFIG_ES)
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ArticleQuerySet.as_manager()

    sign_off_exempt = ("disease", "slug", "order", "status")
    sign_off_children = ("citations",)

    class Meta:
        ordering = ["disease", "order", "title"]
        permissions = [("sign_off_article", "Can sign off an article clinically")]
        constraints = [
            models.UniqueConstraint(
                fields=["disease", "slug"], name="diseases_article_unique_slug"
            ),
            readable_years_constraint("diseases_article", "last_reviewed"),
            readable_years_constraint("diseases_article", "next_review"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="diseases_article_search"),
            GinIndex(fields=["search_vector_es"], name="diseases_article_search_es"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from .readability import reading_grade

        # The English text's grade, whatever language is active while saving.
        self.reading_grade = reading_grade(self.body_en or "")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"body", "body_en"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "reading_grade"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("diseases:article_detail", args=[self.disease.slug, self.slug])

    @property
    def is_public(self) -> bool:
        """Whether anyone may read it: published, and so is its disease."""
        return self.status == self.Status.PUBLISHED and self.disease.is_published

    @property
    def is_review_overdue(self) -> bool:
        return is_overdue(self.next_review)

    def content_faults(self) -> list[str]:
        """Faults of the citations that stop publishing (see apps.core.signoff)."""
        citations = list(self.citations.select_related("reference"))
        known = {citation.order for citation in citations}
        broken = sorted(
            {int(number) for number in CITED.findall(self.body)} - known,
        )
        faults = [
            f"the body cites [{number}] but there is no citation numbered {number}"
            for number in broken
        ]
        return faults + reference_faults(
            {
                citation.reference_id: citation.reference for citation in citations
            }.values()
        )


class OverdueArticle(Article):
    """Articles whose review date has passed, as their own list in the admin."""

    class Meta:
        proxy = True
        verbose_name = "article overdue for review"
        verbose_name_plural = "articles overdue for review"


@track_history()
class ArticleReference(models.Model):
    """The n-th citation of an article: [n] in the body points here."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="citations"
    )
    reference = models.ForeignKey(
        Reference, on_delete=models.PROTECT, related_name="citations"
    )
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["article", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "order"], name="diseases_articlereference_order"
            ),
        ]

    def __str__(self):
        return f"[{self.order}] {self.reference}"


class ComparisonQuerySet(SignedOffQuerySet):
    def published(self):
        """Published, and so are both diseases: a draft disease never shows here."""
        return self.filter(
            is_published=True,
            first_disease__is_published=True,
            second_disease__is_published=True,
        )


@track_history()
class Comparison(ClinicallySignedOff):
    """A side-by-side table of two diseases, e.g. ALS vs MS."""

    slug = models.SlugField(unique=True, help_text="For example als-vs-ms.")
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    first_disease = models.ForeignKey(
        Disease, on_delete=models.PROTECT, related_name="+"
    )
    second_disease = models.ForeignKey(
        Disease, on_delete=models.PROTECT, related_name="+"
    )
    is_published = models.BooleanField(default=False)

    objects = ComparisonQuerySet.as_manager()

    sign_off_exempt = ("slug", "is_published")
    sign_off_children = ("rows",)

    class Meta:
        ordering = ["title"]
        constraints = [
            readable_years_constraint("diseases_comparison", "last_reviewed")
        ]
        permissions = [("sign_off_comparison", "Can sign off a comparison clinically")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("diseases:comparison_detail", args=[self.slug])

    def content_faults(self) -> list[str]:
        """References of the rows (in any column) that lack a URL or access date."""
        reference_keys = [
            field.name
            for field in ComparisonRow._meta.concrete_fields
            if field.related_model is Reference
        ]
        references = {}
        for row in self.rows.select_related(*reference_keys):
            for key in reference_keys:
                reference = getattr(row, key)
                if reference is not None:
                    references[reference.pk] = reference
        return reference_faults(references.values())


@track_history()
class ComparisonRow(models.Model):
    comparison = models.ForeignKey(
        Comparison, on_delete=models.CASCADE, related_name="rows"
    )
    order = models.PositiveSmallIntegerField(default=0)
    feature = models.CharField(max_length=120)
    first_value = models.TextField()
    second_value = models.TextField()
    # Each column is its own claim about its own disease, so each has its own
    # source: an MS figure is not supported by an ALS page.
    first_reference = models.ForeignKey(
        Reference,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The source of the first disease's value.",
    )
    second_reference = models.ForeignKey(
        Reference,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The source of the second disease's value.",
    )

    class Meta:
        ordering = ["comparison", "order"]

    def __str__(self):
        return self.feature


@track_history()
class GlossaryTerm(models.Model):
    term = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(unique=True)
    definition = models.TextField(help_text="One or two plain sentences.")
    also_matches = models.CharField(
        max_length=200,
        blank=True,
        help_text="Other forms that should link here, comma-separated "
        "(e.g. fasciculation, fasciculations).",
    )
    reference = models.ForeignKey(
        Reference, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    related_article = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="An article to read more in. Shown only while it is published.",
    )

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term

    def get_absolute_url(self):
        return reverse("diseases:glossary") + f"#{self.slug}"

    @property
    def forms(self) -> list[str]:
        """The term and every other form that should link to it."""
        others = [form.strip() for form in self.also_matches.split(",")]
        return [self.term, *(form for form in others if form)]

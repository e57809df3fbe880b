from django.conf import settings
from django.db import models
from django.urls import reverse


class DiseaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Disease(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    short_name = models.CharField(max_length=20, help_text="For example ALS or MS.")
    also_known_as = models.CharField(max_length=200, blank=True)
    summary = models.TextField(help_text="Two or three plain sentences.")
    order = models.PositiveSmallIntegerField(default=0)
    is_published = models.BooleanField(default=False)
    last_reviewed = models.DateField(null=True, blank=True)
    next_review = models.DateField(null=True, blank=True)

    objects = DiseaseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("diseases:disease_detail", args=[self.slug])


class Reference(models.Model):
    """A source behind medical claims, cited by articles as numbered notes."""

    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    accessed = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED, disease__is_published=True)


class Article(models.Model):
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
    last_reviewed = models.DateField(null=True, blank=True)
    next_review = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reading_grade = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["disease", "order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["disease", "slug"], name="diseases_article_unique_slug"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("diseases:article_detail", args=[self.disease.slug, self.slug])


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


class ComparisonQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Comparison(models.Model):
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
    last_reviewed = models.DateField(null=True, blank=True)

    objects = ComparisonQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("diseases:comparison_detail", args=[self.slug])


class ComparisonRow(models.Model):
    comparison = models.ForeignKey(
        Comparison, on_delete=models.CASCADE, related_name="rows"
    )
    order = models.PositiveSmallIntegerField(default=0)
    feature = models.CharField(max_length=120)
    first_value = models.TextField()
    second_value = models.TextField()
    reference = models.ForeignKey(
        Reference, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["comparison", "order"]

    def __str__(self):
        return self.feature


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

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term

    def get_absolute_url(self):
        return reverse("diseases:glossary") + f"#{self.slug}"

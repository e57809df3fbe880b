"""The seed content in fixtures/diseases.json.

It loads, it is complete, every claim points at a reference, it reads plainly, and it
is written in our own words (no run of 9 words taken from the source documents).
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import resolve
from textstat.textstat import textstatistics

from apps.diseases.models import (
    Article,
    ArticleReference,
    Comparison,
    Disease,
    GlossaryTerm,
    Reference,
)

SOURCES = Path(settings.BASE_DIR).parent / "shared" / "sources"
CITATION = re.compile(r"\[(\d+)\](?!\()")

# Other apps (the checklists) link to these articles by primary key.
PLANNED_ARTICLES = {
    1: ("als", "what-is-als"),
    2: ("als", "motor-neurons"),
    3: ("als", "sporadic-and-familial"),
    4: ("als", "limb-and-bulbar-onset"),
    5: ("als", "first-signs"),
    6: ("als", "how-als-is-diagnosed"),
    7: ("als", "approved-treatments"),
    8: ("als", "multidisciplinary-care"),
    9: ("als", "breathing-and-swallowing"),
    10: ("als", "voice-banking-and-communication"),
    11: ("als", "clinical-trials"),
    12: ("als", "outlook"),
    13: ("als", "stages-of-als"),
    14: ("ms", "what-is-ms"),
    15: ("ms", "relapsing-and-progressive-ms"),
    16: ("ms", "ms-vs-als"),
    17: ("ms", "ms-treatment"),
    18: ("parkinsons", "what-is-parkinsons"),
    19: ("parkinsons", "parkinsons-vs-als"),
}

REQUIRED_TERMS = [
    "fasciculations",
    "bulbar",
    "emg",
    "motor-neuron",
    "upper-motor-neuron",
    "lower-motor-neuron",
    "atrophy",
    "spasticity",
    "dysarthria",
    "dysphagia",
    "riluzole",
    "edaravone",
    "tofersen",
    "feeding-tube",
    "niv",
    "bipap",
    "aac",
    "voice-banking",
    "pseudobulbar-affect",
    "frontotemporal-dementia",
    "c9orf72",
    "sod1",
    "myelin",
    "relapse",
    "mri",
    "lumbar-puncture",
    "kings-staging",
    "multidisciplinary-clinic",
    "palliative-care",
    "clinical-trial",
]


@pytest.fixture
def content(db):
    call_command("loaddata", "diseases", verbosity=0)


def plain_text(markdown: str) -> str:
    """The words a reader reads: no citations, link targets or Markdown marks."""
    text = CITATION.sub("", markdown)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    # A heading is read as a sentence of its own.
    text = re.sub(r"^#+\s*(.*)$", r"\1.", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", text, flags=re.MULTILINE)
    return re.sub(r"[*_`>#]", "", text)


def reading_grade(text: str) -> float:
    # 'en-US' rather than the default 'en_US': textstat then counts syllables with
    # pyphen's bundled patterns instead of downloading NLTK's CMU dictionary.
    stats = textstatistics()
    stats.set_lang("en-US")
    return stats.flesch_kincaid_grade(text)


def word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9']+", text))


def test_fixture_loads_everything_published(content):
    assert list(Disease.objects.published().values_list("slug", flat=True)) == [
        "als",
        "ms",
        "parkinsons",
    ]
    assert Article.objects.published().count() >= 15
    assert Article.objects.exclude(status=Article.Status.PUBLISHED).count() == 0
    assert GlossaryTerm.objects.count() >= 25
    assert set(Comparison.objects.published().values_list("slug", flat=True)) == {
        "als-vs-ms",
        "als-vs-parkinsons",
    }


def test_fixture_loads_twice_without_duplicates(content):
    counts = (Article.objects.count(), Reference.objects.count())
    call_command("loaddata", "diseases", verbosity=0)
    assert (Article.objects.count(), Reference.objects.count()) == counts


def test_articles_have_the_planned_keys_and_a_review_due(content):
    articles = {a.pk: a for a in Article.objects.select_related("disease")}
    for pk, (disease, slug) in PLANNED_ARTICLES.items():
        assert (articles[pk].disease.slug, articles[pk].slug) == (disease, slug)
    for article in articles.values():
        # Seed content has never been clinically reviewed: no invented reviewer
        # and no "last reviewed" date, only the date a first review is due.
        assert article.reviewed_by_id is None and article.last_reviewed is None
        assert article.next_review
        assert 0 < len(article.summary) <= 400


def test_articles_are_a_comfortable_length_with_subheadings(content):
    for article in Article.objects.all():
        body = article.body
        assert 250 <= word_count(plain_text(body)) <= 700, article.slug
        assert re.search(r"^## ", body, flags=re.MULTILINE), article.slug
        # The page already has the title as its only h1.
        assert not re.search(r"^# ", body, flags=re.MULTILINE), article.slug


def test_every_citation_has_a_reference_and_every_reference_is_cited(content):
    orders = Counter()
    for link in ArticleReference.objects.all():
        orders[link.article_id, link.order] += 1
    for article in Article.objects.prefetch_related("citations"):
        cited = [int(n) for n in CITATION.findall(article.body)]
        listed = sorted(link.order for link in article.citations.all())
        assert listed, f"{article.slug} has no references"
        assert listed == list(range(1, len(listed) + 1)), article.slug
        assert set(cited) == set(listed), article.slug
        # Notes are numbered in the order a reader first meets them.
        first_seen = list(dict.fromkeys(cited))
        assert first_seen == sorted(first_seen), article.slug


def test_every_reference_backs_some_content(content):
    used = set(ArticleReference.objects.values_list("reference_id", flat=True))
    used |= set(GlossaryTerm.objects.values_list("reference_id", flat=True))
    for column in ("rows__first_reference_id", "rows__second_reference_id"):
        used |= set(Comparison.objects.values_list(column, flat=True).distinct())
    assert set(Reference.objects.values_list("pk", flat=True)) <= used
    for reference in Reference.objects.all():
        assert reference.title and reference.publisher, reference.pk


def test_comparisons_have_eight_to_twelve_referenced_rows(content):
    pairs = {
        "als-vs-ms": ("als", "ms"),
        "als-vs-parkinsons": ("als", "parkinsons"),
    }
    for comparison in Comparison.objects.select_related(
        "first_disease", "second_disease"
    ).prefetch_related("rows"):
        assert (
            comparison.first_disease.slug,
            comparison.second_disease.slug,
        ) == pairs[comparison.slug]
        assert comparison.introduction
        rows = list(comparison.rows.all())
        assert 8 <= len(rows) <= 12, comparison.slug
        assert all(row.first_value and row.second_value for row in rows)
        assert all(row.first_reference_id for row in rows), comparison.slug
        assert all(row.second_reference_id for row in rows), comparison.slug


def test_glossary_explains_the_words_readers_meet(content):
    slugs = set(GlossaryTerm.objects.values_list("slug", flat=True))
    assert not set(REQUIRED_TERMS) - slugs
    forms = Counter()
    for term in GlossaryTerm.objects.all():
        assert term.definition.strip(), term.term
        forms.update(
            f.strip().lower() for f in [term.term, *term.also_matches.split(",")]
        )
    forms.pop("", None)
    # One form links to one term only.
    assert [form for form, n in forms.items() if n > 1] == []
    for term in GlossaryTerm.objects.select_related("related_article__disease"):
        if term.related_article is not None:
            assert term.related_article.is_public, term.term


def test_links_between_pages_lead_somewhere(content):
    targets = {
        ("diseases:article_detail", (a.disease.slug, a.slug))
        for a in Article.objects.published().select_related("disease")
    }
    targets |= {
        ("diseases:comparison_detail", (c.slug,))
        for c in Comparison.objects.published()
    }
    for article in Article.objects.all():
        for url in re.findall(r"\]\((/[^)\s]*)\)", article.body):
            match = resolve(url)
            if match.namespace == "diseases":
                key = (match.view_name, tuple(match.kwargs.values()))
                assert key in targets, (article.slug, url)


def test_articles_read_plainly(content):
    grades = {
        article.slug: reading_grade(plain_text(article.body))
        for article in Article.objects.all()
    }
    assert sum(grades.values()) / len(grades) <= 9
    assert max(grades.values()) <= 10, grades


@pytest.mark.skipif(not SOURCES.is_dir(), reason="source documents not available")
def test_no_run_of_nine_words_is_copied_from_the_sources():
    word = re.compile(r"[a-z0-9']+")

    def shingles(text):
        words = word.findall(text.lower())
        return {" ".join(words[i : i + 9]) for i in range(len(words) - 8)}

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict | list):
            for item in value.values() if isinstance(value, dict) else value:
                yield from strings(item)

    source = set()
    for path in SOURCES.glob("*.txt"):
        source |= shingles(path.read_text(errors="ignore"))
    fixture = Path(settings.BASE_DIR) / "fixtures" / "diseases.json"
    raw = fixture.read_text(encoding="utf-8")
    # The file as the copy check reads it, and each text as a reader sees it.
    copied = shingles(raw) & source
    for text in strings(json.loads(raw)):
        copied |= shingles(text) & source
    assert sorted(copied) == []

"""Seed content for disease information: the fixture, then derived values; and, for
the demo only, something for editors to practise on.

The seed content itself ships unsigned ("Not yet clinically reviewed"). The demo
signs a few articles with a plainly fictional reviewer, and leaves a draft, an
article changed since its sign-off and one overdue for review.
"""

import datetime

from django.utils import timezone

from apps.accounts.demo import DEMO_REVIEWER_EMAIL
from apps.accounts.models import User
from apps.core.signoff import sign_off
from apps.core.translated_content import apply_translation

from .models import Article, Comparison, Disease, GlossaryTerm, Reference

FIXTURES = ["diseases.json"]
# The Spanish texts of the fixture's content (see apps.core.translated_content).
SPANISH = "diseases.json"

DEMO_REVIEWER_NAME = "Dr. Demo Reviewer"
DEMO_REVIEWER_CREDENTIALS = "MD (fictional reviewer, demo data only)"
PRACTICE_DRAFT_SLUG = "practice-draft"
CHANGED_SENTENCE = "Bring your questions about this page to your next clinic visit."


def prepare_content() -> None:
    """Values worked out from the seed content (also used by the tests)."""
    # loaddata stores rows as they are, without Article.save(), so the reading
    # grade is worked out here for any article that has none.
    for article in Article.objects.filter(reading_grade__isnull=True):
        article.save(update_fields=["body"])


def load_spanish() -> dict[str, int]:
    """The Spanish texts of the seed content, over the loaded fixture."""
    return apply_translation(
        "es",
        SPANISH,
        {
            "diseases": lambda slug: Disease.objects.get(slug=slug),
            "articles": lambda key: Article.objects.get(
                disease__slug=key.split("/")[0], slug=key.split("/")[1]
            ),
            "comparisons": lambda slug: Comparison.objects.get(slug=slug),
            "rows": lambda comparison, order: comparison.rows.get(order=int(order)),
            "glossary": lambda slug: GlossaryTerm.objects.get(slug=slug),
        },
        Reference,
    )


def seed(*, stdout) -> None:
    spanish = load_spanish()
    prepare_content()
    add_practice_content()
    stdout.write(
        f"  disease information: {Disease.objects.published().count()} diseases, "
        f"{Article.objects.published().count()} published articles, "
        f"{GlossaryTerm.objects.count()} glossary terms; for editors to practise on: "
        f"a draft, an article changed since review and one overdue for review; "
        f"in Spanish: {spanish.get('articles', 0)} articles, "
        f"{spanish.get('glossary', 0)} glossary terms"
    )


def _sign(article: Article, reviewer: User, next_review: datetime.date) -> None:
    sign_off(
        obj=article,
        reviewer=reviewer,
        name=DEMO_REVIEWER_NAME,
        credentials=DEMO_REVIEWER_CREDENTIALS,
        next_review=next_review,
    )


def add_practice_content() -> None:
    """The first published ALS articles: two signed off, then one changed since its
    sign-off and one overdue for review; and a practice draft."""
    reviewer = User.objects.filter(email=DEMO_REVIEWER_EMAIL).first()
    als = Disease.objects.filter(slug="als").first()
    if reviewer is None or als is None:
        return
    today = timezone.localdate()
    articles = list(
        als.articles.filter(status=Article.Status.PUBLISHED)
        .exclude(slug=PRACTICE_DRAFT_SLUG)
        .order_by("order", "pk")[:4]
    )
    for article in articles:
        # Run again, the demo starts from the same signed text.
        article.body = article.body.replace("\n\n" + CHANGED_SENTENCE, "")
        article.save(update_fields=["body"])
        _sign(article, reviewer, today + datetime.timedelta(days=365))
    if len(articles) == 4:
        changed, overdue = articles[2], articles[3]
        changed.body += "\n\n" + CHANGED_SENTENCE
        changed.save(update_fields=["body"])
        Article.objects.filter(pk=overdue.pk).update(
            last_reviewed=today - datetime.timedelta(days=400),
            next_review=today - datetime.timedelta(days=35),
        )
    Article.objects.update_or_create(
        disease=als,
        slug=PRACTICE_DRAFT_SLUG,
        defaults={
            "title": "Practice draft: try the editing steps here",
            "summary": "A draft for trying out editing, preview, sign-off and "
            "publishing. The public never sees it while it is a draft.",
            "body": "This draft is here so you can practise. Change a word, save, "
            "and open the preview. Then look at the History page to see your "
            "change.",
            "section": Article.Section.LIVING,
            "order": 99,
            "status": Article.Status.DRAFT,
        },
    )

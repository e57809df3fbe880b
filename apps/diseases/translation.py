"""Which disease-content fields are written in each language (django-modeltranslation).

Each field listed here gets a column per language (``title_en``, ``title_es``) on the
same table; reading ``title`` gives the active language's text, or the English when
there is no Spanish yet (see apps.core.translated for how pages say so).
"""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    Article,
    Comparison,
    ComparisonRow,
    Disease,
    GlossaryTerm,
    OverdueArticle,
    Reference,
)


@register(Disease)
class DiseaseTranslation(TranslationOptions):
    fields = ("name", "short_name", "also_known_as", "summary")


@register(Reference)
class ReferenceTranslation(TranslationOptions):
    fields = ("title",)


@register(Article)
class ArticleTranslation(TranslationOptions):
    fields = ("title", "summary", "body")


@register(OverdueArticle)
class OverdueArticleTranslation(TranslationOptions):
    """The same table, listed apart in the admin: registered so its admin can show
    both languages (a proxy gets no columns of its own)."""

    fields = ()


@register(Comparison)
class ComparisonTranslation(TranslationOptions):
    fields = ("title", "introduction")


@register(ComparisonRow)
class ComparisonRowTranslation(TranslationOptions):
    fields = ("feature", "first_value", "second_value")


@register(GlossaryTerm)
class GlossaryTermTranslation(TranslationOptions):
    fields = ("term", "definition", "also_matches")

"""Which directory fields are written in each language (django-modeltranslation):
the names of the care-service types, and the other words people use for them,
which the Spanish directory search matches (apps.directory.spanish_terms)."""

from modeltranslation.translator import TranslationOptions, register

from .models import TaxonomyTerm


@register(TaxonomyTerm)
class TaxonomyTermTranslation(TranslationOptions):
    fields = ("name", "description", "also_called")

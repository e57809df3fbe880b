"""Which checklist fields are written in each language (django-modeltranslation):
everything a reader sees of a stage and an item."""

from modeltranslation.translator import TranslationOptions, register

from .models import ChecklistItem, Stage


@register(Stage)
class StageTranslation(TranslationOptions):
    fields = ("title", "description", "clinical_mapping")


@register(ChecklistItem)
class ChecklistItemTranslation(TranslationOptions):
    fields = ("title", "guidance", "why_it_matters")

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "apps.directory"
    label = "directory"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import personal_data  # noqa: F401 (registers the data export sections)
        from .models import TaxonomyTerm
        from .taxonomy import forget_taxonomy

        # Workers keep what searches read of the terms (taxonomy.py).
        post_save.connect(forget_taxonomy, sender=TaxonomyTerm)
        post_delete.connect(forget_taxonomy, sender=TaxonomyTerm)

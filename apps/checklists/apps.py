from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "apps.checklists"
    label = "checklists"

    def ready(self):
        from . import personal_data  # noqa: F401 (registers the data export sections)

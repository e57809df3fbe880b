from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "apps.directory"
    label = "directory"

    def ready(self):
        from . import personal_data  # noqa: F401 (registers the data export sections)

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self):
        # The sign-in receiver that puts the account's language in the cookie.
        from . import languages  # noqa: F401

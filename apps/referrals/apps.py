from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "apps.referrals"
    label = "referrals"

    def ready(self):
        from . import personal_data  # noqa: F401 (registers the data export sections)

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load the seed content and the demo accounts and data, so every role can be "
        "tried at once. Each app of CareNav that has a demo module adds its part, in "
        "the order of INSTALLED_APPS. Safe to run again. Refuses to run unless "
        "DJANGO_DEBUG=1: the demo accounts share a published password."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DJANGO_DEBUG=1: demo accounts have a "
                "published password and must never exist in production."
            )
        modules = []
        for app_config in apps.get_app_configs():
            if not app_config.name.startswith("apps."):
                continue
            try:
                modules.append(import_module(f"{app_config.name}.demo"))
            except ModuleNotFoundError as error:
                if error.name != f"{app_config.name}.demo":
                    raise
        with transaction.atomic():
            for module in modules:
                for fixture in getattr(module, "FIXTURES", []):
                    call_command("loaddata", fixture, verbosity=0)
                    self.stdout.write(f"  loaded {fixture}")
                module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

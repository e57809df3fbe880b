from django.core.management.base import BaseCommand, CommandError

from apps.checklists.content_check import current_item_problems


class Command(BaseCommand):
    help = (
        "Check every checklist item in use the way the test suite does: each "
        "medical paragraph of its guidance and 'why it matters' cites one of its "
        "numbered sources, and every source it lists has a specific URL (not a "
        "home page) and an access date. The rule for what is medical is the disease "
        "pages' one (apps/diseases/content_check.py). Retired items are skipped. "
        "Exits with an error when anything is found."
    )

    def handle(self, *args, **options):
        problems = current_item_problems()
        for place, found in problems.items():
            self.stdout.write(place)
            for problem in found:
                self.stdout.write(f"  - {problem}")
        count = sum(len(found) for found in problems.values())
        if count:
            raise CommandError(f"{count} problem(s) in {len(problems)} item(s).")
        self.stdout.write("Checklists: every medical claim of every item is cited.")

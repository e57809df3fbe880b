from django.core.management.base import BaseCommand, CommandError

from apps.diseases.content_check import published_content_problems


class Command(BaseCommand):
    help = (
        "Check the published disease content the way the test suite does: every "
        "medical paragraph of a published article and every comparison cell must "
        "cite a source, and every cited source needs a title, publisher, a specific "
        "URL (not a home page) and an access date. What counts as a medical "
        "paragraph is documented in apps/diseases/content_check.py. Exits with an "
        "error when anything is found, so it can run before publishing."
    )

    def handle(self, *args, **options):
        problems = published_content_problems()
        for place, found in problems.items():
            self.stdout.write(place)
            for problem in found:
                self.stdout.write(f"  - {problem}")
        count = sum(len(found) for found in problems.values())
        if count:
            raise CommandError(f"{count} problem(s) in {len(problems)} place(s).")
        self.stdout.write("Published content: every medical claim is cited.")

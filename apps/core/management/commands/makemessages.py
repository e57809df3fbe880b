"""Django's makemessages, with each source file sent to the catalogue that owns it.

Two catalogues are kept, so that the pages of the public site and the pages of
casework and the directory can be translated side by side without editing the
same file: locale/ (the project's own) and apps/referrals/locale/ (the
directory, casework, provider and report pages). Django alone would put a
template of templates/referrals/ in locale/, since only the folder a file sits
in decides; here the owning area decides.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.commands import makemessages

# Folders (from the project root) whose strings live in apps/referrals/locale/.
WORK_AREA = (
    "apps/directory",
    "apps/referrals",
    "templates/directory",
    "templates/referrals",
)
# Never scanned: installed packages, front-end tools and generated files.
NOT_SOURCE = [".venv", ".ci", "node_modules", "staticfiles", "test-artifacts", "bench"]


def catalogue_for(path: Path) -> Path:
    """The locale folder that keeps the strings of the source file at `path`."""
    relative = path.resolve().relative_to(settings.BASE_DIR).as_posix()
    if (
        relative.startswith(tuple(f"{area}/" for area in WORK_AREA))
        or relative in WORK_AREA
    ):
        return settings.BASE_DIR / "apps/referrals/locale"
    return settings.BASE_DIR / "locale"


class Command(makemessages.Command):
    help = (
        "Django's makemessages, sending the strings of the directory and casework "
        "(apps/directory, apps/referrals and their templates) to "
        "apps/referrals/locale/ and every other string to locale/."
    )

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *NOT_SOURCE]
        for catalogue in {
            catalogue_for(settings.BASE_DIR / area) for area in WORK_AREA
        } | {settings.BASE_DIR / "locale"}:
            catalogue.mkdir(parents=True, exist_ok=True)
        return super().handle(*args, **options)

    def find_files(self, root):
        files = super().find_files(root)
        for translatable in files:
            translatable.locale_dir = str(catalogue_for(Path(translatable.path)))
        return files

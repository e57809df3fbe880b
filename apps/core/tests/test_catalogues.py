"""The Spanish catalogues: complete, consistent, and compiled as committed.

The compiled .mo files are committed so that running the site and the tests needs
no gettext; these tests catch a .po edited without `make messages` afterwards.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = sorted(
    path
    for pattern in ("locale/*/LC_MESSAGES/*.po", "apps/*/locale/*/LC_MESSAGES/*.po")
    for path in Path(settings.BASE_DIR).glob(pattern)
)
# %(name)s and %s-style placeholders, as Python's % operator reads them.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]")


def ids(path: Path) -> str:
    return path.relative_to(settings.BASE_DIR).as_posix()


def translations(entries) -> dict:
    """(context, message id, plural id) -> the translated forms, for entries in use."""
    table = {}
    for entry in entries:
        if not entry.msgid or entry.obsolete or "fuzzy" in entry.flags:
            continue
        forms = (
            tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
            if entry.msgid_plural
            else (entry.msgstr,)
        )
        table[(entry.msgctxt, entry.msgid, entry.msgid_plural)] = forms
    return table


def test_the_project_catalogue_is_found():
    assert Path(settings.BASE_DIR, "locale/es/LC_MESSAGES/django.po") in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=ids)
def test_committed_mo_matches_its_po(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{ids(mo_path)} is missing: run `make messages`"
    expected = translations(polib.pofile(str(po_path)))
    compiled = translations(polib.mofile(str(mo_path)))
    stale = {
        key
        for key in expected.keys() | compiled.keys()
        if expected.get(key) != compiled.get(key)
    }
    assert not stale, (
        f"{ids(mo_path)} is out of date: run `make messages` ({len(stale)} differ)"
    )


@pytest.mark.parametrize("po_path", CATALOGUES, ids=ids)
def test_every_string_is_translated(po_path):
    catalogue = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated and not fuzzy, (untranslated + fuzzy)[:10]


@pytest.mark.parametrize("po_path", CATALOGUES, ids=ids)
def test_translations_keep_the_placeholders(po_path):
    """A lost or misspelt %(name)s would raise, or show the raw text, on the page."""
    wrong = []
    for entry in polib.pofile(str(po_path)).translated_entries():
        forms = (
            [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
        )
        wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for form in forms:
            found = sorted(PLACEHOLDER.findall(form))
            # A singular form may leave out the count ("one answer").
            if found != wanted and not (
                entry.msgid_plural and set(found) <= set(wanted)
            ):
                wrong.append((entry.msgid, form))
    assert not wrong, wrong[:10]

"""Seed content in a second language, kept beside the English fixtures.

``fixtures/translations/<language>/<name>.json`` holds the texts, in that
language, of objects that the English fixture ``fixtures/<name>.json`` creates.
Objects are named by their slugs ("als/what-is-als"), not by primary key, so the
file reads on its own and survives renumbering. Each app's demo module applies
its own file after loading its fixture (see seed_demo), and the tests load both
the same way.

A translation never changes the English: it fills the ``<field>_<language>``
columns of django-modeltranslation. It may add sources that only the translated
text cites (a page in Spanish where one exists), each at an explicit citation
number after the English ones; a number already taken by another source is an
error, never overwritten. The seed ships without a reviewer in either language.
"""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from modeltranslation.utils import build_localized_fieldname


class TranslationError(Exception):
    """The translation file does not match the content it translates."""


def translation_file(language: str, name: str) -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "translations" / language / name


def read_translation(language: str, name: str) -> dict:
    return json.loads(translation_file(language, name).read_text(encoding="utf-8"))


def set_texts(obj, language: str, texts: dict[str, str]) -> None:
    """Store one object's translated fields (only those), through its save()."""
    columns = []
    for field, text in texts.items():
        column = build_localized_fieldname(field, language)
        if not any(f.name == column for f in obj._meta.concrete_fields):
            raise TranslationError(
                f"{obj._meta.label} has no translated field {field!r} ({column})"
            )
        setattr(obj, column, text)
        columns.append(column)
    obj.save(update_fields=columns)


def add_references(entries: list[dict], reference_model) -> dict[str, object]:
    """The sources the translations add, created once each, keyed by URL.

    A source in another language has one title, its own, in every language.
    """
    found = {}
    for entry in entries:
        title = entry["title"]
        reference, _ = reference_model.objects.update_or_create(
            url=entry["url"],
            defaults={
                **{
                    build_localized_fieldname("title", code): title
                    for code, _ in settings.LANGUAGES
                },
                "publisher": entry["publisher"],
                "accessed": entry["accessed"],
            },
        )
        found[reference.url] = reference
    return found


def add_sources(obj, sources: dict[str, str], references: dict[str, object]) -> None:
    """Number the sources a translated text adds to ``obj``'s citations.

    ``sources`` maps a citation number to a source's URL: those of
    ``references`` (added by the translation) or of a source already stored.
    """
    citation_model = obj.citations.model
    reference_model = citation_model._meta.get_field("reference").related_model
    owner = next(
        field.name
        for field in citation_model._meta.concrete_fields
        if field.is_relation and isinstance(obj, field.related_model)
    )
    for number, url in sources.items():
        reference = references.get(url)
        if reference is None:
            reference = reference_model.objects.filter(url=url).first()
        if reference is None:
            raise TranslationError(f"{obj}: no source with the URL {url}")
        existing = obj.citations.filter(order=int(number)).first()
        if existing is not None and existing.reference_id != reference.pk:
            raise TranslationError(
                f"{obj}: citation [{number}] is already {existing.reference}"
            )
        if existing is None:
            citation_model.objects.create(
                **{owner: obj}, reference=reference, order=int(number)
            )


@transaction.atomic
def apply_translation(
    language: str, name: str, targets: dict, reference_model
) -> dict[str, int]:
    """Apply one translation file.

    ``targets`` maps each section of the file to a function that finds the object
    a key names (raising DoesNotExist if there is none). Each entry holds the
    translated fields, and optionally ``sources`` (see add_sources) and
    ``children`` (a section name -> its own entries, found by the function
    ``targets[section]`` given the parent and the key). Returns how many objects
    of each section were translated.
    """
    data = read_translation(language, name)
    references = add_references(data.get("references", []), reference_model)
    counts = {}

    def apply(section: str, entries: dict, parent=None) -> None:
        find = targets[section]
        for key, entry in entries.items():
            texts = dict(entry)
            sources = texts.pop("sources", {})
            children = texts.pop("children", {})
            obj = find(key) if parent is None else find(parent, key)
            if texts:
                set_texts(obj, language, texts)
            if sources:
                add_sources(obj, sources, references)
            counts[section] = counts.get(section, 0) + 1
            for child_section, child_entries in children.items():
                apply(child_section, child_entries, obj)

    for section, entries in data.items():
        if section != "references":
            apply(section, entries)
    return counts

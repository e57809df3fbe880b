"""Data migrations of the checklists, run against rows made by factories."""

import importlib

import pytest
from django.apps import apps

from .factories import ChecklistItemFactory, StageFactory

pytestmark = pytest.mark.django_db


def test_genetic_counselling_is_shown_to_everyone_after_the_migration(als, ms):
    migration = importlib.import_module(
        "apps.checklists.migrations.0009_genetic_counselling_for_everyone"
    )
    stage = StageFactory(disease=als)
    genetics = ChecklistItemFactory(
        stage=stage, slug="talk-to-a-genetic-counselor", only_with_family_history=True
    )
    other = ChecklistItemFactory(stage=stage, only_with_family_history=True)
    ms_item = ChecklistItemFactory(
        stage=StageFactory(disease=ms),
        slug="talk-to-a-genetic-counselor",
        only_with_family_history=True,
    )
    migration.show_to_everyone(apps, None)
    genetics.refresh_from_db()
    other.refresh_from_db()
    ms_item.refresh_from_db()
    assert not genetics.only_with_family_history
    # Only the ALS steps the rule is about change.
    assert other.only_with_family_history
    assert ms_item.only_with_family_history

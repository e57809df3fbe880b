from importlib import import_module

import pytest
from django.apps import apps

from apps.accounts.models import PatientProfile
from apps.core.tests.conftest import (  # noqa: F401 (browser fixtures and hook)
    browser,
    new_page,
    page,
    pytest_runtest_makereport,
)
from apps.directory.tests.factories import TaxonomyTermFactory

from .checklist_pages import (
    months_ago,
)
from .factories import (
    ArticleFactory,
    ChecklistItemFactory,
    DiseaseFactory,
    StageFactory,
)


@pytest.fixture
def content_editor(content_editor):
    """The shared content editor, with the permissions of the data migration.

    Tests that flush the database (browser tests with a live server) also remove
    rows that migrations wrote; granting again keeps these tests independent of
    the order they run in.
    """
    migration = import_module(
        "apps.checklists.migrations.0004_content_editor_permissions"
    )
    migration.grant(apps, None)
    return content_editor


@pytest.fixture
def als(db):
    return DiseaseFactory(slug="als", short_name="ALS", order=1)


@pytest.fixture
def ms(db):
    return DiseaseFactory(
        slug="ms", name="Multiple sclerosis", short_name="MS", order=2
    )


@pytest.fixture
def als_stages(als):
    """A small ALS path: before diagnosis, just diagnosed, and a later stage."""
    return [
        StageFactory(
            disease=als, order=1, slug="getting-answers", title="Getting answers"
        ),
        StageFactory(
            disease=als,
            order=2,
            slug="just-diagnosed",
            title="Just diagnosed",
            suggested_from_month=0,
        ),
        StageFactory(
            disease=als,
            order=3,
            slug="planning-ahead",
            title="Planning ahead",
            suggested_from_month=12,
        ),
    ]


@pytest.fixture
def clinic_term(db):
    return TaxonomyTermFactory(code="als-clinic", name="ALS clinic")


@pytest.fixture
def items(als_stages, clinic_term):
    """One item of each kind the personalisation knows about."""
    answers, diagnosed, planning = als_stages
    article = ArticleFactory(disease=answers.disease, slug="clinics", title="Clinics")
    return {
        "diary": ChecklistItemFactory(stage=answers, order=1, title="Keep a diary"),
        "clinic": ChecklistItemFactory(
            stage=diagnosed,
            order=1,
            title="Join an ALS clinic",
            timing="due_within",
            timing_months=3,
            related_article=article,
            service_types=[clinic_term],
        ),
        "family_only": ChecklistItemFactory(
            stage=diagnosed,
            order=2,
            title="Share the family history with relatives",
            only_with_family_history=True,
        ),
        "voice": ChecklistItemFactory(
            stage=planning,
            order=1,
            title="Bank your voice",
            sooner_for_onset_site="bulbar",
        ),
        "falls": ChecklistItemFactory(
            stage=planning,
            order=2,
            title="Plan to prevent falls",
            sooner_for_onset_site="limb",
        ),
        "trials": ChecklistItemFactory(
            stage=planning,
            order=3,
            title="Look for trials",
            timing="window_closes",
            timing_months=24,
            timing_from="first_symptoms",
        ),
    }


def set_profile(user, **fields) -> PatientProfile:
    profile, _ = PatientProfile.objects.update_or_create(user=user, defaults=fields)
    return profile


# The checklist page tests' (test_views*.py) ---


@pytest.fixture
def bulbar_patient(patient):
    """The issue's example: bulbar onset, family history, diagnosed 20 months ago."""
    set_profile(
        patient,
        disease="als",
        onset_site="bulbar",
        family_history="yes",
        diagnosis_date=months_ago(20),
        zip_code="02114",
    )
    return patient

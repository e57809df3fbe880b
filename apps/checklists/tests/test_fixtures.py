"""The seed checklists in fixtures/checklists.json: they load, and the content holds up.

Loaded the way seed_demo and a fresh install load them: after the taxonomy and the
disease content they point at.
"""

import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.accounts.models import PatientProfile
from apps.checklists.models import ChecklistItem, Stage
from apps.checklists.personalise import applies_to, suggest_stage

ALS_STAGES = [
    "getting-answers",
    "just-diagnosed",
    "planning-ahead",
    "staying-independent",
    "nutrition-support",
    "breathing-support",
    "comfort-and-end-of-life",
]
MS_STAGES = ["diagnosis", "starting-treatment", "living-with-ms", "relapse-plan"]

# Every profile a patient can have, as far as items are concerned.
PROFILES = [
    SimpleNamespace(disease=disease, onset_site=onset, family_history=family)
    for disease in ("als", "ms")
    for onset in PatientProfile.OnsetSite.values
    for family in PatientProfile.FamilyHistory.values
]

SHINGLE = 9  # words: the project's limit for text repeated from a source
SOURCES = Path(settings.BASE_DIR).parent / "shared" / "sources"


@pytest.fixture
def checklists(db):
    call_command("loaddata", "taxonomy", "diseases", "checklists", verbosity=0)


def current_items(disease_slug):
    return (
        ChecklistItem.objects.current()
        .filter(stage__disease__slug=disease_slug)
        .select_related("stage__disease", "related_article__disease")
        .prefetch_related("service_types")
    )


def test_als_has_its_seven_stages_in_order(checklists):
    stages = Stage.objects.filter(disease__slug="als")

    assert [s.slug for s in stages] == ALS_STAGES
    assert [s.order for s in stages] == list(range(1, 8))
    for stage in stages:
        assert stage.title and stage.description
        # Mapped to King's staging so the content stays clinically anchored.
        assert "King's" in stage.clinical_mapping


def test_ms_has_its_four_stages_in_order(checklists):
    stages = Stage.objects.filter(disease__slug="ms")

    assert [s.slug for s in stages] == MS_STAGES
    assert [s.order for s in stages] == list(range(1, 5))
    assert all(s.title and s.description for s in stages)


# ALS: the first month after a diagnosis and the planning stage carry the most steps;
# the stages that follow an event (breathing support) are shorter.
@pytest.mark.parametrize(
    ("disease_slug", "low", "high"), [("als", 5, 13), ("ms", 5, 8)]
)
def test_every_stage_has_enough_items_for_every_profile(
    checklists, disease_slug, low, high
):
    by_stage = defaultdict(list)
    for item in current_items(disease_slug):
        by_stage[item.stage.slug].append(item)

    for stage_slug, items in by_stage.items():
        assert low <= len(items) <= high, stage_slug
        assert sorted(i.order for i in items) == list(range(1, len(items) + 1))
        # Hiding the items that are not for someone never leaves a thin stage.
        for profile in PROFILES:
            if profile.disease == disease_slug:
                shown = [i for i in items if applies_to(i, profile)]
                assert low <= len(shown) <= high, (stage_slug, profile)
    expected = ALS_STAGES if disease_slug == "als" else MS_STAGES
    assert set(by_stage) == set(expected)


@pytest.mark.parametrize(
    ("disease_slug", "diagnosed", "expected"),
    [
        ("als", None, "getting-answers"),
        ("als", date(2026, 5, 20), "just-diagnosed"),
        ("als", date(2026, 2, 1), "planning-ahead"),  # about 4 months
        ("als", date(2024, 10, 1), "staying-independent"),  # about 20 months
        ("ms", None, "diagnosis"),
        ("ms", date(2026, 5, 20), "starting-treatment"),
        ("ms", date(2025, 6, 1), "living-with-ms"),
    ],
)
def test_stages_are_suggested_by_time_since_diagnosis(
    checklists, disease_slug, diagnosed, expected
):
    stages = Stage.objects.filter(disease__slug=disease_slug)

    suggested = suggest_stage(stages, diagnosis_date=diagnosed, today=date(2026, 6, 1))

    assert suggested.slug == expected
    # Stages that follow events (a feeding tube, breathing support, a relapse) are
    # chosen by the patient, never suggested by the calendar.
    assert {s.slug for s in stages if s.suggested_from_month is None} == (
        {"getting-answers", *ALS_STAGES[4:]}
        if disease_slug == "als"
        else {"diagnosis", "relapse-plan"}
    )


def test_items_are_complete_and_link_their_own_disease(checklists):
    items = list(current_items("als")) + list(current_items("ms"))

    assert items
    for item in items:
        assert item.title and item.guidance and item.why_it_matters, item.slug
        assert 1 <= len(item.service_types.all()) <= 3, item.slug
        assert item.related_article is not None, item.slug
        assert item.related_article.disease_id == item.stage.disease_id, item.slug
        # Timing and its number of months come together (the database checks it).
        assert (item.timing == "") == (item.timing_months is None), item.slug


def test_personalised_and_timed_items_exist(checklists):
    als = current_items("als")

    voice = als.get(stage__slug="planning-ahead", slug="bank-your-voice")
    # For everyone with ALS; listed first for bulbar onset.
    assert voice.sooner_for_onset_site == ChecklistItem.OnsetSite.BULBAR
    assert voice.timing == ChecklistItem.Timing.DUE_WITHIN
    assert voice.related_article.slug == "voice-banking-and-communication"

    genetics = als.get(stage__slug="just-diagnosed", slug="talk-to-a-genetic-counselor")
    assert not genetics.only_with_family_history
    assert {t.code for t in genetics.service_types.all()} == {"genetic-counselling"}

    trials = als.get(slug="look-for-clinical-trials")
    assert (trials.timing, trials.timing_months, trials.timing_from) == (
        ChecklistItem.Timing.WINDOW_CLOSES,
        24,
        ChecklistItem.TimingFrom.FIRST_SYMPTOMS,
    )
    assert "each trial sets its own" in trials.guidance.lower()
    assert {t.code for t in trials.service_types.all()} >= {"clinical-trials"}

    clinic = als.get(slug="join-an-als-clinic")
    assert (clinic.timing, clinic.timing_months, clinic.timing_from) == (
        ChecklistItem.Timing.DUE_WITHIN,
        3,
        ChecklistItem.TimingFrom.DIAGNOSIS,
    )

    # Items that often come sooner for one onset site: speech, saliva; falls, hands.
    assert als.filter(sooner_for_onset_site=ChecklistItem.OnsetSite.BULBAR).count() >= 3
    assert als.filter(sooner_for_onset_site=ChecklistItem.OnsetSite.LIMB).count() >= 2
    # MS has no onset-site rules: those are an ALS idea.
    assert not current_items("ms").exclude(sooner_for_onset_site="").exists()


def test_no_seed_item_is_hidden_from_anyone_by_family_history(checklists):
    """Genetic counselling and testing are offered to everyone with ALS
    (Roggenbuck et al. 2023), and no other seed step depends on family history."""
    assert not ChecklistItem.objects.filter(only_with_family_history=True).exists()
    no_history = SimpleNamespace(disease="als", onset_site="limb", family_history="no")
    genetics = ChecklistItem.objects.get(slug="talk-to-a-genetic-counselor")
    assert applies_to(genetics, no_history)


@pytest.mark.parametrize(
    ("slug", "stage"),
    [
        # Talked about before they are needed, not in the stage that needs them.
        ("talk-about-a-feeding-tube", "planning-ahead"),
        ("ask-about-niv", "planning-ahead"),
        ("keep-having-breathing-tests", "staying-independent"),
        # Part of the team from diagnosis (NICE NG42, UK guidance).
        ("ask-for-palliative-care", "just-diagnosed"),
        # No five-month wait for SSDI with ALS since 2020.
        ("apply-for-disability-benefits", "just-diagnosed"),
        # At the first change in speech, not a year in.
        ("get-a-communication-device-assessment", "planning-ahead"),
        # Steps the review found missing.
        ("protect-your-job-and-income", "just-diagnosed"),
        ("talk-with-your-children", "just-diagnosed"),
        ("check-thinking-and-behaviour", "planning-ahead"),
        ("keep-your-vaccinations-up-to-date", "planning-ahead"),
        ("carry-an-emergency-card", "planning-ahead"),
        ("ssi-and-medicaid-without-a-work-record", "planning-ahead"),
        ("caregivers-look-after-yourselves", "staying-independent"),
    ],
)
def test_steps_sit_in_the_stage_where_they_are_needed(checklists, slug, stage):
    item = current_items("als").get(slug=slug)
    assert item.stage.slug == stage


def test_emergency_steps_warn_about_oxygen(checklists):
    for slug in ("carry-an-emergency-card", "make-a-breathing-emergency-plan"):
        item = ChecklistItem.objects.get(slug=slug)
        assert "oxygen" in item.guidance.lower()
    plan = ChecklistItem.objects.get(slug="make-a-breathing-emergency-plan")
    assert "emergency card" in plan.guidance


def test_every_item_cites_sources_people_can_open(checklists):
    items = ChecklistItem.objects.current().prefetch_related("citations__reference")
    for item in items:
        citations = list(item.citations.all())
        assert citations, item.slug
        assert [c.order for c in citations] == list(range(1, len(citations) + 1))
        for citation in citations:
            reference = citation.reference
            assert reference.link and reference.accessed, reference.pk
        # Every [n] in the text points at one of the item's sources.
        marks = {
            int(n)
            for text in (item.guidance, item.why_it_matters)
            for n in re.findall(r"\[(\d+)\]", text)
        }
        assert marks <= {c.order for c in citations}, item.slug


def test_sentences_stay_short(checklists):
    """A rough guard on plain language: long sentences are the usual sign of drift."""
    texts = [
        text
        for item in ChecklistItem.objects.all()
        for text in (item.guidance, item.why_it_matters)
    ] + [stage.description for stage in Stage.objects.all()]
    sentences = [s for text in texts for s in re.split(r"(?<=[.!?])\s+", text) if s]
    lengths = [len(s.split()) for s in sentences]

    assert max(lengths) <= 30
    assert sum(lengths) / len(lengths) <= 15


def words(text):
    return re.findall(r"[a-z0-9']+", text.lower())


def shingles(text):
    w = words(text)
    return {" ".join(w[i : i + SHINGLE]) for i in range(len(w) - SHINGLE + 1)}


@pytest.mark.skipif(not SOURCES.is_dir(), reason="source texts are not available")
def test_no_run_of_words_is_copied_from_the_sources(checklists):
    source = set()
    for path in SOURCES.glob("*.txt"):
        source |= shingles(path.read_text(errors="ignore"))
    copied = {}
    for stage in Stage.objects.all():
        copied[stage.slug] = shingles(stage.description) & source
    for item in ChecklistItem.objects.select_related("stage"):
        text = " ".join([item.title, item.guidance, item.why_it_matters])
        copied[f"{item.stage.slug}/{item.slug}"] = shingles(text) & source

    assert {k: v for k, v in copied.items() if v} == {}

"""The Spanish ALS checklist (fixtures/translations/es/checklists.json): every stage
and item has its Spanish, which reads easily and cites the item's own sources."""

import pytest
from django.core.management import call_command
from django.utils import translation

from apps.checklists import demo
from apps.checklists.content_check import current_item_problems, item_problems
from apps.checklists.models import ChecklistItem, Stage
from apps.core.translated_content import read_translation
from apps.diseases.readability import TARGET_SPANISH_READING_EASE, spanish_reading_ease

SPANISH = read_translation("es", demo.SPANISH)


@pytest.fixture
def checklists(db):
    call_command("loaddata", "taxonomy", "diseases", "checklists", verbosity=0)
    demo.load_spanish()


def test_every_stage_and_item_of_the_als_checklist_has_its_spanish(checklists):
    stages = Stage.objects.filter(disease__slug="als")
    assert stages.exists()
    for stage in stages:
        assert stage.title_es and stage.description_es and stage.clinical_mapping_es
        assert stage.title_es != stage.title_en
        for item in stage.items.all():
            assert item.title_es and item.guidance_es and item.why_it_matters_es, (
                f"{stage.slug}/{item.slug}"
            )


def test_the_english_stays_as_it_was(checklists):
    item = ChecklistItem.objects.get(slug="keep-a-symptom-diary")
    assert item.title_en == "Keep a simple symptom diary"
    with translation.override("es"):
        assert item.title == "Lleve un diario sencillo de sus síntomas"


def test_the_spanish_checklist_passes_the_content_check(checklists):
    with translation.override("es"):
        assert current_item_problems() == {}


def test_a_spanish_step_cites_only_its_own_sources(checklists):
    item = ChecklistItem.objects.prefetch_related("citations__reference").get(
        slug="keep-a-symptom-diary"
    )
    item.why_it_matters_es += " Llegar al diagnóstico lleva tiempo [7]."
    with translation.override("es"):
        problems = item_problems(item)
    assert any("cites [7] with no such source" in problem for problem in problems)


def _spanish_texts():
    for key, stage in SPANISH["stages"].items():
        yield key, stage["description"]
        for slug, item in stage["children"]["items"].items():
            yield f"{key}/{slug} guidance", item["guidance"]
            yield f"{key}/{slug} why it matters", item["why_it_matters"]


@pytest.mark.parametrize("name,text", list(_spanish_texts()))
def test_every_spanish_step_reads_easily(name, text):
    assert spanish_reading_ease(text) >= TARGET_SPANISH_READING_EASE, name

"""The Spanish seed content (fixtures/translations/es/diseases.json): it loads over
the English fixture without changing it, reads easily, and passes the content check.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from apps.core.translated_content import read_translation, translation_file
from apps.diseases import demo
from apps.diseases.content_check import (
    is_medical_paragraph,
    published_content_problems,
    text_problems,
    uncited_medical_paragraphs,
)
from apps.diseases.models import Article, Comparison, Disease, GlossaryTerm, Reference
from apps.diseases.readability import TARGET_SPANISH_READING_EASE, spanish_reading_ease

SOURCES = Path(settings.BASE_DIR).parent / "shared" / "sources"
SPANISH = read_translation("es", demo.SPANISH)


@pytest.fixture
def content(db):
    call_command("loaddata", "diseases", verbosity=0)
    demo.load_spanish()


def _article(key: str) -> Article:
    disease, slug = key.split("/")
    return Article.objects.get(disease__slug=disease, slug=slug)


def test_the_spanish_texts_load_over_the_english(content):
    english = {
        o["pk"]: o["fields"]
        for o in json.loads(
            (Path(settings.BASE_DIR) / "fixtures" / "diseases.json").read_text()
        )
        if o["model"] == "diseases.article"
    }
    for key, texts in SPANISH["articles"].items():
        article = _article(key)
        assert article.title_es == texts["title"]
        assert article.body_es == texts["body"]
        assert article.body_en == english[article.pk]["body"]
    als = Disease.objects.get(slug="als")
    assert als.short_name_es == "ELA"
    assert als.summary_en != als.summary_es
    comparison = Comparison.objects.get(slug="als-vs-ms")
    assert [row.feature_es for row in comparison.rows.all()] == [
        SPANISH["comparisons"]["als-vs-ms"]["children"]["rows"][str(row.order)][
            "feature"
        ]
        for row in comparison.rows.all()
    ]
    assert all(
        row.first_value_es and row.second_value_es for row in comparison.rows.all()
    )
    translated = GlossaryTerm.objects.exclude(definition_es=None).exclude(
        definition_es=""
    )
    assert translated.count() == len(SPANISH["glossary"])


def test_a_spanish_reader_gets_the_spanish_and_an_english_one_the_english(content):
    with translation.override("es"):
        assert _article("als/caregivers").title == "Cómo cuidar a alguien con ELA"
    with translation.override("en"):
        assert _article("als/caregivers").title == "Caring for someone with ALS"


def test_loading_again_changes_nothing(content):
    citations = {
        key: list(_article(key).citations.values_list("order", "reference"))
        for key in SPANISH["articles"]
    }
    references = Reference.objects.count()
    demo.load_spanish()
    assert Reference.objects.count() == references
    assert {
        key: list(_article(key).citations.values_list("order", "reference"))
        for key in SPANISH["articles"]
    } == citations


def test_sources_only_the_spanish_cites_come_after_the_english_ones(content):
    article = _article("als/getting-help-now")
    lifeline = article.citations.get(order=9).reference
    assert lifeline.url == "https://988lifeline.org/get-help/what-to-expect"
    assert "[9]" in article.body_es and "[9]" not in article.body_en


def test_the_spanish_seed_passes_the_content_check(content):
    with translation.override("es"):
        assert published_content_problems() == {}


def test_every_spanish_paragraph_that_states_a_fact_is_cited(content):
    for key in SPANISH["articles"]:
        article = _article(key)
        references = {c.order: c.reference for c in article.citations.all()}
        assert text_problems(article.body_es, references) == [], key


def _spanish_texts():
    """Each Spanish text a reader sees as one page or one definition."""
    yield "ALS summary", SPANISH["diseases"]["als"]["summary"]
    for key, texts in SPANISH["articles"].items():
        yield f"{key} summary", texts["summary"]
        yield key, texts["body"]
    for slug, comparison in SPANISH["comparisons"].items():
        # The table reads as one page: its introduction, then row by row.
        cells = [
            f"{row['feature']}. {row['first_value']} {row['second_value']}"
            for row in comparison["children"]["rows"].values()
        ]
        yield slug, "\n\n".join([comparison["introduction"], *cells])
    for slug, term in SPANISH["glossary"].items():
        yield f"glossary {slug}", term["definition"]


@pytest.mark.parametrize("name,text", list(_spanish_texts()))
def test_every_spanish_text_reads_easily(name, text):
    assert spanish_reading_ease(text) >= TARGET_SPANISH_READING_EASE, name


@pytest.mark.parametrize(
    "text",
    [
        "La ELA debilita los músculos poco a poco.",
        "Cerca de la mitad de las personas no notan cambios.",
        "La VNI le ayuda a respirar de noche.",
        "Solicite ya el SSDI.",
        "Los problemas para tragar son comunes.",
    ],
)
def test_the_rule_finds_facts_in_spanish(text):
    assert is_medical_paragraph(text)


@pytest.mark.parametrize(
    "text",
    [
        "No tiene que leerla toda de una vez.",
        "Pregunte a su neurólogo por la VNI. Llame a la clínica si tiene dudas.",
        "Si se siente en peligro, llame o envíe un texto al 988.",
        "Pregúntele también qué pagan los programas locales de su ciudad.",
        "¿Podría recibir un placebo si entro en el ensayo?",
    ],
)
def test_prompts_and_questions_in_spanish_state_no_fact(text):
    assert not is_medical_paragraph(text)


def test_a_spanish_list_is_covered_by_its_cited_introduction():
    text = "Sepa esto [1]:\n\n- La atención en equipo ayuda a vivir más.\n"
    assert uncited_medical_paragraphs(text) == []
    assert uncited_medical_paragraphs(text.replace(" [1]", "")) != []


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _strings(item)


@pytest.mark.skipif(not SOURCES.is_dir(), reason="source documents not available")
@pytest.mark.parametrize("name", ["diseases.json", "checklists.json"])
def test_no_run_of_nine_words_is_copied_from_the_sources(name):
    # Any letters, so Spanish words with accents are read whole.
    word = re.compile(r"[^\W_]+(?:'[^\W_]+)?")

    def shingles(text):
        words = word.findall(text.lower())
        return {" ".join(words[i : i + 9]) for i in range(len(words) - 8)}

    source = set()
    for path in SOURCES.glob("*.txt"):
        source |= shingles(path.read_text(errors="ignore"))
    raw = translation_file("es", name).read_text(encoding="utf-8")
    copied = set()
    for text in _strings(json.loads(raw)):
        copied |= shingles(text) & source
    assert sorted(copied) == []


def test_the_english_page_lists_no_source_that_only_the_spanish_cites(content, client):
    page = client.get(_article("als/what-is-als").get_absolute_url())
    assert page.status_code == 200
    assert b"medlineplus.gov/spanish" not in page.content
    assert b"www.als.org/navigating-als/newly-diagnosed" in page.content


def test_links_in_the_spanish_texts_open_the_spanish_pages():
    texts = [text for name, text in _spanish_texts()]
    for stage in read_translation("es", "checklists.json")["stages"].values():
        texts += [stage["description"]]
        for item in stage["children"]["items"].values():
            texts += [item["guidance"], item["why_it_matters"]]
    links = [link for text in texts for link in re.findall(r"\]\((/[^)]*)\)", text)]
    assert links
    assert [link for link in links if not link.startswith("/es/")] == []


def test_the_spanish_glossary_is_all_in_spanish(content, client):
    with translation.override("es"):
        url = reverse("diseases:glossary")
    html = client.get(url).content.decode()
    assert "Demencia frontotemporal" in html
    assert "aún no está traducida" not in html

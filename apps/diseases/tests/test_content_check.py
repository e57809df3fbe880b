"""The citation check: what is medical, what counts as cited, which sources open."""

import datetime
from types import SimpleNamespace

import pytest

from apps.diseases.content_check import (
    article_problems,
    comparison_row_problems,
    is_medical_paragraph,
    reference_problems,
    uncited_medical_paragraphs,
)

from .factories import (
    ArticleFactory,
    ArticleReferenceFactory,
    ComparisonRowFactory,
    ReferenceFactory,
)


def source(**overrides):
    fields = {
        "title": "Motor neurone disease: assessment and management",
        "publisher": "NICE",
        "url": "https://www.nice.org.uk/guidance/ng42",
        "accessed": datetime.date(2026, 11, 26),
    }
    return SimpleNamespace(**{**fields, **overrides})


@pytest.mark.parametrize(
    "text",
    [
        "Most people live 3 to 5 years after the first symptoms.",
        "NIV can help you breathe at night.",
        "You can get SSDI without the five-month wait.",
        "Apply for SSDI as soon as you can.",
        "About half of people notice no change.",
    ],
)
def test_facts_about_disease_treatment_figures_and_benefits_are_medical(text):
    assert is_medical_paragraph(text)


@pytest.mark.parametrize(
    "text",
    [
        "Please talk to your care team about what this means for you.",
        "You do not need to read it all at once.",
        "Could I get a placebo if I join the trial?",
        "Ask your neurologist about NIV. Call the clinic if you are unsure.",
        "If you feel low, talk to your ALS team.",
        "The National MS Society and the ALS Association run helplines.",
        "If you feel unsafe, call or text 988 at any time.",
        "",
    ],
)
def test_kind_words_and_questions_are_not_medical(text):
    assert not is_medical_paragraph(text)


def test_an_uncited_medical_paragraph_is_found_and_a_cited_one_is_not():
    text = (
        "ALS weakens the muscles [1].\n\n"
        "Breathing support helps some people live longer.\n\n"
        "Please talk to your care team."
    )
    assert uncited_medical_paragraphs(text) == [
        "Breathing support helps some people live longer."
    ]


def test_headings_are_never_medical_paragraphs():
    assert uncited_medical_paragraphs("## Breathing and swallowing\n\nText [1].") == []


def test_a_cited_introduction_covers_the_list_it_introduces():
    text = "Signs of weak breathing include [1]:\n\n- morning headaches\n- sleepiness"
    assert uncited_medical_paragraphs(text) == []


def test_an_uncited_introduction_leaves_its_list_items_uncited():
    text = "Signs of weak breathing include:\n\n- morning headaches\n- sleepiness"
    assert uncited_medical_paragraphs(text) == [
        "Signs of weak breathing include:",
        "morning headaches",
        "sleepiness",
    ]


def test_a_cited_paragraph_without_a_colon_does_not_cover_the_next_list():
    text = "ALS is staged by spread [1].\n\n- Stage 1: first symptoms"
    assert uncited_medical_paragraphs(text) == ["Stage 1: first symptoms"]


def test_a_line_that_only_points_to_another_page_needs_no_citation():
    text = "See our page on [breathing and NIV](/learn/als/breathing/)."
    assert uncited_medical_paragraphs(text) == []


def test_table_cells_are_checked_one_by_one():
    text = "| When | ALS |\n|---|---|\n| Early | weak hands [1] |\n| Later | 55 |"
    assert uncited_medical_paragraphs(text) == ["55"]


def test_a_complete_reference_has_no_problems():
    assert reference_problems(source()) == []


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"url": ""}, "no URL"),
        ({"url": "https://www.mndassociation.org/"}, "home page"),
        ({"url": "https://alswiki.org"}, "home page"),
        ({"url": "javascript:alert(1)"}, "not a web address"),
        ({"accessed": None}, "no access date"),
        ({"publisher": ""}, "no publisher"),
    ],
)
def test_reference_problems_name_what_is_missing(overrides, problem):
    problems = reference_problems(source(**overrides))
    assert any(problem in found for found in problems), problems


def test_article_problems_report_uncited_text_and_sources_that_cannot_be_opened(db):
    article = ArticleFactory(
        body="ALS weakens muscles [1].\n\nRiluzole slows ALS a little [2].\n\n"
        "Most people live 3 to 5 years."
    )
    ArticleReferenceFactory(article=article, order=1, reference__url="")
    problems = article_problems(article)
    assert any("uncited medical paragraph" in p and "3 to 5" in p for p in problems)
    assert any("no such source" in p and "Riluzole" in p for p in problems)
    assert any("[1]" in p and "no URL" in p for p in problems)


def test_further_reading_alone_does_not_support_a_claim(db):
    article = ArticleFactory(body="ALS weakens muscles [1].\n\nIt is rare [1] [2].")
    ArticleReferenceFactory(
        article=article, order=1, reference__url="https://www.alsunited.org/blog/x/"
    )
    ArticleReferenceFactory(article=article, order=2)
    problems = article_problems(article)
    assert problems == ["only further reading supports: 'ALS weakens muscles [1].'"]


def test_each_comparison_cell_needs_a_source_of_its_own(db):
    row = ComparisonRowFactory(
        feature="Age",
        first_value="About 55 on average.",
        second_value="About 32 on average.",
        second_reference=None,
    )
    assert comparison_row_problems(row) == ["'Age', second column: no source"]


def test_a_comparison_cell_source_must_open(db):
    row = ComparisonRowFactory(
        first_value="Rare.",
        second_value="Common, close to 1 million people.",
        second_reference=ReferenceFactory(accessed=None),
    )
    assert any("no access date" in p for p in comparison_row_problems(row))


def test_uk_guidance_must_be_labelled_as_such(db):
    article = ArticleFactory(
        body="You should have a review every 2 to 3 months [1].\n\n"
        "UK guidance suggests a review every 2 to 3 months [1].\n\n"
        "About 1,100 people develop MND each year [1]."
    )
    ArticleReferenceFactory(article=article, order=1, reference__publisher="NICE (UK)")
    assert article_problems(article) == [
        "cites UK guidance without saying so: "
        "'You should have a review every 2 to 3 months [1].'"
    ]

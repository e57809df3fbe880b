"""Citations point at the numbered sources; glossary words are explained in place."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from apps.diseases.rendering import GlossaryMatcher, plain_text, render_markdown

from .factories import (
    ArticleFactory,
    ArticleReferenceFactory,
    GlossaryTermFactory,
    ReferenceFactory,
)
from .helpers import main_html


def term(name, slug, forms=(), definition="A plain explanation."):
    return SimpleNamespace(
        term=name, slug=slug, definition=definition, forms=[name, *forms]
    )


def test_citations_link_to_their_numbered_source_and_unknown_ones_stay_text():
    html = render_markdown("First [2], then [1], and [7].", citations={1, 2}).html
    assert re.findall(r'href="#ref-(\d+)"', html) == ["2", "1"]
    assert "and [7]." in html
    assert 'aria-label="Source 2"' in html


def test_citations_are_left_alone_in_code_links_and_when_escaped():
    html = render_markdown(
        "`list[1]` and [see [1]](https://example.org) and \\[1\\] and [1]",
        citations={1},
    ).html
    assert html.count('href="#ref-1"') == 1
    assert "<code>list[1]</code>" in html
    assert "[1] and" in html


def test_first_use_of_a_term_or_its_other_forms_is_linked_once():
    glossary = GlossaryMatcher(
        [
            term("Fasciculations", "fasciculations", ["fasciculation", "twitches"]),
            term("EMG", "emg", ["electromyography"]),
            term("Bulbar", "bulbar"),
        ]
    )
    rendered = render_markdown(
        "Muscle twitches are common. Fasciculations again. An EMG test; emg "
        "in lower case is not the acronym.",
        glossary=glossary,
    )
    html = rendered.html
    assert html.count('href="#term-fasciculations"') == 1
    assert '<a aria-describedby="term-def-fasciculations"' in html
    assert ">twitches</a>" in html
    assert html.count('href="#term-emg"') == 1
    assert ">EMG</a>" in html
    assert [t.slug for t in rendered.terms] == ["emg", "fasciculations"]


def test_terms_are_not_linked_in_headings_links_code_or_inside_words():
    glossary = GlossaryMatcher([term("Bulbar", "bulbar")])
    rendered = render_markdown(
        "## Bulbar onset\n\n[bulbar](https://example.org) `bulbar` "
        "subbulbar bulbars\n\nThe bulbar muscles.",
        glossary=glossary,
    )
    html = rendered.html
    assert "<h2>Bulbar onset</h2>" in html
    assert html.count("#term-bulbar") == 1
    assert 'rel="noopener noreferrer">bulbar</a> muscles' in html


def test_plain_text_drops_markup_and_citation_marks():
    text = plain_text("## Signs\n\n- **Weak** [hands](https://x.org) [1]\n- Falls")
    assert text == "Signs. Weak hands. Falls."


@pytest.fixture
def article(db):
    article = ArticleFactory(
        disease__slug="als",
        slug="diagnosis",
        body="An EMG is a test [2]. Doctors also use an EMG with nerve studies [1].\n\n"
        "## EMG results\n\nA reference that does not exist [3].",
    )
    ArticleReferenceFactory(
        article=article,
        order=2,
        reference=ReferenceFactory(title="Second source", publisher="Publisher B"),
    )
    ArticleReferenceFactory(
        article=article,
        order=1,
        reference=ReferenceFactory(
            title="First source",
            publisher="Publisher A",
            url="https://example.org/first",
        ),
    )
    GlossaryTermFactory(term="EMG", slug="emg", definition="A test of *muscles*.")
    GlossaryTermFactory(term="Spasticity", slug="spasticity")
    return article


def test_article_page_lists_sources_in_number_order_with_publisher_link_and_date(
    client, article
):
    response = client.get(article.get_absolute_url())
    html = main_html(response)
    sources = html.split('id="sources-heading"', 1)[1]
    assert sources.index('id="ref-1"') < sources.index('id="ref-2"')
    assertContains(
        response, '<li id="ref-1" value="1"><cite><a href="https://example.org/first">'
    )
    assertContains(response, "Publisher A")
    assertContains(response, 'accessed <time datetime="2026-01-10">')
    # The body's [2] comes first but still points at source 2.
    assert re.findall(r'href="#ref-(\d+)"', html.split("</header>")[1]) == ["2", "1"]
    assertContains(response, "does not exist [3].")


def test_article_page_explains_its_glossary_words_at_the_end(client, article):
    response = client.get(article.get_absolute_url())
    html = main_html(response)
    assert html.count('href="#term-emg"') == 1
    assertContains(response, '<dt id="term-emg">EMG</dt>')
    assertContains(
        response, '<dd id="term-def-emg"><p>A test of <em>muscles</em>.</p></dd>'
    )
    # A word the article does not use is not listed.
    assertNotContains(response, "term-spasticity")


def test_a_review_date_alone_is_not_called_a_review(client, db):
    # A date without a reviewer's sign-off (as in the seed content) says nothing.
    dated = ArticleFactory(last_reviewed=datetime.date(2026, 1, 15))
    response = client.get(dated.get_absolute_url())
    assertContains(response, "Not yet clinically reviewed")
    assertNotContains(response, "Last reviewed")
    assertNotContains(response, "January 15, 2026")


def test_glossary_page_is_a_to_z_with_anchors(client, db):
    GlossaryTermFactory(term="Bulbar", slug="bulbar")
    GlossaryTermFactory(term="atrophy", slug="atrophy")
    GlossaryTermFactory(term="4-AP", slug="4-ap")
    response = client.get(reverse("diseases:glossary"))
    html = main_html(response)
    assert html.index('id="letter-a"') < html.index('id="letter-b"')
    assert html.index('id="letter-b"') < html.index('id="letter-other"')
    assertContains(response, '<dt id="atrophy">atrophy</dt>')
    assertContains(response, '<a href="#letter-a">A</a>')
    assertContains(response, '<span class="text-body-secondary">C</span>')

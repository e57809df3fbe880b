"""Whatever an editor types into any content field, no script reaches a page."""

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.diseases.rendering import render_markdown

from .factories import (
    ArticleFactory,
    ArticleReferenceFactory,
    ComparisonFactory,
    ComparisonRowFactory,
    DiseaseFactory,
    GlossaryTermFactory,
)
from .helpers import assert_safe_html, main_html

XSS_PAYLOADS = [
    "<script>alert('xss')</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click me</a>',
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "![picture](javascript:alert(1))",
    '<iframe src="https://attacker.example/"></iframe>',
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<p onclick="alert(1)" style="position:fixed;inset:0">cover</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>",
    '<object data="x"></object><embed src="x">',
    '"><script>alert(1)</script>',
    'https://example.org/" onmouseover="alert(1)',
]
ALL_PAYLOADS = " ".join(XSS_PAYLOADS)

# model, field: every text an editor can type that a public page shows.
CONTENT_FIELDS = [
    ("disease", "name"),
    ("disease", "also_known_as"),
    ("disease", "summary"),
    ("article", "title"),
    ("article", "summary"),
    ("article", "body"),
    ("term", "term"),
    ("term", "also_matches"),
    ("term", "definition"),
    ("comparison", "title"),
    ("comparison", "introduction"),
    ("row", "feature"),
    ("row", "first_value"),
    ("row", "second_value"),
    ("reference", "title"),
    ("reference", "publisher"),
    ("reference", "url"),
]


def build_content():
    als = DiseaseFactory(slug="als", name="ALS")
    ms = DiseaseFactory(slug="ms", name="MS")
    article = ArticleFactory(
        disease=als,
        slug="first-signs",
        title="First signs canary",
        summary="Summary canary",
        body="Twitching, called fasciculations, is common [1]. Canary.",
    )
    citation = ArticleReferenceFactory(article=article, order=1)
    term = GlossaryTermFactory(
        term="Fasciculations", slug="fasciculations", related_article=article
    )
    comparison = ComparisonFactory(
        slug="als-vs-ms", first_disease=als, second_disease=ms
    )
    row = ComparisonRowFactory(
        comparison=comparison,
        first_reference=citation.reference,
        second_reference=citation.reference,
    )
    return {
        "disease": als,
        "article": article,
        "term": term,
        "comparison": comparison,
        "row": row,
        "reference": citation.reference,
    }


def public_pages():
    return [
        reverse("diseases:disease_list"),
        reverse("diseases:disease_detail", args=["als"]),
        reverse("diseases:article_detail", args=["als", "first-signs"]),
        reverse("diseases:comparison_detail", args=["als-vs-ms"]),
        reverse("diseases:glossary"),
        reverse("diseases:search") + "?q=canary",
        reverse("diseases:search") + "?q=alert",
    ]


def put(obj, field, payload):
    value = f"{getattr(obj, field)} {payload}" if field != "url" else payload
    # Short fields get as much of the payload as they hold.
    max_length = obj._meta.get_field(field).max_length
    setattr(obj, field, value[:max_length] if max_length else value)
    obj.save()


@pytest.mark.parametrize(("model", "field"), CONTENT_FIELDS)
def test_no_payload_in_any_field_reaches_a_page(client, db, model, field):
    content = build_content()
    put(content[model], field, ALL_PAYLOADS)
    for url in public_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        assert_safe_html(main_html(response))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_each_payload_in_every_field_at_once(client, db, payload):
    content = build_content()
    for model, field in CONTENT_FIELDS:
        put(content[model], field, payload)
    for url in public_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        assert_safe_html(main_html(response))


def test_the_staff_preview_is_sanitised_too(client, content_editor):
    content = build_content()
    put(content["article"], "body", ALL_PAYLOADS)
    client.force_login(content_editor)
    response = client.get(
        reverse("diseases:article_preview", args=[content["article"].pk])
    )
    assert response.status_code == 200
    assert_safe_html(main_html(response))


def test_plain_formatting_and_safe_links_survive():
    html = render_markdown(
        "## Help\n\nSee **this** [page](https://example.org/a) or "
        "[ours](/learn/) or [mail](mailto:help@example.org).\n\n- one\n- two"
    ).html
    assert "<h2>Help</h2>" in html
    assert "<strong>this</strong>" in html
    assert 'href="https://example.org/a"' in html
    assert 'href="/learn/"' in html
    assert 'href="mailto:help@example.org"' in html
    assert "<li>two</li>" in html


def test_a_heading_of_level_one_becomes_level_two():
    # The page title is the only h1.
    assert render_markdown("# Big").html.strip() == "<h2>Big</h2>"


def test_layout_classes_and_ids_cannot_be_typed():
    html = render_markdown(
        '<a class="position-fixed glossary-term" id="main" href="#x">x</a>'
    ).html
    assert "position-fixed" not in html
    assert 'id="main"' not in html


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *XSS_PAYLOADS,
                "<",
                ">",
                '"',
                "'",
                "[",
                "](",
                ")",
                "javascript:",
                "on",
                "error=",
                "<a href=",
                "<scr",
                "ipt>",
                "\n\n",
                "`",
                "**",
                "[1]",
                " ",
                "word",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_any_mix_of_markup_stays_safe(text):
    assert_safe_html(render_markdown(text, citations={1}).html)

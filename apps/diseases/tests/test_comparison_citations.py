"""Each column of a comparison row shows its own source."""

from django.urls import reverse

from .factories import ComparisonFactory, ComparisonRowFactory, ReferenceFactory


def test_each_column_cites_its_own_source_and_sources_are_listed_once(client, db):
    comparison = ComparisonFactory(slug="als-vs-ms")
    als_source = ReferenceFactory(title="ALS fact sheet")
    ms_source = ReferenceFactory(title="MS fact sheet")
    ComparisonRowFactory(
        comparison=comparison,
        order=1,
        first_reference=als_source,
        second_reference=ms_source,
    )
    ComparisonRowFactory(
        comparison=comparison,
        order=2,
        first_reference=ms_source,
        second_reference=None,
    )

    response = client.get(reverse("diseases:comparison_detail", args=["als-vs-ms"]))

    rows = response.context["rows"]
    assert (rows[0].first_source, rows[0].second_source) == (1, 2)
    assert (rows[1].first_source, rows[1].second_source) == (2, None)
    assert [ref.title for ref in response.context["sources"]] == [
        "ALS fact sheet",
        "MS fact sheet",
    ]
    html = response.content.decode()
    assert html.count('class="citation" href="#ref-1"') == 1
    assert html.count('class="citation" href="#ref-2"') == 2
    assert 'id="ref-2"' in html


def test_editors_set_a_source_for_each_column_in_the_admin(client, content_editor):
    client.force_login(content_editor)
    comparison = ComparisonFactory()
    ComparisonRowFactory(comparison=comparison)
    response = client.get(
        reverse("admin:diseases_comparison_change", args=[comparison.pk])
    )
    html = response.content.decode()
    assert 'name="rows-0-first_reference"' in html
    assert 'name="rows-0-second_reference"' in html

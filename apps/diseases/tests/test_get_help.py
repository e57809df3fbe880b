"""Every disease page, article and checklist shows where to get help now."""

import pytest
from django.urls import reverse

from apps.diseases.helplines import CRISIS, HELPLINES

from .factories import ArticleFactory, DiseaseFactory


def assert_shows_every_helpline(html: str):
    assert "Getting help now" in html
    assert 'href="tel:988"' in html
    # 988's own way to reach a counselor who speaks Spanish.
    assert "2 for Spanish" in html
    for line in HELPLINES:
        assert f'href="tel:{line.phone}"' in html, line.name
        assert line.phone_label in html.replace("&#x27;", "'"), line.name
        assert f'href="{line.url}"' in html, line.name


def test_helplines_are_complete_and_dialable():
    names = {line.name for line in HELPLINES}
    assert any("ALS Association" in name for name in names)
    assert any("MDA" in name for name in names)
    assert any("MS Society" in name for name in names)
    assert any("Parkinson" in name for name in names)
    assert CRISIS.phone == "988"
    for line in HELPLINES:
        assert line.phone.startswith("+1") and line.phone[1:].isdigit()
        assert line.url.startswith("https://")


@pytest.mark.parametrize("slug", ["als", "ms", "parkinsons"])
def test_every_disease_page_shows_the_helplines(client, db, slug):
    DiseaseFactory(slug=slug)
    response = client.get(reverse("diseases:disease_detail", args=[slug]))
    assert_shows_every_helpline(response.content.decode())


def test_every_article_shows_the_helplines(client, db):
    article = ArticleFactory()
    response = client.get(article.get_absolute_url())
    assert_shows_every_helpline(response.content.decode())


def test_the_public_checklist_shows_the_helplines(client, db):
    disease = DiseaseFactory(slug="als")
    response = client.get(reverse("checklists:stage_list", args=[disease.slug]))
    assert response.status_code == 200
    assert_shows_every_helpline(response.content.decode())


def test_a_patients_own_checklist_shows_the_helplines(client, patient):
    client.force_login(patient)
    response = client.get(reverse("checklists:my_checklist"))
    assert response.status_code == 200
    assert_shows_every_helpline(response.content.decode())

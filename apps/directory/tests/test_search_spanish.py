"""The directory searched in Spanish: Spanish names and other words of the
care-service types (fixtures/taxonomy.json) find services of those types."""

import pytest
from django.core.management import call_command
from django.utils import translation

from apps.directory.forms import ServiceSearchForm
from apps.directory.models import TaxonomyTerm
from apps.directory.search import refresh_search_index
from apps.directory.spanish_terms import plain_words, read_spanish_words

from .factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def services(db):
    call_command("loaddata", "taxonomy", verbosity=0)
    by_code = {term.code: term for term in TaxonomyTerm.objects.all()}
    made = {
        "speech": ServiceFactory(
            name="Harbor Voice Clinic",
            taxonomy_terms=[by_code["speech-language"]],
        ),
        "loan": ServiceFactory(
            name="Bay Lending Closet",
            description="Borrow what you need.",
            taxonomy_terms=[by_code["equipment-loan"]],
        ),
        "respite": ServiceFactory(
            name="Rest House", taxonomy_terms=[by_code["respite"]]
        ),
    }
    refresh_search_index()
    return made


def found(query: str, language: str = "es") -> set[str]:
    with translation.override(language):
        form = ServiceSearchForm({"q": query})
        assert form.is_valid(), form.errors
        return {service.name for service in form.services()}


def test_the_fixture_names_every_care_service_type_in_spanish(services):
    assert not TaxonomyTerm.objects.filter(name_es__isnull=True).exists()
    assert not TaxonomyTerm.objects.filter(name_es="").exists()
    speech = TaxonomyTerm.objects.get(code="speech-language")
    assert speech.name_en == "Speech-language pathology"
    with translation.override("es"):
        assert speech.name.startswith("Terapia del habla")


@pytest.mark.parametrize(
    "query",
    ["terapia del habla", "Terapia del Habla", "logopeda", "logopédia", "LOGOPEDA"],
)
def test_spanish_words_for_speech_therapy_find_speech_services(services, query):
    assert found(query) == {"Harbor Voice Clinic"}


@pytest.mark.parametrize("query", ["silla de ruedas", "Silla de Ruedas", "andador"])
def test_spanish_words_for_equipment_find_the_lending_closet(services, query):
    assert found(query) == {"Bay Lending Closet"}


def test_other_words_still_go_to_the_search_core(services):
    assert found("logopeda harbor") == {"Harbor Voice Clinic"}
    assert found("logopeda lending") == set()


def test_english_pages_do_not_read_spanish_names(services):
    assert found("logopeda", language="en") == set()
    assert found("voice", language="en") == {"Harbor Voice Clinic"}


def test_reading_ignores_accents_case_and_function_words(services):
    assert plain_words("Logopédia, ¿CERCA?") == ["logopedia", "cerca"]
    reading = read_spanish_words("necesito un logopeda en Boston")
    speech = TaxonomyTerm.objects.get(code="speech-language")
    assert reading.term_ids == [speech.pk]
    assert reading.rest == "boston"


def test_a_service_page_in_spanish_names_its_types_in_spanish(client, services):
    speech = services["speech"]
    untranslated = TaxonomyTerm.objects.create(code="new-type", name="Music therapy")
    speech.taxonomy_terms.add(untranslated)
    with translation.override("es"):
        url = speech.get_absolute_url()
    html = client.get(url).content.decode()
    assert "Terapia del habla y del lenguaje" in html
    assert "Speech-language pathology" not in html
    # A type with no Spanish name yet shows its English name, marked as English.
    assert '<span lang="en">Music therapy</span>' in html

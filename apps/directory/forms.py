from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .geo import find_zip
from .models import ListingReport, Service, TaxonomyTerm
from .querysets import LANGUAGES, ServiceSearch, descendant_ids
from .search import WordReading, query_words, read_words
from .spanish_terms import SpanishReading, read_spanish_words

MIN_RADIUS_MILES = 1
MAX_RADIUS_MILES = 500
DEFAULT_RADIUS_MILES = 25
LANGUAGE_CHOICES = [("", "Any language"), *LANGUAGES.items()]


def _option(value, label, chosen: set[str]) -> str:
    selected = " selected" if str(value) in chosen else ""
    return f'<option value="{escape(value)}"{selected}>{escape(label)}</option>'


class RepeatableSelect(forms.Select):
    """A single drop-down whose parameter may repeat in the URL (?type=a&type=b)."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        if getlist is not None:
            return [value for value in getlist(name) if value]
        value = data.get(name)
        return [value] if value else []


def taxonomy_choices(terms: list[TaxonomyTerm]) -> list:
    """Top-level terms as groups; choosing a group's first option includes all of it."""
    children: dict = {}
    for term in terms:
        children.setdefault(term.parent_id, []).append(term)
    choices: list = [("", "Any type of service")]
    for top in children.get(None, []):
        options = [(top.code, f"All {top.name.lower()}")]
        options += [(child.code, child.name) for child in children.get(top.id, [])]
        choices.append((top.name, options))
    return choices


class ServiceSearchForm(forms.Form):
    SORT_CHOICES = [
        ("", "Best match"),
        ("distance", "Nearest first"),
        ("name", "Name (A to Z)"),
    ]

    q = forms.CharField(
        label="What are you looking for?",
        required=False,
        max_length=200,
        help_text='For example "speech therapy", "wheelchair loan" or a clinic name.',
    )
    zip = forms.CharField(
        label="ZIP code",
        required=False,
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "postal-code"}
        ),
    )
    radius = forms.IntegerField(
        label="Within (miles)",
        required=False,
        min_value=MIN_RADIUS_MILES,
        max_value=MAX_RADIUS_MILES,
        help_text=f"From {MIN_RADIUS_MILES} to {MAX_RADIUS_MILES} miles; "
        f"{DEFAULT_RADIUS_MILES} if left empty.",
        error_messages={
            "min_value": f"Choose a distance from {MIN_RADIUS_MILES} to "
            f"{MAX_RADIUS_MILES} miles.",
            "max_value": f"Choose a distance from {MIN_RADIUS_MILES} to "
            f"{MAX_RADIUS_MILES} miles.",
            "invalid": "Enter the distance as a whole number of miles.",
        },
    )
    type = forms.MultipleChoiceField(
        label="Type of service", required=False, widget=RepeatableSelect
    )
    disease = forms.ChoiceField(
        label="Knows this disease well",
        required=False,
        choices=[("", "Any disease"), *Service.Disease.choices],
    )
    language = forms.ChoiceField(
        label="Language spoken", required=False, choices=LANGUAGE_CHOICES
    )
    telehealth = forms.BooleanField(label="Offers telehealth", required=False)
    accepts_referrals = forms.BooleanField(
        label="Accepts referrals from caseworkers", required=False
    )
    open_now = forms.BooleanField(label="Open now", required=False)
    checked_recently = forms.BooleanField(
        label="Listing checked in the last 18 months", required=False
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query gives both the choices and, once cleaned, the terms' children.
        self.terms = list(TaxonomyTerm.objects.only("code", "name", "parent_id"))
        self.fields["type"].choices = taxonomy_choices(self.terms)
        self.fields["type"].error_messages["invalid_choice"] = (
            "That type of service is not in the list; choose one from it."
        )

    @cached_property
    def options_html(self) -> dict:
        """The <option>s of each drop-down, for the plain search template: built
        here in one pass, as rendering a widget per option costs more than the
        search itself."""
        result = {}
        for name in ("type", "disease", "language", "sort"):
            chosen = self[name].value()
            if not isinstance(chosen, list):
                chosen = [chosen]
            chosen = {str(value or "") for value in chosen}
            parts = []
            for value, label in self.fields[name].choices:
                if isinstance(label, list | tuple):
                    inner = "".join(_option(v, text, chosen) for v, text in label)
                    parts.append(
                        f'<optgroup label="{escape(value)}">{inner}</optgroup>'
                    )
                else:
                    parts.append(_option(value, label, chosen))
            result[name] = mark_safe("".join(parts))  # nosec B308 B703: escaped above
        return result

    @cached_property
    def spanish_reading(self) -> SpanishReading | None:
        """On a Spanish page, the care-service types named in Spanish in the words
        typed (apps.directory.spanish_terms); None on other pages."""
        if (get_language() or "").split("-")[0] != "es":
            return None
        return read_spanish_words(self.cleaned_data.get("q") or "")

    @property
    def search_text(self) -> str:
        """The words for the search core: on a Spanish page, those left once the
        Spanish names of care-service types are read as types."""
        spanish = self.spanish_reading
        return spanish.rest if spanish else self.cleaned_data.get("q") or ""

    @cached_property
    def word_reading(self) -> WordReading:
        """The words typed, looked up once for every search this form makes."""
        return read_words(query_words(self.search_text))

    def clean_zip(self):
        value = self.cleaned_data["zip"].strip()
        if not value:
            return None
        centroid = find_zip(value)
        if centroid is None:
            raise forms.ValidationError(
                f"We could not find the US ZIP code \u201c{value[:10]}\u201d. "
                "Check it and try again, or leave it empty."
            )
        return centroid

    def clean(self):
        cleaned = super().clean()
        terms = [(term.id, term.code, term.parent_id) for term in self.terms]
        cleaned["type_ids"] = descendant_ids(terms, codes=cleaned.get("type") or [])
        if cleaned.get("zip") and cleaned.get("radius") is None:
            cleaned["radius"] = DEFAULT_RADIUS_MILES
        if cleaned.get("sort") == "distance" and not cleaned.get("zip"):
            if "zip" not in self.errors:
                self.add_error("zip", "Enter a ZIP code to sort by distance.")
        return cleaned

    def search(self, *, now: datetime | None = None) -> ServiceSearch:
        """The matches of a valid form in order, through the directory's search core."""
        sort = self.cleaned_data.get("sort") or ""
        return self.services(now=now).search_results(sort=sort)

    def services(self, *, now: datetime | None = None, near: bool = True):
        """The services matching a valid form (a ServiceQuerySet); without the
        distance filter when ``near`` is false."""
        data = self.cleaned_data
        services = Service.objects.listed()
        if data.get("type"):
            services = services.of_types(data["type_ids"])
        if data.get("disease"):
            services = services.for_disease(data["disease"])
        if data.get("language"):
            services = services.speaking(data["language"])
        if data.get("telehealth"):
            services = services.with_telehealth()
        if data.get("accepts_referrals"):
            services = services.accepting_referrals()
        if data.get("open_now"):
            services = services.open_at(timezone.localtime(now))
        if data.get("checked_recently"):
            services = services.checked_recently()
        if self.spanish_reading and self.spanish_reading.term_ids:
            services = services.of_types(self.spanish_reading.term_ids)
        services = services.matching(self.search_text, reading=self.word_reading)
        if near and data.get("zip"):
            services = services.near(data["zip"], data["radius"])
        return services


class ListingReportForm(forms.ModelForm):
    # Hidden from people; bots that fill every field give themselves away.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = ListingReport
        fields = ["message", "contact_email"]
        labels = {
            "message": "What is wrong or out of date?",
            "contact_email": "Your e-mail address (optional)",
        }
        help_texts = {
            "contact_email": "Only if you would like us to reply. We never show it.",
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))

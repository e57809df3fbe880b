from dataclasses import dataclass

import zipcodes
from django import forms

from .models import ListingReport, Service, TaxonomyTerm

MIN_RADIUS_MILES = 1
MAX_RADIUS_MILES = 500
DEFAULT_RADIUS_MILES = 25

# Languages people most often ask for in the US, by ISO 639 code.
LANGUAGE_CHOICES = [
    ("", "Any language"),
    ("en", "English"),
    ("es", "Spanish"),
    ("zh", "Chinese"),
    ("vi", "Vietnamese"),
    ("tl", "Tagalog"),
    ("ko", "Korean"),
    ("ru", "Russian"),
    ("ar", "Arabic"),
    ("ht", "Haitian Creole"),
    ("pt", "Portuguese"),
    ("fr", "French"),
    ("pl", "Polish"),
    ("ase", "American Sign Language"),
]
LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)


@dataclass(frozen=True)
class ZipCentroid:
    zip_code: str
    city: str
    state: str
    latitude: float
    longitude: float


def find_zip(zip_code: str) -> ZipCentroid | None:
    """The centre of a US ZIP code, from the zipcodes package (no network)."""
    try:
        matches = zipcodes.matching(zip_code)
    except (ValueError, TypeError):
        return None
    for match in matches:
        if match.get("lat") and match.get("long"):
            return ZipCentroid(
                zip_code=match["zip_code"],
                city=match.get("city", ""),
                state=match.get("state", ""),
                latitude=float(match["lat"]),
                longitude=float(match["long"]),
            )
    return None


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


def with_descendants(terms: list[TaxonomyTerm], codes: list[str]) -> list:
    """Ids of the terms with these codes and of every term below them."""
    children: dict = {}
    for term in terms:
        children.setdefault(term.parent_id, []).append(term)
    found = [term for term in terms if term.code in codes]
    ids = []
    while found:
        term = found.pop()
        if term.id not in ids:
            ids.append(term.id)
            found.extend(children.get(term.id, []))
    return ids


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
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query gives both the choices and, once cleaned, the terms' children.
        self.terms = list(TaxonomyTerm.objects.only("code", "name", "parent_id"))
        self.fields["type"].choices = taxonomy_choices(self.terms)
        self.fields["type"].error_messages["invalid_choice"] = (
            "That type of service is not in the list; choose one from it."
        )

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
        cleaned["type_ids"] = with_descendants(self.terms, cleaned.get("type") or [])
        if cleaned.get("zip") and cleaned.get("radius") is None:
            cleaned["radius"] = DEFAULT_RADIUS_MILES
        if cleaned.get("sort") == "distance" and not cleaned.get("zip"):
            if "zip" not in self.errors:
                self.add_error("zip", "Enter a ZIP code to sort by distance.")
        return cleaned


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

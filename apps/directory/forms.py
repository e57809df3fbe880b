import copy
from datetime import datetime
from functools import partial

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .geo import find_zip
from .models import ListingReport, Service, TaxonomyTerm
from .querysets import LANGUAGES, ServiceSearch, descendant_ids
from .search import WordReading, query_words, read_words
from .spanish_terms import SpanishReading, read_spanish_words
from .taxonomy import taxonomy_copy

MIN_RADIUS_MILES = 1
MAX_RADIUS_MILES = 500
DEFAULT_RADIUS_MILES = 25
# Drop-downs kept as written per worker and language (ServiceSearchForm.options_html):
# past this many choices (made-up values from crafted URLs), they are written anew.
WRITTEN_OPTIONS = 500
LANGUAGE_CHOICES = [
    ("", _("Any language")),
    *((code, _(name)) for code, name in LANGUAGES.items()),
]
RADIUS_RANGE_ERROR = format_lazy(
    _("Choose a distance from {low} to {high} miles."),
    low=MIN_RADIUS_MILES,
    high=MAX_RADIUS_MILES,
)


def _option_pieces(choices) -> list[tuple[str | None, str, str]]:
    """A drop-down's HTML as (value, before, after): an <option> is ``before``, then
    " selected" when its value is chosen, then ``after``; an <optgroup> tag has no
    value."""
    pieces: list[tuple[str | None, str, str]] = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            pieces.append((None, f'<optgroup label="{escape(value)}">', ""))
            for inner_value, text in label:
                pieces.append(_option(inner_value, text))
            pieces.append((None, "</optgroup>", ""))
        else:
            pieces.append(_option(value, label))
    return pieces


def _option(value, label) -> tuple[str, str, str]:
    return str(value), f'<option value="{escape(value)}"', f">{escape(label)}</option>"


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
    choices: list = [("", _("Any type of service"))]
    for top in children.get(None, []):
        options = [(top.code, _("All %(type)s") % {"type": top.name.lower()})]
        options += [(child.code, child.name) for child in children.get(top.id, [])]
        choices.append((top.name, options))
    return choices


def _form_terms() -> tuple[list[tuple], list]:
    """(id, code, parent_id) of every term, and the type drop-down's choices in the
    active language (kept per worker: apps/directory/taxonomy.py)."""
    terms = list(TaxonomyTerm.objects.only("code", "name", "parent_id"))
    ids = [(term.id, term.code, term.parent_id) for term in terms]
    return ids, taxonomy_choices(terms)


class SharedFields(dict):
    """A form's fields, shared by every form made from them (in one worker, for one
    language and taxonomy) instead of deep-copied for each: the search form is made
    on every search, and copying its fields and drop-downs cost about as much as
    running the search's SQL. Nothing changes a field once the form is made (errors
    live on the form), so sharing them is safe."""

    def __deepcopy__(self, memo):
        return self


def _fields_with_terms() -> tuple[list[tuple], SharedFields]:
    """(id, code, parent_id) of every term, and the search form's fields with the
    type drop-down's choices in the active language."""
    terms, choices = _form_terms()
    fields = SharedFields(copy.deepcopy(ServiceSearchForm.base_fields))
    fields["type"].choices = choices
    return terms, fields


class ServiceSearchForm(forms.Form):
    SORT_CHOICES = [
        ("", _("Best match")),
        ("distance", _("Nearest first")),
        ("name", _("Name (A to Z)")),
    ]

    q = forms.CharField(
        label=_("What are you looking for?"),
        required=False,
        max_length=200,
        help_text=_(
            'For example "speech therapy", "wheelchair loan" or a clinic name.'
        ),
    )
    zip = forms.CharField(
        label=_("ZIP code"),
        required=False,
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "postal-code"}
        ),
    )
    radius = forms.IntegerField(
        label=_("Within (miles)"),
        required=False,
        min_value=MIN_RADIUS_MILES,
        max_value=MAX_RADIUS_MILES,
        help_text=format_lazy(
            _("From {low} to {high} miles; {default} if left empty."),
            low=MIN_RADIUS_MILES,
            high=MAX_RADIUS_MILES,
            default=DEFAULT_RADIUS_MILES,
        ),
        error_messages={
            "min_value": RADIUS_RANGE_ERROR,
            "max_value": RADIUS_RANGE_ERROR,
            "invalid": _("Enter the distance as a whole number of miles."),
        },
    )
    type = forms.MultipleChoiceField(
        label=_("Type of service"),
        required=False,
        widget=RepeatableSelect,
        error_messages={
            "invalid_choice": _(
                "That type of service is not in the list; choose one from it."
            )
        },
    )
    disease = forms.ChoiceField(
        label=_("Knows this disease well"),
        required=False,
        choices=[("", _("Any disease")), *Service.Disease.choices],
    )
    language = forms.ChoiceField(
        label=_("Language spoken"), required=False, choices=LANGUAGE_CHOICES
    )
    telehealth = forms.BooleanField(label=_("Offers telehealth"), required=False)
    accepts_referrals = forms.BooleanField(
        label=_("Accepts referrals from caseworkers"), required=False
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    checked_recently = forms.BooleanField(
        label=_("Listing checked in the last 18 months"), required=False
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, **kwargs):
        # The same terms give the choices and, once cleaned, the terms' children.
        language = get_language() or ""
        self.terms, self.base_fields = taxonomy_copy(
            f"search form:{language}", _fields_with_terms
        )
        super().__init__(*args, **kwargs)

    @cached_property
    def shown(self) -> dict:
        """What the plain search templates show of each field, by name, read once:
        the same lookups through bound fields, made by the templates, cost more
        than the search itself. What does not depend on the data (names, labels,
        help) is written once per worker and language."""
        fixed = taxonomy_copy(
            f"search form shown:{get_language() or ''}:{self.prefix}:{self.auto_id}",
            self._fixed_shown,
        )
        result = {}
        for name, parts in fixed.items():
            bound = self[name]
            result[name] = {**parts, "value": bound.value(), "errors": bound.errors}
        return result

    def _fixed_shown(self) -> dict:
        return {
            bound.name: {
                "html_name": bound.html_name,
                "id_for_label": bound.id_for_label,
                "label": str(bound.label),
                "help_text": str(bound.help_text or ""),
                "max_length": getattr(bound.field, "max_length", None),
            }
            for bound in self
        }

    @cached_property
    def options_html(self) -> dict:
        """The <option>s of each drop-down, for the plain search template: built
        here in one pass, as rendering a widget per option costs more than the
        search itself; their escaped text is kept per language (with the terms)."""
        language = get_language() or ""
        # The drop-downs as written for each choice, kept with the pieces: a few
        # hundred different choices in all (types, languages, diseases, orders).
        written = taxonomy_copy(f"search form options written:{language}", dict)
        result = {}
        for name in ("type", "disease", "language", "sort"):
            chosen = self.shown[name]["value"]
            if not isinstance(chosen, list):
                chosen = [chosen]
            chosen = frozenset(str(value or "") for value in chosen)
            html = written.get((name, chosen))
            if html is None:
                pieces = taxonomy_copy(
                    f"search form options:{name}:{language}",
                    partial(_option_pieces, self.fields[name].choices),
                )
                html = mark_safe(  # nosec B308 B703: escaped in _option_pieces
                    "".join(
                        before + (" selected" if value in chosen else "") + after
                        for value, before, after in pieces
                    )
                )
                if len(written) < WRITTEN_OPTIONS:
                    written[(name, chosen)] = html
            result[name] = html
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
                _(
                    "We could not find the US ZIP code “%(zip)s”. "
                    "Check it and try again, or leave it empty."
                )
                % {"zip": value[:10]}
            )
        return centroid

    def clean(self):
        cleaned = super().clean()
        cleaned["type_ids"] = descendant_ids(
            self.terms, codes=cleaned.get("type") or []
        )
        if cleaned.get("zip") and cleaned.get("radius") is None:
            cleaned["radius"] = DEFAULT_RADIUS_MILES
        if cleaned.get("sort") == "distance" and not cleaned.get("zip"):
            if "zip" not in self.errors:
                self.add_error("zip", _("Enter a ZIP code to sort by distance."))
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
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = ListingReport
        fields = ["message", "contact_email"]
        labels = {
            "message": _("What is wrong or out of date?"),
            "contact_email": _("Your e-mail address (optional)"),
        }
        help_texts = {
            "contact_email": _("Only if you would like us to reply. We never show it."),
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))

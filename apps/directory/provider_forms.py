"""The form a provider corrects its listing with (no account needed)."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.validators import format_phone_number, validate_zip_code
from apps.core.validators import validate_no_control_characters

from .proposals import DAYS, PLAIN, changed_fields
from .querysets import LANGUAGES, WEEKDAY_CODES

US_STATE = RegexValidator(
    r"^[A-Z]{2}$", gettext_lazy("Give the two-letter state code, e.g. MA.")
)


class ListingCorrectionForm(forms.Form):
    """Every field a provider may change, starting from the listing as it is."""

    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        required=False,
    )
    eligibility_description = forms.CharField(
        label=gettext_lazy("Who it is for"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    fees_description = forms.CharField(
        label=gettext_lazy("Fees"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone number"), max_length=40, required=False
    )
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages spoken"),
        choices=[(code, gettext_lazy(name)) for code, name in LANGUAGES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    accepts_referrals = forms.BooleanField(
        label=gettext_lazy("We take referrals from caseworkers"), required=False
    )
    referral_email = forms.EmailField(
        label=gettext_lazy("E-mail address for referrals"), required=False
    )
    telehealth = forms.BooleanField(
        label=gettext_lazy("We offer telehealth"), required=False
    )
    address_1 = forms.CharField(
        label=gettext_lazy("Street address"), max_length=255, required=False
    )
    city = forms.CharField(label=gettext_lazy("City"), max_length=255, required=False)
    state_province = forms.CharField(
        label=gettext_lazy("State"), max_length=2, required=False, validators=[US_STATE]
    )
    postal_code = forms.CharField(
        label=gettext_lazy("ZIP code"),
        max_length=5,
        required=False,
        validators=[validate_zip_code],
    )
    provider_note = forms.CharField(
        label=gettext_lazy("Anything else our staff should know (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, current: dict, **kwargs):
        self.current = current
        initial = {
            **{name: current[name] for name in PLAIN},
            "phone": current["phone"],
            "languages": current["languages"],
            "accepts_referrals": current["accepts_referrals"],
            "referral_email": current["referral_email"],
            "telehealth": current["telehealth"],
            **current["address"],
        }
        for day in DAYS:
            opens, closes = current["hours"].get(day, ["", ""])
            initial[f"{day}_opens"], initial[f"{day}_closes"] = opens, closes
        super().__init__(*args, initial=initial, **kwargs)
        for day in DAYS:
            name = _(WEEKDAY_CODES[day])
            self.fields[f"{day}_opens"] = forms.TimeField(
                label=_("%(day)s opens") % {"day": name},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"{day}_closes"] = forms.TimeField(
                label=_("%(day)s closes") % {"day": name},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
        if not current["address"]:
            # Only a listing with an address can have it corrected here.
            for name in ("address_1", "city", "state_province", "postal_code"):
                del self.fields[name]
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(validate_no_control_characters)
        for name in PLAIN:
            # The listing's own words: written, and kept, in English.
            self.fields[name].widget.attrs["lang"] = "en"

    def day_fields(self):
        """(day name, opens field, closes field) for the template's hours table."""
        return [
            (_(WEEKDAY_CODES[day]), self[f"{day}_opens"], self[f"{day}_closes"])
            for day in DAYS
        ]

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if not value or value == self.current["phone"]:
            return value
        return format_phone_number(value)

    def clean_state_province(self):
        return self.cleaned_data["state_province"].upper()

    def clean(self):
        data = super().clean()
        for day in DAYS:
            opens, closes = data.get(f"{day}_opens"), data.get(f"{day}_closes")
            if bool(opens) != bool(closes):
                self.add_error(
                    f"{day}_closes" if opens else f"{day}_opens",
                    _(
                        "Give both the opening and closing time for %(day)s, "
                        "or leave both empty if you are closed."
                    )
                    % {"day": _(WEEKDAY_CODES[day])},
                )
            elif opens and closes and closes <= opens:
                self.add_error(
                    f"{day}_closes",
                    _("%(day)s closes before it opens: check the times.")
                    % {"day": _(WEEKDAY_CODES[day])},
                )
        if data.get("accepts_referrals") and not data.get("referral_email"):
            self.add_error(
                "referral_email",
                _(
                    "Give the address referrals should go to, or untick "
                    '"We take referrals".'
                ),
            )
        if self.current["address"]:
            for name in ("address_1", "city", "state_province", "postal_code"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("This part of the address is needed."))
        return data

    def proposed(self) -> dict:
        """The listing as the provider wants it, in the shape of proposals.snapshot."""
        data = self.cleaned_data
        hours = {}
        for day in DAYS:
            opens, closes = data.get(f"{day}_opens"), data.get(f"{day}_closes")
            if opens and closes:
                hours[day] = [opens.strftime("%H:%M"), closes.strftime("%H:%M")]
        address = (
            {
                name: data[name]
                for name in ("address_1", "city", "state_province", "postal_code")
            }
            if self.current["address"]
            else {}
        )
        return {
            **{name: data[name] for name in PLAIN},
            "phone": data["phone"],
            "hours": hours,
            "address": address,
            "languages": sorted(data["languages"]),
            "accepts_referrals": data["accepts_referrals"],
            "referral_email": data["referral_email"],
            "telehealth": data["telehealth"],
        }

    def changes(self) -> list[str]:
        return changed_fields(self.current, self.proposed())

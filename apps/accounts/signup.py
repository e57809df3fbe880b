"""The part of the sign-up form that is CareNav's own (ACCOUNT_SIGNUP_FORM_CLASS).

Its own module: allauth imports it while building its forms, so it must not import
them back (apps.accounts.forms does)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PatientProfile


class SignupDetailsForm(forms.Form):
    disease = forms.ChoiceField(
        label=_("Which condition do you have?"),
        choices=PatientProfile.Disease,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "It decides which checklist you see. Not sure yet is a fine "
            "answer, and you can change it later."
        ),
    )

    def signup(self, request, user) -> None:
        disease = self.cleaned_data.get("disease")
        if disease:
            PatientProfile.objects.update_or_create(
                user=user, defaults={"disease": disease}
            )

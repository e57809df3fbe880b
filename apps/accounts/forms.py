from allauth.core import context as allauth_context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import lockout
from .models import PatientProfile


class DateInput(forms.DateInput):
    input_type = "date"


class PatientProfileForm(forms.ModelForm):
    class Meta:
        model = PatientProfile
        fields = [
            "disease",
            "diagnosis_date",
            "symptom_onset_date",
            "onset_site",
            "family_history",
            "zip_code",
            "preferred_language",
        ]
        widgets = {
            "diagnosis_date": DateInput(format="%Y-%m-%d"),
            "symptom_onset_date": DateInput(format="%Y-%m-%d"),
            "zip_code": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "postal-code"}
            ),
        }
        # The model leaves this one's name to Django, which does not translate it.
        labels = {"preferred_language": _("Preferred language")}
        help_texts = {
            "diagnosis_date": _("Leave empty if you have not been diagnosed yet."),
            "symptom_onset_date": _("An approximate date is fine."),
            "zip_code": _("Five digits. Used to find services near you."),
        }
        error_messages = {
            "diagnosis_date": {
                "invalid": _("Enter a real date, for example 2026-03-31.")
            },
            "symptom_onset_date": {
                "invalid": _("Enter a real date, for example 2026-03-31.")
            },
        }


class LockoutCountedCodeMixin:
    """Second-factor code forms whose wrong codes count toward the account lock-out.

    allauth checks the code (TOTP or a recovery code); this refuses any code while the
    account is locked, reports each wrong one to django-axes and says how many tries
    are left.
    """

    def clean_code(self) -> str:
        request = allauth_context.request
        if lockout.is_locked(request, self.user):
            raise forms.ValidationError(self._locked_message(), code="locked")
        try:
            return super().clean_code()
        except forms.ValidationError as error:
            if error.code != "incorrect_code":
                raise
        lockout.record_failed_code(request, self.user)
        left = lockout.tries_left(request, self.user)
        if not left:
            raise forms.ValidationError(self._locked_message(), code="locked")
        raise forms.ValidationError(
            ngettext(
                "That code is not right. After %(left)s more wrong try, signing in "
                "to this account is paused for %(wait)s.",
                "That code is not right. After %(left)s more wrong tries, signing in "
                "to this account is paused for %(wait)s.",
                left,
            ),
            code="incorrect_code",
            params={"left": left, "wait": lockout.cooloff_text()},
        )

    @staticmethod
    def _locked_message() -> str:
        return gettext(
            "Too many wrong codes or passwords: signing in to this account is paused. "
            "Please wait %(wait)s and try again."
        ) % {"wait": lockout.cooloff_text()}


class SecondFactorForm(LockoutCountedCodeMixin, AuthenticateForm):
    """The code step of signing in (MFA_FORMS["authenticate"])."""


class SecondFactorAgainForm(LockoutCountedCodeMixin, ReauthenticateForm):
    """Confirming a code before a sensitive change (MFA_FORMS["reauthenticate"])."""


class ReminderForm(forms.ModelForm):
    class Meta:
        model = PatientProfile
        fields = ["email_reminders"]


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("That is not your password. Your account has not been deleted."),
                code="wrong_password",
            )
        return password

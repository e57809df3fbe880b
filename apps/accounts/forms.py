from django import forms

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
        help_texts = {
            "diagnosis_date": "Leave empty if you have not been diagnosed yet.",
            "symptom_onset_date": "An approximate date is fine.",
            "zip_code": "Five digits. Used to find services near you.",
        }
        error_messages = {
            "diagnosis_date": {"invalid": "Enter a real date, for example 2026-03-31."},
            "symptom_onset_date": {
                "invalid": "Enter a real date, for example 2026-03-31."
            },
        }

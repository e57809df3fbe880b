from itertools import groupby

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import PatientProfile

from .models import ItemProgress, Stage


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ItemProgress.Status)


class ItemNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Private note"),
        required=False,
        max_length=2000,
        # No maxlength attribute: a browser would cut a pasted note silently; the
        # server says how long it is instead.
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only you can see this note."),
        error_messages={
            "max_length": _(
                "Keep the note to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            )
        },
    )


class StageChoiceForm(forms.Form):
    """Choose one's own stage from already loaded stages (no query of its own)."""

    stage = forms.ChoiceField(
        label=_("Choose the stage that fits you best"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select w-auto"}),
    )

    def __init__(self, *args, stages: list[Stage], suggested: Stage | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stages = {str(stage.pk): stage for stage in stages}
        suggestion = (
            _("The suggested stage (%(stage)s)") % {"stage": suggested.title}
            if suggested
            else _("The suggested stage")
        )
        choices = [("", suggestion)]
        diseases = [
            (disease, list(group))
            for disease, group in groupby(stages, key=lambda stage: stage.disease)
        ]
        if len(diseases) > 1:
            for disease, group in diseases:
                choices.append(
                    (disease.short_name, [(str(s.pk), s.title) for s in group])
                )
        else:
            choices += [(str(stage.pk), stage.title) for stage in stages]
        self.fields["stage"].choices = choices

    def clean_stage(self) -> Stage | None:
        value = self.cleaned_data["stage"]
        return self.stages[value] if value else None


class ConditionForm(forms.Form):
    """The first question to a new account."""

    disease = forms.ChoiceField(
        label=_("Which condition do you have?"),
        choices=PatientProfile.Disease,
        widget=forms.RadioSelect,
    )

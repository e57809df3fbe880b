import uuid
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import PatientProfile, Team, User
from apps.accounts.validators import format_phone_number, validate_zip_code
from apps.core.forms import CharacterCountMixin
from apps.core.validators import validate_appointment
from apps.directory.models import Location, Service

from . import services
from .models import Client, DeclineReason, Referral

DECLINE_REASON_CHOICES = [("", _("Choose a reason")), *DeclineReason.choices]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class VersionMixin(CharacterCountMixin, forms.Form):
    """The version of the referral the person saw, to detect changes made since."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class OneSubmissionForm(forms.Form):
    """A form that creates one record however often it is sent.

    Each form page carries a fresh key; a second submission with the same key (a
    double click, Back and send again) gets the record the first one made (see
    services.create_once).
    """

    submission_key = forms.UUIDField(
        widget=forms.HiddenInput, initial=uuid.uuid4, required=False
    )


class ClientForm(OneSubmissionForm, forms.ModelForm):
    zip_code = forms.CharField(
        label=_("ZIP code"),
        max_length=5,
        required=False,
        validators=[validate_zip_code],
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "postal-code"}
        ),
    )
    preferred_language = forms.ChoiceField(
        choices=PatientProfile.Language.choices, initial="en"
    )

    class Meta:
        model = Client
        fields = [
            "full_name",
            "email",
            "phone",
            "date_of_birth",
            "gender",
            "zip_code",
            "preferred_language",
            "consents_to_share_with_services",
        ]
        labels = {
            "full_name": _("Full name"),
            "email": _("E-mail address"),
            "phone": _("Phone number"),
            "date_of_birth": _("Date of birth"),
            "consents_to_share_with_services": (
                _(
                    "The client agrees that services they are referred to may see "
                    "their name and contact details"
                )
            ),
        }
        help_texts = {"consents_to_share_with_services": ""}
        widgets = {"date_of_birth": DateInput()}

    def clean_gender(self):
        # Not asked by every form that makes a client: unknown until it is told.
        return self.cleaned_data.get("gender") or Client.Gender.UNKNOWN

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gender"].required = False
        self.user = user
        if user.role == User.Role.SUPERVISOR and self.instance.pk is None:
            self.fields["caseworker"] = forms.ModelChoiceField(
                queryset=User.objects.filter(
                    role=User.Role.CASEWORKER, team_id=user.team_id, is_active=True
                ).order_by("full_name", "email"),
                label=_("Caseworker"),
                help_text=_("The caseworker of your team who looks after this client."),
            )

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        return format_phone_number(value) if value else ""

    def save(self, commit=True):
        client = super().save(commit=False)
        is_new = client.pk is None
        if is_new:
            caseworker = self.cleaned_data.get("caseworker") or self.user
            client.caseworker = caseworker
            client.team_id = caseworker.team_id
            client.submission_key = self.cleaned_data.get("submission_key")
        if "consents_to_share_with_services" in self.changed_data:
            client.consent_recorded_at = timezone.now()
        if commit and is_new:
            return services.create_once(
                Client.objects.visible_to(self.user),
                client.submission_key,
                lambda: client.save() or client,
            )
        if commit:
            client.save()
        return client


def referrable_services():
    return (
        Service.objects.active()
        .filter(accepts_referrals=True)
        .select_related("organization")
        .order_by("name")
    )


class ClientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.email})" if obj.email else obj.full_name


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        address = next(iter(obj.addresses.all()), None)
        if address is None:
            return obj.name
        return f"{obj.name}: {address.address_1}, {address.city}"


class ReferralForm(CharacterCountMixin, forms.ModelForm):
    """A new referral, saved as a draft until the caseworker sends it.

    The service was chosen beforehand through the directory's search (it travels
    as a hidden value), so the form never lists the directory; the locations are
    those of that service only.
    """

    client = ClientChoiceField(queryset=Client.objects.none())
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose a service first."),
            "invalid_choice": _(
                "That service does not take referrals through "
                "CareNav. Choose another one."
            ),
        },
    )
    location = LocationChoiceField(
        queryset=Location.objects.none(),
        required=False,
        label=_("Preferred location (optional)"),
        empty_label=_("Any location of this service"),
        error_messages={
            "invalid_choice": _("This service is not offered at that location.")
        },
    )

    class Meta:
        model = Referral
        fields = ["client", "service", "location", "reason", "urgency", "follow_up_on"]
        labels = {
            "reason": _("Reason for the referral"),
            "follow_up_on": _("Follow up on"),
        }
        help_texts = {
            "reason": _(
                "What the client needs from this service. The service reads "
                "this; keep private details out of it."
            ),
            "follow_up_on": _("The dashboard reminds you on this date."),
        }
        widgets = {
            "follow_up_on": DateInput(),
            "reason": forms.Textarea(attrs={"rows": 5, "translate": "no"}),
        }

    def __init__(self, *args, request, service: Service | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices show every client's name: each one listed is a logged read.
        self.fields["client"].queryset = (
            Client.objects.visible_to(request.user)
            .logged(request)
            .order_by("full_name")
        )
        self.fields["service"].queryset = referrable_services()
        if service is not None:
            self.fields["location"].queryset = (
                Location.objects.filter(service_at_locations__service=service)
                .prefetch_related("addresses")
                .distinct()
                .order_by("name")
            )

    def clean_follow_up_on(self):
        value = self.cleaned_data["follow_up_on"]
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later date."))
        return value


class ReferralUpdateForm(VersionMixin, forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["reason", "urgency", "follow_up_on"]
        labels = {
            "reason": _("Reason for the referral"),
            "follow_up_on": _("Follow up on"),
        }
        widgets = {
            "follow_up_on": DateInput(),
            "reason": forms.Textarea(attrs={"rows": 5, "translate": "no"}),
        }


class StatusChangeForm(VersionMixin):
    # Any status is accepted here: whether it may follow the current one is for
    # the change's statement to say, against the version the person saw. The
    # choices of both lists are callables: a form copies a list of choices (and
    # its widget normalizes it again) choice by choice, on every request.
    to = forms.ChoiceField(
        label=_("New status"), choices=lambda: Referral.Status.choices
    )
    appointment_at = forms.DateTimeField(
        label=_("Appointment date and time"),
        required=False,
        widget=DateTimeInput(),
        validators=[validate_appointment],
        help_text=_("Needed when the referral is scheduled."),
    )
    note = forms.CharField(
        label=_("Note for the timeline (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the referral is declined: say why."),
    )
    decline_reason = forms.ChoiceField(
        label=_("Why the service declined"),
        choices=lambda: DECLINE_REASON_CHOICES,
        required=False,
        help_text=_("Needed when the referral is declined."),
    )

    def __init__(self, *args, referral: Referral | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if referral is not None:
            self.offer_next(referral)

    def offer_next(self, referral: Referral) -> None:
        """Offer, on the page, only the statuses that may follow the referral's
        now (and the decline's reason only when it may be declined)."""
        self.fields["to"].widget.choices = [
            (status, Referral.Status(status).label)
            for status in referral.allowed_next()
        ]
        if not referral.can_change_to(Referral.Status.DECLINED):
            self.fields.pop("decline_reason", None)

    def clean(self):
        cleaned = super().clean()
        to = cleaned.get("to")
        if to == Referral.Status.SCHEDULED and not cleaned.get("appointment_at"):
            self.add_error(
                "appointment_at", _("Enter the appointment's date and time.")
            )
        if to == Referral.Status.DECLINED:
            if not cleaned.get("note", "").strip():
                self.add_error("note", _("Say why the referral was declined."))
            if not cleaned.get("decline_reason"):
                self.add_error("decline_reason", _("Choose why it was declined."))
        else:
            # Only a decline has a reason; a reason picked before changing one's
            # mind about the status is dropped rather than refused.
            cleaned["decline_reason"] = ""
        return cleaned


class RespondForm(VersionMixin):
    """One answer a receiving service gives through its link (see SERVICE_ACTIONS).

    The answer itself travels in a separate "action" field that the view reads.
    """

    appointment_at = forms.DateTimeField(
        label=_("Appointment date and time"),
        widget=DateTimeInput(),
        validators=[validate_appointment],
    )
    note = forms.CharField(
        label=_("Message for the caseworker (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decline_reason = forms.ChoiceField(
        label=_("Main reason"), choices=DECLINE_REASON_CHOICES
    )

    def __init__(self, *args, action: str, referral: Referral, **kwargs):
        kwargs.setdefault("auto_id", f"id_{action}_%s")
        super().__init__(*args, **kwargs)
        self.action = action
        self.early_appointment = None
        if (
            action == "complete"
            and referral.appointment_at
            and referral.appointment_at > timezone.now()
        ):
            # Completing before the appointment is likely a slip: ask to confirm.
            self.early_appointment = referral.appointment_at
            when = date_format(
                timezone.localtime(referral.appointment_at), "DATETIME_FORMAT"
            )
            self.fields["confirm_early"] = forms.BooleanField(
                required=False,
                label=_(
                    "Yes, it is completed although the appointment (%(when)s) "
                    "has not come yet"
                )
                % {"when": when},
            )
        if action != "schedule":
            del self.fields["appointment_at"]
        if action != "decline":
            del self.fields["decline_reason"]
        if action == "decline":
            self.fields["note"].required = True
            self.fields["note"].label = _("Why you cannot help")
            self.fields["note"].help_text = _(
                "The caseworker reads this to find help elsewhere."
            )

    def clean_appointment_at(self):
        when = self.cleaned_data["appointment_at"]
        if when and when < timezone.now():
            raise forms.ValidationError(_("The appointment cannot be in the past."))
        return when

    def clean(self):
        cleaned = super().clean()
        if self.early_appointment and not cleaned.get("confirm_early"):
            self.add_error(
                "confirm_early",
                _(
                    "The appointment date has not come yet. Tick the box to confirm "
                    "that the referral is completed anyway."
                ),
            )
        return cleaned


class NoteForm(CharacterCountMixin, OneSubmissionForm):
    text = forms.CharField(
        label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(
        label=_("Who can read it"),
        choices=[
            ("internal", _("Internal: caseworkers and supervisors only")),
            ("shared", _("Shared: the client can also read it in their account")),
        ],
        initial="internal",
        widget=forms.RadioSelect,
    )

    @property
    def is_internal(self) -> bool:
        return self.cleaned_data["visibility"] != "shared"


class ReassignForm(forms.Form):
    caseworker = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Move to")
    )

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = (
            User.objects.filter(
                role=User.Role.CASEWORKER, team_id=client.team_id, is_active=True
            )
            .exclude(pk=client.caseworker_id)
            .order_by("full_name", "email")
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Send the invitation to"),
        help_text=_("The client must sign in to CareNav with this address to accept."),
    )


class ReportPeriodForm(forms.Form):
    """The period of an outcome report and, for administrators, the team."""

    MAX_YEARS = 5

    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To (inclusive)"), widget=DateInput())
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label=_("Every team")
    )

    def __init__(self, *args, choose_team: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if choose_team:
            self.fields["team"].queryset = Team.objects.order_by("name")
        else:
            del self.fields["team"]

    @staticmethod
    def default_period(today: date) -> dict[str, str]:
        """The current month and the eleven before it."""
        month = today.replace(day=1)
        for _month in range(11):
            month = (month - timedelta(days=1)).replace(day=1)
        return {"start": month.isoformat(), "end": today.isoformat()}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        today = timezone.localdate()
        if start and start > today:
            self.add_error(
                "start", _("The start date is in the future. Choose today or earlier.")
            )
        if end and end > today:
            self.add_error(
                "end", _("The end date is in the future. Choose today or earlier.")
            )
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))
        elif start and end:
            try:
                earliest = end.replace(year=end.year - self.MAX_YEARS)
            except ValueError:  # 29 February
                earliest = end.replace(year=end.year - self.MAX_YEARS, day=28)
            if start < earliest:
                self.add_error(
                    "start",
                    _(
                        "A report covers at most %(years)s years: choose a start "
                        "date on or after %(earliest)s."
                    )
                    % {"years": self.MAX_YEARS, "earliest": date_format(earliest)},
                )
        return cleaned

from django.contrib import messages
from django.contrib.auth import logout
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from . import personal_data
from .decorators import role_required
from .forms import AccountDeleteForm, PatientProfileForm, ReminderForm
from .models import PatientProfile, User
from .services import delete_account


def _safe_next(request) -> str:
    """Where the patient came from, when that is a page of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_http_methods(["GET", "POST"])
@role_required(User.Role.PATIENT)
def profile_update(request):
    profile, _ = PatientProfile.objects.visible_to(request.user).get_or_create(
        user=request.user
    )
    form = PatientProfileForm(request.POST or None, instance=profile)
    next_url = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Saved: your profile."))
        return redirect(next_url or "accounts:profile_update")
    return render(
        request,
        "accounts/patientprofile_form.html",
        {"form": form, "next": next_url},
    )


def _own_profile(user) -> PatientProfile:
    profile = PatientProfile.objects.visible_to(user).first()
    return profile or PatientProfile(user=user)


@require_http_methods(["GET", "HEAD"])
@role_required(User.Role.PATIENT)
def account(request):
    """The patient's account: sign-in details, reminders, sharing, data, deletion."""
    profile = _own_profile(request.user)
    return render(
        request,
        "accounts/account.html",
        {"profile": profile, "reminder_form": ReminderForm(instance=profile)},
    )


@require_POST
@role_required(User.Role.PATIENT)
def reminders_update(request):
    profile, _ = PatientProfile.objects.visible_to(request.user).get_or_create(
        user=request.user
    )
    form = ReminderForm(request.POST, instance=profile)
    if form.is_valid():
        form.save()
        if profile.email_reminders:
            messages.success(
                request, gettext("Saved: you will get a weekly reminder e-mail.")
            )
        else:
            messages.success(request, gettext("Saved: no reminder e-mails."))
    return redirect(reverse("accounts:account") + "#reminders")


@require_http_methods(["GET", "HEAD"])
@role_required(User.Role.PATIENT)
def data_export(request):
    """Everything CareNav holds about the patient, as a JSON file to keep."""
    response = JsonResponse(
        personal_data.as_json(request),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="carenav-my-data-{stamp}.json"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD"])
@role_required(User.Role.PATIENT)
def data_page(request):
    """The same data as the JSON file, as a page to read or print."""
    sections = [
        (
            section,
            [
                [
                    (gettext(label), personal_data.display(value))
                    for label, value in r.items()
                ]
                for r in records
            ],
        )
        for section, records in personal_data.collect(request)
    ]
    response = render(
        request,
        "accounts/my_data.html",
        {"sections": sections, "exported_at": timezone.now()},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@role_required(User.Role.PATIENT)
def account_delete(request):
    """What deleting removes and what others keep, then the password to confirm."""
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        delete_account(user=user)
        return redirect("accounts:account_deleted")
    return render(
        request,
        "accounts/account_delete.html",
        {"form": form, "sections": personal_data.sections()},
    )


@require_http_methods(["GET", "HEAD"])
def account_deleted(request):
    return render(request, "accounts/account_deleted.html")

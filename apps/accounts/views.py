from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .decorators import role_required
from .forms import PatientProfileForm
from .models import PatientProfile, User


@require_http_methods(["GET", "POST"])
@role_required(User.Role.PATIENT)
def profile_update(request):
    profile, _ = PatientProfile.objects.visible_to(request.user).get_or_create(
        user=request.user
    )
    form = PatientProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile_update")
    return render(request, "accounts/patientprofile_form.html", {"form": form})

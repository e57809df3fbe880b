from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import User
from apps.core.caching import cache_public_page
from apps.diseases.models import Disease

from . import personalise
from .calendar import checklist_calendar
from .forms import ItemNoteForm, ItemStatusForm, StageChoiceForm
from .models import ChecklistItem, ItemProgress
from .services import (
    build_patient_checklist,
    choose_stage,
    current_items,
    directory_search_url,
    set_item_note,
    set_item_status,
)


@login_not_required
@require_http_methods(["GET", "HEAD"])
@cache_public_page()
def stage_list(request, disease):
    """The stages and items of a disease, the same for everyone (anonymous visitors
    share one cached copy: the page renders about 80 items)."""
    disease = get_object_or_404(Disease.objects.published(), slug=disease)
    stages = list(disease.stages.order_by("order").prefetch_related(current_items()))
    for stage in stages:
        for item in stage.items.all():
            item.find_url = directory_search_url(item)
            item.audience = personalise.audience_label(item)
            item.timing_rule = personalise.describe_rule(item)
    other_diseases = (
        Disease.objects.published()
        .filter(stages__isnull=False)
        .exclude(pk=disease.pk)
        .distinct()
    )
    return render(
        request,
        "checklists/stage_list.html",
        {"disease": disease, "stages": stages, "other_diseases": other_diseases},
    )


def _wants_all(request) -> bool:
    return (request.GET.get("show") or request.POST.get("show")) == "all"


def _checklist_url(*, show_all: bool, anchor: str = "") -> str:
    url = reverse("checklists:my_checklist")
    if show_all:
        url += "?show=all"
    return url + (f"#{anchor}" if anchor else "")


def _checklist_page(request, checklist, *, status=200, note_form=None, note_item=None):
    stage_form = StageChoiceForm(
        initial={
            "stage": checklist.current_stage.pk if checklist.stage_is_chosen else ""
        },
        stages=checklist.stage_choices,
        suggested=checklist.suggested_stage,
    )
    return render(
        request,
        "checklists/my_checklist.html",
        {
            "checklist": checklist,
            "stage_form": stage_form,
            "note_form": note_form,
            "note_item_id": note_item.pk if note_item else None,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
@role_required(User.Role.PATIENT)
def my_checklist(request):
    checklist = build_patient_checklist(request.user, show_all=_wants_all(request))
    return _checklist_page(request, checklist)


def _item_changed(request, item, *, announcement="", note_form=None):
    """After a change: the item again, with its stage's counts, the overview and the
    "coming up" list swapped out of band, and a sentence for screen readers."""
    checklist = build_patient_checklist(request.user, show_all=_wants_all(request))
    block, row = checklist.find(item.pk)
    if row is None:
        # Hidden from this view (e.g. another disease's item): nothing to redraw.
        return HttpResponse(status=204)
    return render(
        request,
        "checklists/includes/item_changed.html",
        {
            "checklist": checklist,
            "block": block,
            "row": row,
            "announcement": announcement,
            "note_form": note_form,
            "note_item_id": item.pk if note_form is not None else None,
        },
    )


ANNOUNCEMENTS = {
    ItemProgress.Status.DONE: "Marked as done: {title}.",
    ItemProgress.Status.TODO: "Back on your list: {title}.",
    ItemProgress.Status.NOT_FOR_ME: "Set aside as not for you: {title}.",
}


@require_POST
@role_required(User.Role.PATIENT)
def item_status(request, pk):
    item = get_object_or_404(ChecklistItem.objects.current(), pk=pk)
    form = ItemStatusForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return HttpResponse("Choose done, to do or not for me.", status=400)
        messages.error(request, "That change could not be made. Please try again.")
        return redirect(
            _checklist_url(show_all=_wants_all(request), anchor=f"item-{pk}")
        )
    status = form.cleaned_data["status"]
    set_item_status(patient=request.user, item=item, status=status)
    if request.htmx:
        return _item_changed(
            request, item, announcement=ANNOUNCEMENTS[status].format(title=item.title)
        )
    messages.success(request, "Your checklist is saved.")
    return redirect(_checklist_url(show_all=_wants_all(request), anchor=f"item-{pk}"))


@require_POST
@role_required(User.Role.PATIENT)
def item_note(request, pk):
    item = get_object_or_404(ChecklistItem.objects.current(), pk=pk)
    form = ItemNoteForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return _item_changed(
                request,
                item,
                announcement="The note was not saved. See the message below it.",
                note_form=form,
            )
        checklist = build_patient_checklist(request.user, show_all=_wants_all(request))
        return _checklist_page(
            request, checklist, status=400, note_form=form, note_item=item
        )
    set_item_note(patient=request.user, item=item, note=form.cleaned_data["note"])
    if request.htmx:
        return _item_changed(request, item, announcement="Note saved.")
    messages.success(request, "Your note is saved.")
    return redirect(_checklist_url(show_all=_wants_all(request), anchor=f"item-{pk}"))


@require_POST
@role_required(User.Role.PATIENT)
def stage_choose(request):
    checklist = build_patient_checklist(request.user)
    form = StageChoiceForm(
        request.POST,
        stages=checklist.stage_choices,
        suggested=checklist.suggested_stage,
    )
    if not form.is_valid():
        messages.error(request, "Choose one of the stages in the list.")
        return redirect(_checklist_url(show_all=_wants_all(request), anchor="my-stage"))
    choose_stage(patient=request.user, stage=form.cleaned_data["stage"])
    messages.success(request, "Your stage is saved.")
    return redirect(_checklist_url(show_all=_wants_all(request), anchor="my-stage"))


@require_http_methods(["GET", "HEAD"])
@role_required(User.Role.PATIENT)
def my_checklist_print(request):
    checklist = build_patient_checklist(request.user, show_all=_wants_all(request))
    return render(
        request,
        "checklists/my_checklist_print.html",
        {"checklist": checklist, "printed_at": timezone.localdate()},
    )


@require_http_methods(["GET", "HEAD"])
@role_required(User.Role.PATIENT)
def my_checklist_calendar(request):
    checklist = build_patient_checklist(request.user)
    body = checklist_calendar(
        checklist,
        checklist_url=request.build_absolute_uri(reverse("checklists:my_checklist")),
        now=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="carenav-checklist.ics"'
    # Personal: not for shared caches.
    response["Cache-Control"] = "private, no-store"
    return response

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.decorators import role_required
from apps.accounts.models import User
from apps.core.caching import cache_public_page
from apps.diseases.models import Disease

from . import personalise
from .calendar import checklist_calendar
from .forms import ConditionForm, ItemNoteForm, ItemStatusForm, StageChoiceForm
from .models import ChecklistItem, ItemProgress
from .page_cache import cached_page, profile_with_versions
from .reminders import stop_reminders, user_id_for_token
from .services import (
    StageNotFound,
    build_patient_checklist,
    choose_stage,
    current_items,
    directory_search_url,
    set_condition,
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
    items = [item for stage in stages for item in stage.items.all()]
    for item in items:
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
        {
            "disease": disease,
            "stages": stages,
            "items": items,
            "other_diseases": other_diseases,
        },
    )


def _wants_all(request) -> bool:
    return (request.GET.get("show") or request.POST.get("show")) == "all"


def _checklist_url(*, stage: str = "", show_all: bool = False, anchor: str = "") -> str:
    """The paced page: the patient's own stage, or the stage with this slug."""
    if stage:
        url = reverse("checklists:my_checklist_stage", args=[stage])
    else:
        url = reverse("checklists:my_checklist")
    if show_all:
        url += "?show=all"
    return url + (f"#{anchor}" if anchor else "")


def _page_stage(request) -> str:
    """The stage page a form was posted from ("" for the patient's own)."""
    value = request.POST.get("page", "")
    return value if value.replace("-", "").isalnum() else ""


def _build(request, *, focus: str, profile=None):
    try:
        return build_patient_checklist(
            request.user, show_all=_wants_all(request), focus=focus, profile=profile
        )
    except StageNotFound:
        raise Http404("No such stage") from None


def _checklist_page(
    request, checklist, *, page: str = "", status=200, note_form=None, note_item=None
):
    stage_form = StageChoiceForm(
        initial={
            "stage": checklist.current_stage.pk if checklist.stage_is_chosen else ""
        },
        stages=checklist.stage_choices,
        suggested=checklist.suggested_stage,
    )
    focus = checklist.focus
    return render(
        request,
        "checklists/my_checklist.html",
        {
            "checklist": checklist,
            "focus": focus,
            "page": page,
            "is_later_stage": bool(
                focus
                and checklist.current_stage
                and focus.stage.order > checklist.current_stage.order
            ),
            "stage_form": stage_form,
            "condition_form": ConditionForm(),
            "note_form": note_form,
            "note_item_id": note_item.pk if note_item else None,
            "profile_url": reverse("accounts:profile_update")
            + "?"
            + urlencode({"next": request.get_full_path()}),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
@role_required(User.Role.PATIENT)
def my_checklist(request):
    """The patient's own stage in full; the others one line each."""
    profile = profile_with_versions(request.user)
    return cached_page(
        request,
        profile,
        lambda: _checklist_page(request, _build(request, focus="", profile=profile)),
    )


@require_http_methods(["GET", "HEAD"])
@role_required(User.Role.PATIENT)
def my_checklist_stage(request, stage):
    """One stage of the patient's condition in full, opened on purpose."""
    profile = profile_with_versions(request.user)
    return cached_page(
        request,
        profile,
        lambda: _checklist_page(
            request, _build(request, focus=stage, profile=profile), page=stage
        ),
    )


def _item_changed(request, item, *, announcement="", note_form=None):
    """After a change: the item again, with its stage's counts, the overview and the
    "coming up" list swapped out of band, and a sentence for screen readers."""
    try:
        checklist = build_patient_checklist(
            request.user, show_all=_wants_all(request), focus=item.stage.slug
        )
    except StageNotFound:
        checklist = None
    block, row = checklist.find(item.pk) if checklist else (None, None)
    if row is None:
        # Hidden from this view (e.g. another disease's item): nothing to redraw.
        return HttpResponse(status=204)
    return render(
        request,
        "checklists/includes/item_changed.html",
        {
            "checklist": checklist,
            "focus": block,
            "page": _page_stage(request),
            "block": block,
            "row": row,
            "announcement": announcement,
            "note_form": note_form,
            "note_item_id": item.pk if note_form is not None else None,
        },
    )


ANNOUNCEMENTS = {
    ItemProgress.Status.DONE: gettext_lazy("Saved. Marked as done: %(title)s."),
    ItemProgress.Status.TODO: gettext_lazy("Saved. Back on your list: %(title)s."),
    ItemProgress.Status.NOT_FOR_ME: gettext_lazy(
        "Saved. Set aside as not for you: %(title)s."
    ),
}


def _current_item(pk):
    return get_object_or_404(
        ChecklistItem.objects.current().select_related("stage"), pk=pk
    )


def _back_to_item(request, item):
    return redirect(
        _checklist_url(
            stage=_page_stage(request),
            show_all=_wants_all(request),
            anchor=f"item-{item.pk}",
        )
    )


@require_POST
@role_required(User.Role.PATIENT)
def item_status(request, pk):
    item = _current_item(pk)
    form = ItemStatusForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return HttpResponse(_("Choose done, to do or not for me."), status=400)
        messages.error(request, _("That change could not be made. Please try again."))
        return _back_to_item(request, item)
    status = form.cleaned_data["status"]
    set_item_status(patient=request.user, item=item, status=status)
    announcement = ANNOUNCEMENTS[status] % {"title": item.title}
    if request.htmx:
        return _item_changed(request, item, announcement=announcement)
    messages.success(request, announcement)
    return _back_to_item(request, item)


@require_POST
@role_required(User.Role.PATIENT)
def item_note(request, pk):
    item = _current_item(pk)
    form = ItemNoteForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return _item_changed(
                request,
                item,
                announcement=_("The note was not saved. See the message below it."),
                note_form=form,
            )
        page = _page_stage(request)
        checklist = _build(request, focus=page or item.stage.slug)
        return _checklist_page(
            request, checklist, page=page, status=400, note_form=form, note_item=item
        )
    set_item_note(patient=request.user, item=item, note=form.cleaned_data["note"])
    saved = _("Saved. Your note on: %(title)s.") % {"title": item.title}
    if request.htmx:
        return _item_changed(request, item, announcement=saved)
    messages.success(request, saved)
    return _back_to_item(request, item)


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
        messages.error(request, _("Choose one of the stages in the list."))
        return redirect(_checklist_url(show_all=_wants_all(request), anchor="my-stage"))
    stage = form.cleaned_data["stage"]
    choose_stage(patient=request.user, stage=stage)
    if stage is None:
        messages.success(request, _("Saved: your stage follows the suggestion again."))
    else:
        messages.success(
            request, _("Saved: your stage is now %(stage)s.") % {"stage": stage.title}
        )
    return redirect(_checklist_url(show_all=_wants_all(request)))


@require_POST
@role_required(User.Role.PATIENT)
def condition_choose(request):
    """The first question to a new account: which condition (or not sure yet)."""
    form = ConditionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose ALS, MS or not sure yet."))
        return redirect(_checklist_url(anchor="my-condition"))
    set_condition(patient=request.user, disease=form.cleaned_data["disease"])
    messages.success(request, _("Saved: your checklist now fits your answer."))
    return redirect(_checklist_url())


@require_http_methods(["GET", "HEAD"])
@role_required(User.Role.PATIENT)
def my_checklist_print(request):
    """The patient's own stage on paper; ?stages=all prints every stage."""
    print_all = request.GET.get("stages") == "all"
    checklist = build_patient_checklist(request.user, show_all=_wants_all(request))
    blocks = checklist.stages if print_all else [checklist.current_block]
    return render(
        request,
        "checklists/my_checklist_print.html",
        {
            "checklist": checklist,
            "blocks": [block for block in blocks if block is not None],
            "print_all": print_all,
            "printed_at": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "HEAD"])
@role_required(User.Role.PATIENT)
def my_checklist_calendar(request):
    checklist = build_patient_checklist(request.user)
    stage_urls = {
        block.stage.pk: request.build_absolute_uri(
            reverse("checklists:my_checklist_stage", args=[block.stage.slug])
        )
        for block in checklist.stages
    }
    body = checklist_calendar(
        checklist,
        checklist_url=request.build_absolute_uri(reverse("checklists:my_checklist")),
        now=timezone.now(),
        stage_urls=stage_urls,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="carenav-checklist.ics"'
    # Personal: not for shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def reminders_unsubscribe(request, token):
    """The link in every reminder: one click stops them, without signing in.

    A GET does it, since that is what one click on a link is; stopping twice is
    harmless, and the page says how to turn reminders on again."""
    user_id = user_id_for_token(token)
    if user_id is None:
        response = render(
            request, "checklists/reminders_unsubscribed.html", {"valid": False}
        )
        response.status_code = 404
    else:
        if request.method != "HEAD":  # link checkers only look
            stop_reminders(user_id)
        response = render(
            request, "checklists/reminders_unsubscribed.html", {"valid": True}
        )
    response["Cache-Control"] = "private, no-store"
    return response

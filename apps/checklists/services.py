"""Reading and changing a patient's checklist.

The personal checklist is assembled here in a fixed number of queries, whatever the
number of items or progress rows, and the same assembly backs the patient's page,
the print view, the calendar and the read-only summary shown to a caseworker.
"""

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import PatientProfile, User

from . import personalise
from .models import (
    ChecklistItem,
    ChecklistItemReference,
    ItemProgress,
    PatientStage,
    Stage,
)

Status = ItemProgress.Status
# How many dated steps the paced page lists under "Coming up".
COMING_UP_LIMIT = 3


# Reading -------------------------------------------------------------------------


@dataclass
class ItemRow:
    """One item as one patient sees it."""

    item: ChecklistItem
    progress: ItemProgress | None
    timing: personalise.Timing
    hidden_reason: str
    find_url: str
    # Set when the item often matters sooner for the patient's onset site.
    sooner_note: str = ""
    # The paced page of the item's stage (set by focus_on).
    stage_url: str = ""

    @property
    def status(self) -> str:
        return self.progress.status if self.progress else Status.TODO

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def is_done(self) -> bool:
        return self.status == Status.DONE

    @property
    def is_not_for_me(self) -> bool:
        return self.status == Status.NOT_FOR_ME

    @property
    def is_open(self) -> bool:
        """Still to do: neither done nor set aside."""
        return self.status == Status.TODO

    @property
    def applies(self) -> bool:
        return not self.hidden_reason

    @property
    def done_on(self) -> date | None:
        return self.progress.done_on if self.progress else None

    @property
    def note(self) -> str:
        return self.progress.note if self.progress else ""

    @property
    def article_url(self) -> str:
        return published_article_url(self.item)


@dataclass
class StageBlock:
    stage: Stage
    rows: list[ItemRow]
    is_current: bool = False
    done_count: int = 0
    not_for_me_count: int = 0
    # Items that apply to the patient, less those set aside as not for them.
    total_count: int = 0
    hidden_count: int = 0
    # The stage's paced page (set by focus_on).
    url: str = ""

    @property
    def open_count(self) -> int:
        return self.total_count - self.done_count

    @property
    def percent_done(self) -> int:
        if not self.total_count:
            return 0
        return round(100 * self.done_count / self.total_count)


@dataclass
class PatientChecklist:
    patient: User | None
    profile: PatientProfile
    stages: list[StageBlock]
    suggested_stage: Stage | None
    current_stage: Stage | None
    stage_is_chosen: bool
    suggestion_reason: str
    show_all: bool
    today: date
    # Stages the patient may choose from (every disease's, when not sure yet).
    stage_choices: list[Stage] = field(default_factory=list)
    # The stage shown in full on a paced page (None: every stage is detailed).
    focus: StageBlock | None = None

    @property
    def disease(self):
        return self.stages[0].stage.disease if self.stages else None

    @property
    def rows(self) -> list[ItemRow]:
        return [row for block in self.stages for row in block.rows]

    @property
    def coming_up(self) -> list[ItemRow]:
        return personalise.coming_up(row for row in self.rows if row.applies)

    @property
    def coming_up_soon(self) -> list[ItemRow]:
        """The next few dated steps, from the patient's stage and those before it:
        later stages are not brought forward unasked."""
        current = self.current_stage
        rows = (
            row
            for block in self.stages
            if current is None or block.stage.order <= current.order
            for row in block.rows
            if row.applies
        )
        return personalise.coming_up(rows, limit=COMING_UP_LIMIT)

    @property
    def current_block(self) -> "StageBlock | None":
        return next((block for block in self.stages if block.is_current), None)

    @property
    def is_not_sure(self) -> bool:
        return self.profile.disease not in personalise.DISEASES_WITH_CHECKLISTS

    @property
    def has_dated_items(self) -> bool:
        return any(row.item.timing for row in self.rows if row.applies)

    @property
    def needs_diagnosis_date(self) -> bool:
        return self.profile.diagnosis_date is None and self.has_dated_items

    @property
    def done_count(self) -> int:
        return sum(block.done_count for block in self.stages)

    @property
    def total_count(self) -> int:
        return sum(block.total_count for block in self.stages)

    @property
    def hidden_count(self) -> int:
        return sum(block.hidden_count for block in self.stages)

    def find(self, item_id: int) -> tuple[StageBlock, ItemRow] | tuple[None, None]:
        for block in self.stages:
            for row in block.rows:
                if row.item.pk == item_id:
                    return block, row
        return None, None


def published_article_url(item: ChecklistItem) -> str:
    """The related article's address, only when readers can open it."""
    article = item.related_article
    if (
        article is None
        or article.status != article.Status.PUBLISHED
        or not article.disease.is_published
    ):
        return ""
    return article.get_absolute_url()


def directory_search_url(
    item: ChecklistItem, *, zip_code: str = "", directory: str = ""
) -> str:
    """Directory search for the item's service types, near zip_code when given.
    directory: the search page's path, when the caller already reversed it."""
    params = [("type", term.code) for term in item.service_types.all()]
    if zip_code:
        params.append(("zip", zip_code))
    url = directory or reverse("directory:service_list")
    return f"{url}?{urlencode(params)}" if params else url


ITEM_LINKS = (
    "service_types",
    Prefetch(
        "citations",
        queryset=ChecklistItemReference.objects.select_related("reference").order_by(
            "order"
        ),
    ),
)


def current_items(*, public: bool = True, with_links: bool = True) -> Prefetch:
    """The prefetch of a stage's items, with their article and (with_links) the
    service types and numbered sources every full list of them shows: as signed
    off by a clinical reviewer (public), or as saved now (editors' preview)."""
    items = (
        ChecklistItem.objects.current()
        .select_related("related_article__disease")
        .order_by("order", "pk")
    )
    if with_links:
        items = items.prefetch_related(*ITEM_LINKS)
    return Prefetch("items", queryset=items.public_versions() if public else items)


def load_profile(patient: User) -> PatientProfile:
    """The patient's profile, or an unsaved one with the defaults (nothing hidden)."""
    profile = PatientProfile.objects.filter(user=patient).first()
    return profile or PatientProfile(user=patient)


class StageNotFound(LookupError):
    """The stage asked for is not one of the patient's condition."""


def build_patient_checklist(
    patient: User,
    *,
    show_all: bool = False,
    today: date | None = None,
    profile: PatientProfile | None = None,
    focus: str | None = None,
) -> PatientChecklist:
    """A patient's personal checklist, in seven queries.

    Queries: profile (unless given), chosen stage, published stages with their
    disease, current items with their article, service types, sources, progress.

    focus: None details every stage (print, calendar, summaries); a stage slug, or
    "" for the patient's own stage, details only that one (the paced page): the
    other stages' items are loaded for their counts and dates, without their links.
    Raises StageNotFound for a slug that is not one of the condition's stages.
    """
    if profile is None:
        profile = load_profile(patient)
    chosen = PatientStage.objects.filter(patient=patient).first()
    all_stages = list(
        Stage.objects.filter(disease__is_published=True)
        .select_related("disease")
        .order_by("disease__order", "disease__name", "order")
    )
    slug = disease_slug_for(profile, chosen, all_stages)
    stages = [stage for stage in all_stages if stage.disease.slug == slug]
    prefetch_related_objects(stages, current_items(with_links=focus is None))
    progress = {
        row.item_id: row
        for row in ItemProgress.objects.filter(
            patient=patient, item__stage__in=[stage.pk for stage in stages]
        )
    }
    checklist = assemble_checklist(
        profile,
        stages=stages,
        progress=progress,
        chosen_stage_id=chosen.stage_id if chosen else None,
        show_all=show_all,
        today=today,
        with_links=focus is None,
    )
    checklist.patient = patient
    if focus is not None:
        focus_on(checklist, focus, zip_code=profile.zip_code)
    return checklist


def focus_on(checklist: PatientChecklist, slug: str, *, zip_code: str = "") -> None:
    """Detail one stage of a checklist (its slug, or "" for the patient's own):
    load its items' links and search addresses. Two queries."""
    if slug:
        block = next((b for b in checklist.stages if b.stage.slug == slug), None)
        if block is None:
            raise StageNotFound(slug)
    else:
        block = checklist.current_block
    checklist.focus = block
    for each in checklist.stages:
        each.url = reverse("checklists:my_checklist_stage", args=[each.stage.slug])
        for row in each.rows:
            row.stage_url = each.url
    if block is None:
        return
    items = [row.item for row in block.rows]
    prefetch_related_objects(items, *ITEM_LINKS)
    directory = reverse("directory:service_list")
    for row in block.rows:
        row.find_url = directory_search_url(
            row.item, zip_code=zip_code, directory=directory
        )


def assemble_checklist(
    profile: PatientProfile,
    *,
    stages: list[Stage],
    progress: dict[int, ItemProgress] | None = None,
    chosen_stage_id: int | None = None,
    show_all: bool = False,
    today: date | None = None,
    with_links: bool = True,
) -> PatientChecklist:
    """Apply the personalisation rules to loaded stages (items prefetched): no query.

    with_links=False: the items' service types are not loaded, so no row gets its
    directory search address (see focus_on)."""
    today = today or timezone.localdate()
    directory = reverse("directory:service_list") if with_links else ""
    progress = progress or {}
    suggested = personalise.suggest_stage(
        stages, diagnosis_date=profile.diagnosis_date, today=today
    )
    chosen_stage = next((s for s in stages if s.pk == chosen_stage_id), None)
    current = chosen_stage or suggested

    blocks = []
    for stage in stages:
        block = StageBlock(stage=stage, rows=[], is_current=stage == current)
        for item in stage.items.all():
            row = ItemRow(
                item=item,
                progress=progress.get(item.pk),
                timing=personalise.timing_for(
                    item,
                    diagnosis_date=profile.diagnosis_date,
                    symptom_onset_date=profile.symptom_onset_date,
                    today=today,
                ),
                hidden_reason=personalise.hidden_reason(item, profile),
                find_url=(
                    directory_search_url(
                        item, zip_code=profile.zip_code, directory=directory
                    )
                    if with_links
                    else ""
                ),
                sooner_note=personalise.sooner_note(item, profile),
            )
            if row.applies:
                if row.is_not_for_me:
                    block.not_for_me_count += 1
                else:
                    block.total_count += 1
                    block.done_count += row.is_done
            else:
                block.hidden_count += 1
            if row.applies or show_all:
                block.rows.append(row)
        # Items that often matter sooner for this onset site come first (stable).
        block.rows.sort(key=lambda row: not row.sooner_note)
        blocks.append(block)

    return PatientChecklist(
        patient=None,
        profile=profile,
        stages=blocks,
        suggested_stage=suggested,
        current_stage=current,
        stage_is_chosen=chosen_stage is not None,
        suggestion_reason=personalise.suggestion_reason(
            diagnosis_date=profile.diagnosis_date, today=today
        ),
        show_all=show_all,
        today=today,
        stage_choices=stages,
    )


def build_preview(
    *,
    disease,
    onset_site: str,
    family_history: str,
    months: int | None,
    onset_months_before_diagnosis: int | None = None,
    today=None,
) -> PatientChecklist:
    """The checklist a made-up profile would get, for content editors: every item,
    those that would be hidden marked as such. Published or not. Five queries."""
    today = today or timezone.localdate()
    diagnosis_date = None if months is None else personalise.add_months(today, -months)
    onset_date = None
    if diagnosis_date is not None and onset_months_before_diagnosis is not None:
        onset_date = personalise.add_months(
            diagnosis_date, -onset_months_before_diagnosis
        )
    profile = PatientProfile(
        disease=disease.slug,
        onset_site=onset_site,
        family_history=family_history,
        diagnosis_date=diagnosis_date,
        symptom_onset_date=onset_date,
    )
    stages = list(
        disease.stages.order_by("order").prefetch_related(current_items(public=False))
    )
    for stage in stages:
        stage.disease = disease
    return assemble_checklist(profile, stages=stages, show_all=True, today=today)


def disease_slug_for(profile, chosen: PatientStage | None, stages: list[Stage]) -> str:
    """Whose checklist to show: the profile's disease; when not sure yet, the disease
    of the stage the patient chose, else the first disease that has stages."""
    if profile.disease in personalise.DISEASES_WITH_CHECKLISTS:
        return profile.disease
    if chosen is not None:
        for stage in stages:
            if stage.pk == chosen.stage_id:
                return stage.disease.slug
    return stages[0].disease.slug if stages else ""


# Changing ---------------------------------------------------------------------------


@transaction.atomic
def set_item_status(
    *, patient: User, item: ChecklistItem, status: str, today: date | None = None
) -> ItemProgress:
    """Tick, untick or set aside an item. Ticking records the day; anything else
    clears it. Ticking an item already done keeps its original day."""
    progress, _ = ItemProgress.objects.select_for_update().get_or_create(
        patient=patient, item=item
    )
    if status == Status.DONE:
        if progress.status != Status.DONE or progress.done_on is None:
            progress.done_on = today or timezone.localdate()
    else:
        progress.done_on = None
    progress.status = status
    progress.full_clean()
    progress.save()
    return progress


@transaction.atomic
def set_item_note(*, patient: User, item: ChecklistItem, note: str) -> ItemProgress:
    progress, _ = ItemProgress.objects.select_for_update().get_or_create(
        patient=patient, item=item
    )
    progress.note = note.strip()
    progress.full_clean()
    progress.save()
    return progress


@transaction.atomic
def choose_stage(*, patient: User, stage: Stage | None) -> None:
    """Make stage the patient's own, or go back to the suggestion with None."""
    if stage is None:
        PatientStage.objects.filter(patient=patient).delete()
        return
    PatientStage.objects.update_or_create(patient=patient, defaults={"stage": stage})


@transaction.atomic
def set_condition(*, patient: User, disease: str) -> PatientProfile:
    """Record the condition a new account named (or "not sure yet"), keeping the
    rest of the profile as it is."""
    profile, _ = PatientProfile.objects.get_or_create(user=patient)
    profile.disease = disease
    profile.full_clean()
    profile.save()
    return profile

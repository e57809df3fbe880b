"""The citation check of checklist items.

The same rule as the disease pages (apps.diseases.content_check): a medical
paragraph of an item's guidance or "why it matters" carries a citation mark [n]
that points at one of the item's numbered sources, and every source listed under
an item can be opened (a specific URL) and says when it was read (an access
date). Retired items are left alone: nobody sees them.
"""

from apps.diseases.content_check import reference_problems, text_problems

from .models import ChecklistItem

TEXT_FIELDS = (("guidance", "guidance"), ("why_it_matters", "why it matters"))


def item_problems(item: ChecklistItem) -> list[str]:
    """Everything the check finds wrong with one item (citations prefetched)."""
    references = {
        citation.order: citation.reference for citation in item.citations.all()
    }
    problems = [] if references else ["no source"]
    for field, label in TEXT_FIELDS:
        problems += [
            f"{label}: {problem}"
            for problem in text_problems(getattr(item, field), references)
        ]
    # Every listed source is shown under the item, marked in the text or not.
    for order, reference in sorted(references.items()):
        problems += [
            f"source [{order}] {reference.title!r}: {problem}"
            for problem in reference_problems(reference)
        ]
    return list(dict.fromkeys(problems))


def current_item_problems() -> dict[str, list[str]]:
    """Problems of every item still in use, keyed by disease/stage/item."""
    found = {}
    items = (
        ChecklistItem.objects.current()
        .select_related("stage__disease")
        .prefetch_related("citations__reference")
    )
    for item in items:
        problems = item_problems(item)
        if problems:
            key = f"{item.stage.disease.slug}/{item.stage.slug}/{item.slug}"
            found[key] = problems
    return found

"""Demo checklist content, and profiles and progress for the two demo patients."""

from datetime import timedelta

from django.utils import timezone

from apps.accounts.models import PatientProfile, User
from apps.core.translated_content import apply_translation
from apps.diseases.models import Reference

from .models import ChecklistItem, ItemProgress, Stage
from .personalise import add_months

FIXTURES = ["checklists.json"]
# The Spanish texts of the fixture's stages and items (apps.core.translated_content).
SPANISH = "checklists.json"

DONE = ItemProgress.Status.DONE
NOT_FOR_ME = ItemProgress.Status.NOT_FOR_ME
TODO = ItemProgress.Status.TODO

# email: profile, then progress as (stage slug, item slug, status, days after
# diagnosis it was done, note).
DEMO_PATIENTS = {
    "patient1@example.org": {
        "profile": {
            "disease": PatientProfile.Disease.ALS,
            "onset_site": PatientProfile.OnsetSite.LIMB,
            "family_history": PatientProfile.FamilyHistory.NO,
            "zip_code": "02114",
        },
        "diagnosed_months_ago": 4,
        "progress": [
            ("getting-answers", "keep-a-symptom-diary", DONE, -60, ""),
            ("getting-answers", "ask-for-a-neurology-referral", DONE, -45, ""),
            ("getting-answers", "get-a-second-opinion", NOT_FOR_ME, None, ""),
            ("just-diagnosed", "join-an-als-clinic", DONE, 20, ""),
            (
                "just-diagnosed",
                "get-a-baseline-breathing-test",
                TODO,
                None,
                "Ask about this at the next clinic visit.",
            ),
        ],
    },
    "patient2@example.org": {
        "profile": {
            "disease": PatientProfile.Disease.ALS,
            "onset_site": PatientProfile.OnsetSite.BULBAR,
            "family_history": PatientProfile.FamilyHistory.YES,
            "zip_code": "10001",
        },
        "diagnosed_months_ago": 20,
        "progress": [
            ("just-diagnosed", "join-an-als-clinic", DONE, 30, ""),
            ("just-diagnosed", "get-a-speech-and-swallowing-check", DONE, 45, ""),
            ("just-diagnosed", "talk-to-a-genetic-counselor", DONE, 90, ""),
            ("planning-ahead", "bank-your-voice", DONE, 80, ""),
            ("staying-independent", "review-driving-and-travel", NOT_FOR_ME, None, ""),
            (
                "planning-ahead",
                "look-for-clinical-trials",
                TODO,
                None,
                "Ask the clinic nurse which trials are taking people now.",
            ),
        ],
    },
}


def load_spanish() -> dict[str, int]:
    """The Spanish texts of the seed checklists, over the loaded fixture."""
    return apply_translation(
        "es",
        SPANISH,
        {
            "stages": lambda key: Stage.objects.get(
                disease__slug=key.split("/")[0], slug=key.split("/")[1]
            ),
            "items": lambda stage, slug: stage.items.get(slug=slug),
        },
        Reference,
    )


def seed(*, stdout) -> None:
    spanish = load_spanish()
    stdout.write(
        f"  checklists: {spanish.get('stages', 0)} stages and "
        f"{spanish.get('items', 0)} items in Spanish"
    )
    today = timezone.localdate()
    for email, spec in DEMO_PATIENTS.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            stdout.write(f"  checklists: no demo account {email}, skipped")
            continue
        diagnosed = add_months(today, -spec["diagnosed_months_ago"])
        profile, _ = PatientProfile.objects.update_or_create(
            user=user,
            defaults={
                **spec["profile"],
                "diagnosis_date": diagnosed,
                "symptom_onset_date": add_months(diagnosed, -11),
            },
        )
        count = 0
        for stage_slug, item_slug, status, done_after, note in spec["progress"]:
            item = ChecklistItem.objects.filter(
                stage__disease__slug="als", stage__slug=stage_slug, slug=item_slug
            ).first()
            if item is None:
                continue
            done_on = diagnosed + timedelta(days=done_after) if status == DONE else None
            ItemProgress.objects.update_or_create(
                patient=user,
                item=item,
                defaults={"status": status, "done_on": done_on, "note": note},
            )
            count += 1
        stdout.write(f"  checklists: profile and {count} progress rows for {email}")

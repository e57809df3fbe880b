"""Where to get help now: the helplines every disease page and checklist shows.

Kept in one place so a changed number is changed once. Numbers were checked
against each organisation's own pages on 2026-11-26; check them again at each
content review.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Helpline:
    name: str  # a proper name: never translated (translate="no" on the page)
    what: str | Promise
    phone_label: str
    phone: str  # digits for a tel: link, with the country code
    url: str
    text: str = ""  # a number to text, when the line takes texts


CRISIS = Helpline(
    name="988 Suicide & Crisis Lifeline",
    what=_(
        "If you are in crisis or thinking about ending your life: free, any "
        "time, day or night. Press 1 for the Veterans Crisis Line, 2 for Spanish."
    ),
    phone_label="988",
    phone="988",
    text="988",
    url="https://988lifeline.org/",
)

HELPLINES = (
    Helpline(
        name="The ALS Association",
        what=_("Questions about ALS, local care services and support groups."),
        phone_label="1-800-782-4747",
        phone="+18007824747",
        url="https://www.als.org/",
    ),
    Helpline(
        name="Muscular Dystrophy Association (MDA) Resource Center",
        what=_("ALS and other muscle diseases: care centers, equipment, support."),
        phone_label="1-800-572-1717",
        phone="+18005721717",
        url="https://www.mda.org/",
    ),
    Helpline(
        name="National MS Society, MS Navigator",
        what=_("Questions about MS, treatment, work, money and local help."),
        phone_label="1-800-344-4867",
        phone="+18003444867",
        url="https://www.nationalmssociety.org/",
    ),
    Helpline(
        name="Parkinson's Foundation Helpline",
        what=_("Questions about Parkinson's, in English and Spanish."),
        phone_label="1-800-473-4636 (1-800-4PD-INFO)",
        phone="+18004734636",
        url="https://www.parkinson.org/",
    ),
)

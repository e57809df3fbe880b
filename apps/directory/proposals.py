"""The parts of a listing its provider may change, as plain JSON values.

Each field reads its current value from a service (``snapshot``), shows a value in
words (``show``) and writes an approved value back (``apply``). A proposal stores the
values the provider saw and the values proposed, so staff review exactly what was
asked, field by field, and the listing changes only through ``apply_fields``.
"""

from dataclasses import dataclass
from datetime import time

from django.utils.translation import gettext_lazy as _

from .models import Address, Language, Phone, Schedule, Service
from .querysets import LANGUAGES, WEEKDAY_CODES

DAYS = list(WEEKDAY_CODES)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text, bool, email, phone, hours, address, languages


FIELDS = [
    Field("description", _("Description"), "text"),
    Field("eligibility_description", _("Who it is for"), "text"),
    Field("fees_description", _("Fees"), "text"),
    Field("phone", _("Phone number"), "phone"),
    Field("hours", _("Opening hours"), "hours"),
    Field("address", _("Address"), "address"),
    Field("languages", _("Languages spoken"), "languages"),
    Field("accepts_referrals", _("Takes referrals from caseworkers"), "bool"),
    Field("referral_email", _("E-mail for referrals"), "email"),
    Field("telehealth", _("Offers telehealth"), "bool"),
]
FIELDS_BY_NAME = {field.name: field for field in FIELDS}
PLAIN = ("description", "eligibility_description", "fees_description")
FLAGS = ("accepts_referrals", "referral_email", "telehealth")


def _clock(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def weekly_hours(service: Service) -> dict[str, list[str]]:
    """Day code -> [opens, closes] from the service's own weekly schedule rows."""
    hours = {}
    for row in service.schedules.all():
        if row.freq.upper() != "WEEKLY" or not (row.opens_at and row.closes_at):
            continue
        for code in row.byday.split(","):
            code = code.strip().upper()[-2:]
            if code in WEEKDAY_CODES and code not in hours:
                hours[code] = [_clock(row.opens_at), _clock(row.closes_at)]
    return {day: hours[day] for day in DAYS if day in hours}


def first_address(service: Service) -> Address | None:
    for link in service.service_at_locations.all():
        for address in link.location.addresses.all():
            return address
    return None


def snapshot(service: Service) -> dict:
    """The listing as its provider may change it, as JSON values."""
    phone = next(iter(service.phones.all()), None)
    address = first_address(service)
    return {
        **{name: getattr(service, name) for name in PLAIN},
        "phone": phone.number if phone else "",
        "hours": weekly_hours(service),
        "address": (
            {
                "address_1": address.address_1,
                "city": address.city,
                "state_province": address.state_province,
                "postal_code": address.postal_code,
            }
            if address
            else {}
        ),
        "languages": sorted(
            language.code for language in service.languages.all() if language.code
        ),
        "accepts_referrals": service.accepts_referrals,
        "referral_email": service.referral_email,
        "telehealth": service.telehealth,
    }


def show(name: str, value) -> str:
    """A value in words, for the moderation queue and the provider's e-mail."""
    kind = FIELDS_BY_NAME[name].kind
    if kind == "bool":
        return str(_("Yes") if value else _("No"))
    if kind == "hours":
        if not value:
            return str(_("No hours given"))
        return "; ".join(
            f"{_(WEEKDAY_CODES[day])} {opens}-{closes}"
            for day, (opens, closes) in value.items()
        )
    if kind == "address":
        if not value:
            return str(_("No address"))
        return ", ".join(
            part
            for part in (
                value.get("address_1"),
                value.get("city"),
                " ".join(
                    p
                    for p in (value.get("state_province"), value.get("postal_code"))
                    if p
                ),
            )
            if part
        )
    if kind == "languages":
        return ", ".join(
            str(_(LANGUAGES[code])) if code in LANGUAGES else code for code in value
        ) or str(_("None given"))
    return value or str(_("(empty)"))


def changed_fields(current: dict, proposed: dict) -> list[str]:
    return [
        field.name
        for field in FIELDS
        if current.get(field.name) != proposed.get(field.name)
    ]


def apply_fields(service: Service, proposed: dict, names: list[str]) -> None:
    """Write the approved values onto the listing (call inside a transaction)."""
    updates = {name: proposed[name] for name in names if name in PLAIN + FLAGS}
    if updates:
        for name, value in updates.items():
            setattr(service, name, value)
        service.save(update_fields=[*updates, "last_modified"])
    if "phone" in names:
        _apply_phone(service, proposed["phone"])
    if "hours" in names:
        _apply_hours(service, proposed["hours"])
    if "address" in names:
        _apply_address(service, proposed["address"])
    if "languages" in names:
        _apply_languages(service, proposed["languages"])


def _apply_phone(service: Service, number: str) -> None:
    phone = service.phones.order_by("number", "id").first()
    if not number:
        if phone:
            phone.delete()
    elif phone:
        phone.number = number
        phone.save(update_fields=["number"])
    else:
        Phone.objects.create(service=service, number=number)


def _apply_hours(service: Service, hours: dict) -> None:
    # The provider's week replaces the service's own weekly rows; other kinds of
    # schedule (dated, monthly) and a location's hours are left as they are.
    service.schedules.filter(freq__iexact="WEEKLY").delete()
    Schedule.objects.bulk_create(
        Schedule(
            service=service,
            freq="WEEKLY",
            byday=day,
            opens_at=time.fromisoformat(opens),
            closes_at=time.fromisoformat(closes),
        )
        for day, (opens, closes) in hours.items()
    )


def _apply_address(service: Service, values: dict) -> None:
    address = first_address(service)
    if address is None or not values:
        return  # the form offers the address only where the listing has one
    for key, value in values.items():
        setattr(address, key, value)
    address.save(update_fields=list(values))


def _apply_languages(service: Service, codes: list[str]) -> None:
    service.languages.exclude(code__in=codes).delete()
    have = set(service.languages.values_list("code", flat=True))
    Language.objects.bulk_create(
        Language(service=service, code=code, name=LANGUAGES.get(code, code))
        for code in codes
        if code not in have
    )

"""A referral's statuses: the one table of allowed changes (from which the
database trigger is generated), why a service declined, why a referral needs the
caseworker's attention, and the errors of a change that cannot be made."""

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import Referral


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    NO_RESPONSE = "no_response", _("No response")


# The one table of allowed status changes. Referral.change_status() consults it and
# the database trigger on the referral table is generated from it, so the two can
# never disagree. A status missing from the keys' values is an end: nothing follows
# it. "scheduled -> scheduled" is a new date for the appointment.
REFERRAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReferralStatus.DRAFT: (ReferralStatus.SENT, ReferralStatus.CANCELLED),
    ReferralStatus.SENT: (
        ReferralStatus.ACCEPTED,
        ReferralStatus.SCHEDULED,
        ReferralStatus.DECLINED,
        ReferralStatus.CANCELLED,
        ReferralStatus.NO_RESPONSE,
    ),
    ReferralStatus.ACCEPTED: (
        ReferralStatus.SCHEDULED,
        ReferralStatus.DECLINED,
        ReferralStatus.CANCELLED,
        ReferralStatus.COMPLETED,
    ),
    ReferralStatus.SCHEDULED: (
        ReferralStatus.SCHEDULED,
        ReferralStatus.COMPLETED,
        ReferralStatus.CANCELLED,
        ReferralStatus.NO_RESPONSE,
    ),
    ReferralStatus.COMPLETED: (),
    ReferralStatus.DECLINED: (),
    ReferralStatus.CANCELLED: (),
    ReferralStatus.NO_RESPONSE: (),
}
OPEN_STATUSES = tuple(s for s, following in REFERRAL_TRANSITIONS.items() if following)
CLOSED_STATUSES = tuple(
    s for s, following in REFERRAL_TRANSITIONS.items() if not following
)


def transition_trigger_sql() -> str:
    pairs = ", ".join(
        f"('{old}', '{new}')"
        for old, following in REFERRAL_TRANSITIONS.items()
        for new in following
    )
    return f"""
        IF (OLD.status, NEW.status) NOT IN ({pairs}) THEN
            RAISE EXCEPTION 'referral status cannot change from % to %',
                OLD.status, NEW.status
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    """


class DeclineReason(models.TextChoices):
    """Why a service said no, in categories a report can count (the note says more).

    The blank value is for declines recorded before the reason was asked for.
    """

    NOT_ELIGIBLE = "not_eligible", _("The client does not meet the service's criteria")
    NO_CAPACITY = "no_capacity", _("No capacity: waiting list full or closed")
    OUT_OF_AREA = "out_of_area", _("The client lives outside the service's area")
    NOT_OFFERED = "not_offered", _("The service does not offer what was asked")
    CANNOT_REACH = "cannot_reach", _("The service could not reach the client")
    CLIENT_DECLINED = "client_declined", _("The client turned the offer down")
    OTHER = "other", _("Another reason (see the note)")


class TransitionNotAllowed(ValueError):
    """The referral's status cannot change that way (see REFERRAL_TRANSITIONS)."""


class StaleReferral(Exception):
    """Someone else changed the referral since the form was shown.

    `current` is the referral as it is now, for showing the new state.
    """

    def __init__(self, current: "Referral"):
        super().__init__("The referral was changed by someone else.")
        self.current = current


# Declined referrals need attention this long, so another service can be found.
DECLINED_ATTENTION_DAYS = 30


class Attention(models.TextChoices):
    """Why a referral needs the caseworker's attention (see needing_action())."""

    FOLLOW_UP_PASSED = "follow_up_passed", _("Follow-up date passed")
    FOLLOW_UP_TODAY = "follow_up_today", _("Follow-up due today")
    NO_ANSWER = "no_answer", _("No answer from the service")
    DECLINED = "declined", _("Declined: find another service")

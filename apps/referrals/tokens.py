"""Signed links for people without a CareNav account, or before they are linked.

A response link names one referral and the generation of links it belongs to:
raising Referral.token_generation revokes every link issued before. Both kinds of
link expire; the signature makes any edit to them worthless.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing

from .models import ClientInvitation, Referral

RESPOND_SALT = "carenav.referrals.respond"
INVITATION_SALT = "carenav.referrals.invitation"


def make_respond_token(referral: Referral) -> str:
    return signing.dumps([referral.pk, referral.token_generation], salt=RESPOND_SALT)


def referral_for_token(token: str, queryset=None) -> Referral | None:
    """The referral a response link is for, or None when the link is tampered
    with, expired or revoked."""
    max_age = timedelta(days=settings.REFERRAL_LINK_MAX_AGE_DAYS)
    try:
        pk, generation = signing.loads(token, salt=RESPOND_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(pk, int) or not isinstance(generation, int):
        return None
    queryset = queryset if queryset is not None else Referral.objects.all()
    return queryset.filter(
        pk=pk, token_generation=generation, link_issued_at__isnull=False
    ).first()


def make_invitation_token(invitation: ClientInvitation) -> str:
    return signing.dumps([invitation.pk], salt=INVITATION_SALT)


def invitation_for_token(token: str) -> ClientInvitation | None:
    """The pending invitation a link is for, or None when it is tampered with,
    expired, withdrawn or already used."""
    max_age = timedelta(days=settings.CLIENT_INVITATION_MAX_AGE_DAYS)
    try:
        (pk,) = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(pk, int):
        return None
    return (
        ClientInvitation.objects.pending()
        .select_related("client", "invited_by")
        .filter(pk=pk)
        .first()
    )

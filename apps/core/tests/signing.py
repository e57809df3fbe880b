"""Sign content off in tests, as a clinical reviewer would in the admin."""

import datetime

from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.roles import set_clinical_reviewer
from apps.accounts.tests.factories import UserFactory
from apps.core.signoff import sign_off


def make_reviewer() -> User:
    reviewer = UserFactory(role=User.Role.CONTENT_EDITOR, full_name="Dr. Test Reviewer")
    set_clinical_reviewer(user=reviewer, is_reviewer=True)
    return reviewer


def signed(obj, *, reviewer: User | None = None, next_review=None):
    """The object, signed off now by a (new) reviewer."""
    sign_off(
        obj=obj,
        reviewer=reviewer or make_reviewer(),
        name="Dr. Test Reviewer",
        credentials="Neurologist, MD",
        next_review=next_review or timezone.localdate() + datetime.timedelta(days=365),
    )
    obj.refresh_from_db()
    return obj

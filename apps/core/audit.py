from django.db import models

from .client_address import client_address
from .models import AccessLog


def record_access(
    request,
    record: models.Model,
    action: str = AccessLog.Action.VIEW,
    *,
    subject: models.Model | None = None,
) -> AccessLog:
    """Write one access-log row for a personal record read or changed in a request."""
    subject = subject if subject is not None else record
    return AccessLog.objects.create(
        user=request.user if request.user.is_authenticated else None,
        action=action,
        record_type=record._meta.label_lower,
        record_id=str(record.pk),
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        ip_address=client_address(request),
        path=request.path[:300],
    )


def record_accesses(
    request, records, action: str = AccessLog.Action.VIEW, *, subject_of=None
) -> None:
    """Log a list page's rows in one INSERT, so the query count stays flat."""
    user = request.user if request.user.is_authenticated else None
    rows = []
    for record in records:
        subject = subject_of(record) if subject_of else record
        rows.append(
            AccessLog(
                user=user,
                action=action,
                record_type=record._meta.label_lower,
                record_id=str(record.pk),
                subject_type=subject._meta.label_lower,
                subject_id=str(subject.pk),
                ip_address=client_address(request),
                path=request.path[:300],
            )
        )
    if rows:
        AccessLog.objects.bulk_create(rows)

"""Dates people enter stay within a range that fits their meaning and reads back.

An appointment at 9999-12-31 23:30 in New York is year 10000 in UTC: stored, it
would take down every page that reads the referral.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from apps.referrals.models import Referral

FAR_FUTURE = "9999-12-31T23:30"


def _status_change(client, referral, **data):
    return client.post(
        reverse("referrals:referral_change_status", args=[referral.pk]),
        {"version": referral.version, **data},
    )


def _assert_pages_render(client, referral):
    assert client.get(referral.get_absolute_url()).status_code == 200
    assert client.get(referral.client.get_absolute_url()).status_code == 200


def test_caseworker_cannot_schedule_an_appointment_in_year_9999(
    client, caseworker, referral, settings
):
    settings.TIME_ZONE = "America/New_York"
    client.force_login(caseworker)
    _status_change(client, referral, to="accepted")
    referral.refresh_from_db()
    response = _status_change(
        client, referral, to="scheduled", appointment_at=FAR_FUTURE
    )
    assert response.status_code == 400
    assert "appointment_at" in response.context["status_form"].errors
    assertContains(response, "Enter a date on or before", status_code=400)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.appointment_at is None
    _assert_pages_render(client, referral)


def test_service_cannot_answer_with_an_appointment_in_year_9999(
    client, caseworker, referral, settings
):
    from apps.referrals.tokens import make_respond_token

    settings.TIME_ZONE = "America/New_York"
    url = reverse("referrals:respond", args=[make_respond_token(referral)])
    response = client.post(
        url,
        {
            "action": "schedule",
            "version": referral.version,
            "appointment_at": FAR_FUTURE,
        },
    )
    assert response.status_code == 400
    assertContains(response, "Enter a date on or before", status_code=400)
    referral.refresh_from_db()
    assert referral.appointment_at is None
    assert client.get(url).status_code == 200
    client.force_login(caseworker)
    _assert_pages_render(client, referral)


def test_follow_up_date_in_year_9999_is_refused_on_new_and_edited_referrals(
    client, caseworker, client_record, service, referral
):
    client.force_login(caseworker)
    response = client.post(
        reverse("referrals:referral_create"),
        {
            "client": client_record.pk,
            "service": service.pk,
            "reason": "Needs an assessment.",
            "urgency": "routine",
            "follow_up_on": "9999-12-31",
        },
    )
    assert response.status_code == 200
    assert "follow_up_on" in response.context["form"].errors
    response = client.post(
        reverse("referrals:referral_update", args=[referral.pk]),
        {
            "reason": "Needs an assessment.",
            "urgency": "routine",
            "follow_up_on": "9999-12-31",
            "version": referral.version,
        },
    )
    assert "follow_up_on" in response.context["form"].errors
    referral.refresh_from_db()
    assert referral.follow_up_on is None


@pytest.mark.parametrize("born", ["1850-06-01", "2999-01-01"])
def test_date_of_birth_must_be_in_the_past_and_after_1900(client, caseworker, born):
    client.force_login(caseworker)
    response = client.post(
        reverse("referrals:client_create"),
        {
            "full_name": "Robin Quartz",
            "preferred_language": "en",
            "date_of_birth": born,
        },
    )
    assert response.status_code == 200
    assert "date_of_birth" in response.context["form"].errors


def test_the_model_refuses_a_far_appointment_for_the_admin_and_any_modelform(
    referral,
):
    referral.appointment_at = timezone.make_aware(
        datetime.datetime(9999, 12, 31, 23, 30)
    )
    with pytest.raises(ValidationError) as error:
        referral.full_clean()
    assert "appointment_at" in error.value.error_dict


def test_an_appointment_in_two_years_is_accepted(client, caseworker, referral):
    client.force_login(caseworker)
    _status_change(client, referral, to="accepted")
    referral.refresh_from_db()
    when = timezone.localtime() + datetime.timedelta(days=730)
    response = _status_change(
        client, referral, to="scheduled", appointment_at=when.strftime("%Y-%m-%dT%H:%M")
    )
    assert response.status_code == 303
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SCHEDULED


@pytest.mark.parametrize(
    ("column", "value"),
    [("appointment_at", "10000-01-01 04:30+00"), ("follow_up_on", "10000-01-01")],
)
def test_the_database_refuses_a_year_it_cannot_read_back(referral, column, value):
    with pytest.raises(IntegrityError, match="_readable"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE referrals_referral SET {column} = %s WHERE id = %s",  # noqa: S608
                [value, referral.pk],
            )

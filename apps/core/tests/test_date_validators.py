"""The shared date ranges, and the migration step that reports unreadable rows."""

import datetime
import zoneinfo

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.core.validators import (
    UnreadableDatesFound,
    report_unreadable_dates,
    validate_appointment,
    validate_past_date,
    validate_planning_date,
)
from apps.directory.hsds.mapping import TABLES_BY_NAME
from apps.directory.hsds.validation import Invalid, convert
from apps.referrals.tests.factories import ClientFactory, ReferralFactory

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def test_appointment_at_the_end_of_year_9999_in_new_york_is_refused():
    with pytest.raises(ValidationError, match="on or before"):
        validate_appointment(datetime.datetime(9999, 12, 31, 23, 30, tzinfo=NEW_YORK))


def test_an_instant_beyond_what_python_can_convert_is_refused():
    far = datetime.datetime(9999, 12, 31, 23, 30, tzinfo=datetime.UTC)
    with pytest.raises(ValidationError):
        validate_appointment(far)


def test_past_dates_refuse_tomorrow_and_the_1800s():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="in the future"):
        validate_past_date(tomorrow)
    with pytest.raises(ValidationError, match="after 1900"):
        validate_past_date(datetime.date(1850, 1, 1))
    validate_past_date(timezone.localdate())
    validate_past_date(None)


def test_planning_dates_reach_ten_years_ahead_only():
    validate_planning_date(timezone.localdate() + datetime.timedelta(days=365 * 9))
    with pytest.raises(ValidationError):
        validate_planning_date(datetime.date(2999, 1, 1))


def test_hsds_import_refuses_a_schedule_date_out_of_range():
    table = TABLES_BY_NAME["schedule"]
    with pytest.raises(Invalid, match="valid_to"):
        convert(table, "valid_to", "9999-12-31")
    assert convert(table, "valid_to", "2027-01-31") == datetime.date(2027, 1, 31)


@pytest.mark.django_db
def test_migration_reports_rows_the_new_constraints_would_refuse(caseworker, capsys):
    referral = ReferralFactory(client=ClientFactory(caseworker=caseworker))
    with connection.cursor() as cursor:
        # As before the constraint existed (undone when the test ends).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE referrals_referral "
            "DROP CONSTRAINT referrals_referral_appointment_at_readable"
        )
        cursor.execute(
            "UPDATE referrals_referral SET appointment_at = %s WHERE id = %s",
            ["10000-01-01 04:30+00", referral.pk],
        )
    with pytest.raises(UnreadableDatesFound) as error:
        report_unreadable_dates(
            global_apps, {"referrals.Referral": ["appointment_at", "follow_up_on"]}
        )
    assert f"referrals_referral.appointment_at: rows {referral.pk}" in str(error.value)
    assert "follow_up_on" not in str(error.value)
    assert "referrals_referral.appointment_at" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.parametrize("since", ["9999-12-31T23:30:00", "1066-10-14T09:00:00"])
def test_hsds_api_refuses_a_modified_after_out_of_range(client, since):
    response = client.get(reverse("hsds_api:service_list"), {"modified_after": since})
    assert response.status_code == 400
    assert response.json()["errors"]["modified_after"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model_path", "field", "value"),
    [
        ("directory.Service", "last_verified", "9999-12-31"),
        ("diseases.Disease", "last_reviewed", "2999-01-01"),
    ],
)
def test_admin_forms_refuse_content_dates_out_of_range(
    rf, administrator, model_path, field, value
):
    from django.contrib import admin

    model = global_apps.get_model(model_path)
    request = rf.get("/")
    request.user = administrator
    form_class = admin.site._registry[model].get_form(request)
    form = form_class(data={field: value})
    assert field in form.errors


def test_the_sign_off_form_refuses_a_next_review_out_of_range():
    """An article's next review date is set when a reviewer signs it off."""
    from apps.core.content_admin import SignOffForm

    form = SignOffForm(data={"next_review": "9999-12-31"})
    assert "next_review" in form.errors

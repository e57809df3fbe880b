"""The personalisation rules, on plain objects: no database needed."""

from datetime import date
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.checklists.personalise import (
    TimingState,
    add_months,
    applies_to,
    audience_label,
    coming_up,
    describe_rule,
    duration_in_words,
    hidden_reason,
    months_between,
    sooner_note,
    suggest_stage,
    suggestion_reason,
    timing_for,
)

ALS = SimpleNamespace(slug="als")
MS = SimpleNamespace(slug="ms")


def item(**kwargs):
    defaults = {
        "stage": SimpleNamespace(disease=ALS),
        "sooner_for_onset_site": "",
        "only_with_family_history": False,
        "timing": "",
        "timing_months": None,
        "timing_from": "diagnosis",
        "order": 1,
    }
    return SimpleNamespace(**{**defaults, **kwargs})


def profile(**kwargs):
    defaults = {"disease": "als", "onset_site": "unknown", "family_history": "unknown"}
    return SimpleNamespace(**{**defaults, **kwargs})


# Calendar arithmetic ------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),  # clamped to a short month
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # leap day, next year
        (date(2028, 2, 29), 48, date(2032, 2, 29)),  # next leap year
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # December to January
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # across the year end
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 3, 10), 0, date(2026, 3, 10)),
        (date(2026, 3, 10), 24, date(2028, 3, 10)),
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
    ],
)
def test_add_months_counts_calendar_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 1, 15), date(2026, 1, 15), 0),
        (date(2026, 1, 15), date(2026, 2, 14), 0),
        (date(2026, 1, 15), date(2026, 2, 15), 1),
        (date(2026, 12, 20), date(2027, 1, 20), 1),  # December to January
        (date(2027, 1, 31), date(2027, 2, 28), 1),  # clamped month end counts
        (date(2026, 5, 1), date(2026, 4, 1), 0),  # end before start
        (date(2025, 3, 4), date(2026, 11, 4), 20),
    ],
)
def test_months_between_counts_whole_months(start, end, expected):
    assert months_between(start, end) == expected


@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(min_value=0, max_value=600),
)
def test_months_between_undoes_add_months(start, months):
    assert months_between(start, add_months(start, months)) == months


@pytest.mark.parametrize(
    ("days", "words"),
    [(0, "0 days"), (1, "1 day"), (13, "13 days"), (14, "2 weeks"), (62, "8 weeks")],
)
def test_duration_in_words(days, words):
    assert duration_in_words(days) == words


# Who an item is for ------------


def test_an_item_for_everyone_applies_to_every_profile():
    for site in ("limb", "bulbar", "other", "unknown"):
        for history in ("yes", "no", "unknown"):
            assert applies_to(item(), profile(onset_site=site, family_history=history))


@pytest.mark.parametrize("onset_site", ["bulbar", "limb", "unknown", "other"])
def test_onset_site_never_hides_an_item(onset_site):
    """ALS spreads: saliva, falls, splints and voice banking are for everyone."""
    p = profile(onset_site=onset_site, family_history="no")
    for site in ("bulbar", "limb"):
        assert applies_to(item(sooner_for_onset_site=site), p)
        assert hidden_reason(item(sooner_for_onset_site=site), p) == ""


def test_limb_onset_profile_sees_voice_banking():
    voice_banking = item(sooner_for_onset_site="bulbar")
    limb = profile(onset_site="limb", family_history="no")
    assert applies_to(voice_banking, limb)
    assert sooner_note(voice_banking, limb) == ""


@pytest.mark.parametrize(
    ("onset_site", "bulbar_sooner", "limb_sooner"),
    [
        ("bulbar", True, False),
        ("limb", False, True),
        ("unknown", False, False),
        ("other", False, False),
    ],
)
def test_onset_site_marks_items_that_often_matter_sooner(
    onset_site, bulbar_sooner, limb_sooner
):
    p = profile(onset_site=onset_site)
    assert bool(sooner_note(item(sooner_for_onset_site="bulbar"), p)) is bulbar_sooner
    assert bool(sooner_note(item(sooner_for_onset_site="limb"), p)) is limb_sooner
    assert sooner_note(item(), p) == ""


def test_sooner_note_says_why():
    note = sooner_note(
        item(sooner_for_onset_site="bulbar"), profile(onset_site="bulbar")
    )
    assert "speech or swallowing" in note


def test_no_family_history_still_sees_items_for_everyone():
    """Genetic counselling carries no family-history rule, so "no" keeps it."""
    genetic_counselling = item()
    assert applies_to(genetic_counselling, profile(family_history="no"))


@pytest.mark.parametrize(
    ("family_history", "applies"), [("yes", True), ("unknown", True), ("no", False)]
)
def test_family_history_items(family_history, applies):
    p = profile(family_history=family_history)
    assert applies_to(item(only_with_family_history=True), p) is applies


def test_items_of_another_disease_do_not_apply():
    ms_item = item(stage=SimpleNamespace(disease=MS))
    assert not applies_to(ms_item, profile(disease="als"))
    assert applies_to(ms_item, profile(disease="ms"))
    assert applies_to(ms_item, profile(disease="not-sure"))


def test_audience_label():
    assert audience_label(item()) == ""
    label = audience_label(
        item(sooner_for_onset_site="bulbar", only_with_family_history=True)
    )
    assert label.startswith("Often needed sooner if symptoms started in speech")
    assert "family history" in label


# Suggested stage ------------


def stages():
    return [
        SimpleNamespace(order=1, slug="getting-answers", suggested_from_month=None),
        SimpleNamespace(order=2, slug="just-diagnosed", suggested_from_month=0),
        SimpleNamespace(order=3, slug="planning-ahead", suggested_from_month=3),
        SimpleNamespace(order=4, slug="staying-independent", suggested_from_month=12),
        SimpleNamespace(order=5, slug="breathing", suggested_from_month=None),
    ]


TODAY = date(2027, 6, 15)


@pytest.mark.parametrize(
    ("diagnosis_date", "slug"),
    [
        (None, "getting-answers"),
        (date(2027, 6, 15), "just-diagnosed"),  # diagnosed today
        (date(2027, 3, 16), "just-diagnosed"),  # 2 months and 30 days
        (date(2027, 3, 15), "planning-ahead"),  # exactly 3 months
        (date(2025, 10, 15), "staying-independent"),  # 20 months
    ],
)
def test_suggested_stage_from_months_since_diagnosis(diagnosis_date, slug):
    suggested = suggest_stage(stages(), diagnosis_date=diagnosis_date, today=TODAY)
    assert suggested.slug == slug


def test_suggested_stage_ignores_the_order_stages_come_in():
    suggested = suggest_stage(
        list(reversed(stages())), diagnosis_date=None, today=TODAY
    )
    assert suggested.slug == "getting-answers"


def test_without_timed_stages_a_diagnosed_patient_gets_the_second_stage():
    untimed = [
        SimpleNamespace(order=order, slug=f"s{order}", suggested_from_month=None)
        for order in (1, 2, 3)
    ]
    assert (
        suggest_stage(untimed, diagnosis_date=date(2020, 1, 1), today=TODAY).slug
        == "s2"
    )
    assert (
        suggest_stage(untimed[:1], diagnosis_date=date(2020, 1, 1), today=TODAY).slug
        == "s1"
    )
    assert suggest_stage([], diagnosis_date=None, today=TODAY) is None


def test_suggestion_reason():
    assert "not added" in suggestion_reason(diagnosis_date=None, today=TODAY)
    assert "20 months" in suggestion_reason(
        diagnosis_date=date(2025, 10, 15), today=TODAY
    )
    assert "less than a month" in suggestion_reason(
        diagnosis_date=date(2027, 6, 1), today=TODAY
    )


# Timing ------------


def due_within(months):
    return item(timing="due_within", timing_months=months)


def window(months):
    return item(timing="window_closes", timing_months=months)


def test_an_untimed_item_has_no_timing():
    timing = timing_for(item(), diagnosis_date=date(2027, 1, 1), today=TODAY)
    assert timing.state == TimingState.NONE
    assert not timing.is_dated


@pytest.mark.parametrize("timed_item", [due_within(3), window(24)])
def test_no_diagnosis_date_says_so_kindly(timed_item):
    timing = timing_for(timed_item, diagnosis_date=None, today=TODAY)
    assert timing.state == TimingState.NO_DATE
    assert timing.date is None
    assert "Add your diagnosis date" in timing.text
    assert "diagnosis" in describe_rule(timed_item)


@pytest.mark.parametrize(
    ("diagnosis_date", "today", "state", "due", "words"),
    [
        # 31 January + 1 month is 28 February (not a leap year).
        (
            date(2027, 1, 31),
            date(2027, 1, 31),
            "due_soon",
            date(2027, 2, 28),
            "4 weeks",
        ),
        (date(2027, 1, 31), date(2027, 2, 28), "due_soon", date(2027, 2, 28), "today"),
        (
            date(2027, 1, 31),
            date(2027, 3, 1),
            "overdue",
            date(2027, 2, 28),
            "1 day ago",
        ),
        # Leap year: due on 29 February, so 28 February is the day before.
        (date(2028, 1, 31), date(2028, 2, 28), "due_soon", date(2028, 2, 29), "1 day"),
        (date(2028, 1, 31), date(2028, 2, 29), "due_soon", date(2028, 2, 29), "today"),
        (
            date(2028, 1, 31),
            date(2028, 3, 1),
            "overdue",
            date(2028, 2, 29),
            "1 day ago",
        ),
        # December to January.
        (
            date(2026, 12, 10),
            date(2026, 12, 20),
            "due_soon",
            date(2027, 1, 10),
            "3 weeks",
        ),
    ],
)
def test_due_within_one_month_at_the_edges(diagnosis_date, today, state, due, words):
    timing = timing_for(due_within(1), diagnosis_date=diagnosis_date, today=today)
    assert timing.state == state
    assert timing.date == due
    assert words in timing.text


def test_due_later_says_when_in_words():
    timing = timing_for(due_within(6), diagnosis_date=date(2027, 6, 1), today=TODAY)
    assert timing.state == TimingState.DUE
    assert timing.text == "Due in 5 months, by December 1, 2027."
    assert not timing.is_urgent


def test_due_soon_starts_thirty_days_before():
    diagnosed = date(2027, 1, 1)  # due 2027-04-01
    assert (
        timing_for(
            due_within(3), diagnosis_date=diagnosed, today=date(2027, 3, 2)
        ).state
        == "due_soon"
    )
    assert (
        timing_for(
            due_within(3), diagnosis_date=diagnosed, today=date(2027, 3, 1)
        ).state
        == "due"
    )


def test_overdue_is_said_plainly():
    timing = timing_for(due_within(3), diagnosis_date=date(2026, 1, 1), today=TODAY)
    assert timing.state == TimingState.OVERDUE
    assert timing.text.startswith("Overdue:")
    assert timing.label == "Overdue"
    assert timing.is_urgent


@pytest.mark.parametrize(
    ("diagnosis_date", "state", "text"),
    [
        # 20 months after diagnosis, a 24-month window has 4 months left.
        (
            date(2025, 10, 15),
            "open",
            "Window open: 4 months left (closes on October 15, 2027).",
        ),
        (date(2025, 8, 16), "closing_soon", "Closing soon: 2 months left"),
        (date(2025, 7, 1), "closing_soon", "Closing soon: 2 weeks left"),
        (date(2025, 6, 15), "closing_soon", "the window closes today"),
        (date(2025, 6, 14), "closed", "Window closed on June 14, 2027."),
    ],
)
def test_window_states(diagnosis_date, state, text):
    timing = timing_for(window(24), diagnosis_date=diagnosis_date, today=TODAY)
    assert timing.state == state
    assert text in timing.text


def test_closing_soon_starts_three_calendar_months_before():
    # Closes 2027-09-15: exactly three months away is still open.
    at_three = timing_for(window(24), diagnosis_date=date(2025, 9, 15), today=TODAY)
    assert at_three.state == TimingState.OPEN
    assert at_three.label == "3 months left"
    day_later = timing_for(window(24), diagnosis_date=date(2025, 9, 14), today=TODAY)
    assert day_later.state == TimingState.CLOSING_SOON


def test_window_clamped_at_a_leap_day():
    timing = timing_for(
        window(12), diagnosis_date=date(2028, 2, 29), today=date(2029, 2, 28)
    )
    assert timing.date == date(2029, 2, 28)
    assert timing.state == TimingState.CLOSING_SOON


def test_coming_up_leaves_out_closed_done_and_undated_rows():
    def row(state_item, diagnosis_date, is_open=True):
        timing = timing_for(state_item, diagnosis_date=diagnosis_date, today=TODAY)
        return SimpleNamespace(item=state_item, timing=timing, is_open=is_open)

    overdue = row(due_within(1), date(2027, 1, 1))
    open_window = row(window(24), date(2027, 1, 1))
    closed = row(window(1), date(2026, 1, 1))
    done = row(due_within(1), date(2027, 6, 1), is_open=False)
    undated = row(item(), date(2027, 1, 1))
    assert coming_up([open_window, closed, done, undated, overdue]) == [
        overdue,
        open_window,
    ]
    assert coming_up([open_window, overdue], limit=1) == [overdue]


# Counted from first symptoms or from diagnosis ------------


def trial_window(months=24):
    return item(
        timing="window_closes", timing_months=months, timing_from="first_symptoms"
    )


def test_trial_window_counts_from_first_symptoms():
    # Symptoms began 30 months before a diagnosis made today: the usual 24-month
    # window of a trial closed half a year ago, although the diagnosis is new.
    timing = timing_for(
        trial_window(),
        diagnosis_date=TODAY,
        symptom_onset_date=add_months(TODAY, -30),
        today=TODAY,
    )
    assert timing.state in (TimingState.CLOSED, TimingState.CLOSING_SOON)
    assert timing.date == add_months(TODAY, -6)
    assert "first symptoms began" in timing.note
    # A 36-month window (as in the HEALEY platform trial) is closing, not open.
    longer = timing_for(
        trial_window(36),
        diagnosis_date=add_months(TODAY, -4),
        symptom_onset_date=add_months(TODAY, -34),
        today=TODAY,
    )
    assert longer.state == TimingState.CLOSING_SOON


def test_without_an_onset_date_the_diagnosis_stands_in_and_the_page_says_so():
    timing = timing_for(
        trial_window(), diagnosis_date=add_months(TODAY, -20), today=TODAY
    )
    assert timing.state == TimingState.OPEN
    assert timing.date == add_months(TODAY, 4)
    assert "Counted from your diagnosis" in timing.note
    assert "we don't know when your first symptoms began" in timing.note
    assert "counts from first symptoms" in timing.note


def test_without_any_date_a_first_symptoms_window_says_what_it_counts_from():
    timing = timing_for(trial_window(), diagnosis_date=None, today=TODAY)
    assert timing.state == TimingState.NO_DATE
    assert "first symptoms" in timing.text
    assert describe_rule(trial_window()) == (
        "Time-limited: best done within 24 months of first symptoms."
    )


def test_onset_date_alone_is_enough_for_a_first_symptoms_item():
    timing = timing_for(
        trial_window(),
        diagnosis_date=None,
        symptom_onset_date=add_months(TODAY, -23),
        today=TODAY,
    )
    assert timing.state == TimingState.CLOSING_SOON


@pytest.mark.parametrize(
    ("timing_from", "deadline"),
    [
        ("diagnosis", date(2027, 9, 15)),  # 24 months after 2025-09-15
        ("first_symptoms", date(2026, 9, 15)),  # 24 months after 2024-09-15
    ],
)
def test_each_item_counts_from_its_own_anchor(timing_from, deadline):
    timed = item(timing="due_within", timing_months=24, timing_from=timing_from)
    timing = timing_for(
        timed,
        diagnosis_date=date(2025, 9, 15),
        symptom_onset_date=date(2024, 9, 15),
        today=TODAY,
    )
    assert timing.date == deadline
    assert ("first symptoms" in timing.note) is (timing_from == "first_symptoms")
    expected_word = "first symptoms" if timing_from == "first_symptoms" else "diagnosis"
    assert describe_rule(timed) == f"Within 24 months of {expected_word}."

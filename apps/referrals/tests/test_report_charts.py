"""The chart geometry: bars in proportion, hidden values without a bar, round axis
steps, and series told apart by pattern and name, not colour alone."""

import pytest
from django.template.loader import render_to_string

from apps.referrals.charts import (
    SERIES_STYLES,
    grouped_columns,
    horizontal_bars,
    nice_step,
)


def test_horizontal_bars_are_in_proportion_and_hidden_values_have_none():
    chart = horizontal_bars(
        slug="t",
        title="T",
        summary="S",
        items=[("Ten", 10, "10"), ("Five", 5, "5"), ("Hidden", None, "fewer than 5")],
    )
    ten, five, hidden = chart.bars
    assert ten.width == pytest.approx(2 * five.width)
    assert ten.text_x + 100 <= chart.width  # room for the value after the bar
    assert hidden.width == 0 and hidden.value_text == "fewer than 5"
    assert hidden.bar_y > five.bar_y > ten.bar_y  # one row each, top to bottom


@pytest.mark.parametrize(
    ("largest", "step"), [(0, 1), (3, 1), (7, 2), (23, 5), (180, 50), (6850, 2000)]
)
def test_axis_steps_are_round(largest, step):
    assert nice_step(largest) == step


def test_columns_skip_empty_values_and_label_what_fits():
    months = [f"M{n}" for n in range(60)]
    chart = grouped_columns(
        slug="m",
        title="Month by month",
        summary="S",
        categories=months,
        series=[("Sent", [5] * 60), ("Declined", [0, None] * 30)],
    )
    assert len(chart.columns) == 60  # no bar for 0 or a hidden value
    assert 1 < len(chart.x_labels) < 60  # every few months, not overlapping
    assert all(c.y + c.height == chart.plot_bottom for c in chart.columns)
    assert chart.ticks[0][1] == "0"


def test_series_differ_by_pattern_and_are_named_in_the_legend():
    chart = grouped_columns(
        slug="m",
        title="Month by month",
        summary="Summary text.",
        categories=["Jan", "Feb"],
        series=[("Sent", [4, 6]), ("Completed", [2, 3]), ("Declined", [1, 0])],
    )
    svg = render_to_string("referrals/reports/includes/chart.html", {"chart": chart})
    assert len({pattern for _, pattern in SERIES_STYLES}) == len(SERIES_STYLES)
    assert 'patternTransform="rotate(45)"' in svg and "<circle" in svg
    for name in ("Sent", "Completed", "Declined"):
        assert f">{name}</text>" in svg
    assert '<title id="m-title">Month by month</title>' in svg
    assert "Summary text." in svg
    assert "<script" not in svg and "http" not in svg.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )

"""Charts as pictures drawn on the server: the geometry of simple SVG bar charts.

Nothing here knows about referrals: a chart gets labels and values, works out where
each bar goes, and templates/referrals/reports/includes/ draws it as inline SVG (no
script, no asset from elsewhere). Every chart is shown with a title, a sentence
saying what it shows and the table of its numbers, so the picture is never the only
way to the figures.

Colour is never the only difference between series: each has its own fill pattern
(solid, stripes, dots), named in the legend with a swatch of the same pattern, and
bars carry their values as text where there is room. The colours are dark enough
for 3:1 against white (WCAG 1.4.11 non-text contrast) and the text is near-black.
"""

import math
from dataclasses import dataclass, field

# (fill colour, pattern) per series, in order; the template draws the patterns.
SERIES_STYLES = [
    ("#1d4e89", "solid"),  # dark blue, 8.4:1 on white
    ("#a14a00", "stripes"),  # dark orange, 6.0:1
    ("#2f6b3a", "dots"),  # dark green, 6.4:1
]
TEXT = "#212529"
FONT_SIZE = 14  # columns chart
BAR_FONT_SIZE = 16  # bar charts, drawn narrower to stay readable on a phone


@dataclass
class HorizontalBar:
    label: str
    value_text: str
    label_y: float
    bar_y: float
    width: float
    text_x: float
    text_y: float


@dataclass
class HorizontalBarChart:
    """One series of bars, one per row, each with its label above it."""

    slug: str
    title: str
    summary: str
    bars: list[HorizontalBar]
    width: int
    height: int
    bar_height: int
    style: int = 0
    kind: str = "horizontal"
    font_size: int = BAR_FONT_SIZE

    @property
    def styles(self) -> list[tuple[int, str, str]]:
        return [(self.style, *SERIES_STYLES[self.style])]


LABEL_ROOM = 24  # the label line above each bar
ROW_GAP = 14


def horizontal_bars(
    *,
    slug: str,
    title: str,
    summary: str,
    items: list[tuple[str, float | None, str]],
    width: int = 400,
    style: int = 0,
) -> HorizontalBarChart:
    """items: (label, value to draw or None to draw no bar, value as text)."""
    bar_height = 22
    value_room = 110  # text after the longest bar
    drawn = [value for _, value, _ in items if value is not None]
    largest = max(drawn, default=0) or 1
    scale = (width - value_room) / largest
    bars = []
    y = 0.0
    for label, value, text in items:
        length = (value or 0) * scale
        bar_y = y + LABEL_ROOM
        bars.append(
            HorizontalBar(
                label=label,
                value_text=text,
                label_y=y + BAR_FONT_SIZE + 2,
                bar_y=bar_y,
                width=round(length, 1),
                text_x=round(length + 6, 1),
                text_y=bar_y + bar_height / 2 + BAR_FONT_SIZE / 2 - 2,
            )
        )
        y = bar_y + bar_height + ROW_GAP
    return HorizontalBarChart(
        slug=slug,
        title=title,
        summary=summary,
        bars=bars,
        width=width,
        height=max(int(y), 40),
        bar_height=bar_height,
        style=style,
    )


@dataclass
class Column:
    x: float
    y: float
    width: float
    height: float
    style: int


@dataclass
class ColumnChart:
    """Vertical bars grouped by category (e.g. month), one bar per series."""

    slug: str
    title: str
    summary: str
    columns: list[Column]
    ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]
    # (swatch x, text x, series index, series name)
    legend: list[tuple[float, float, int, str]]
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    style_ids: list[int] = field(default_factory=list)
    kind: str = "columns"
    font_size: int = FONT_SIZE

    @property
    def tick_label_x(self) -> int:
        return self.plot_left - 6

    @property
    def x_label_y(self) -> int:
        return self.plot_bottom + 20

    @property
    def legend_swatch_y(self) -> int:
        return self.height - 24

    @property
    def legend_text_y(self) -> int:
        return self.height - 11

    @property
    def styles(self) -> list[tuple[int, str, str]]:
        return [(index, *SERIES_STYLES[index]) for index in self.style_ids]


def nice_step(largest: float, most_ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving at most most_ticks."""
    if largest <= 0:
        return 1
    rough = largest / most_ticks
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return max(factor * power, 1)
    return 10 * power


def grouped_columns(
    *,
    slug: str,
    title: str,
    summary: str,
    categories: list[str],
    series: list[tuple[str, list[float | None]]],
    width: int = 720,
    height: int = 320,
) -> ColumnChart:
    """series: (name, one value per category; None draws no bar)."""
    left, right, top, legend_room, axis_room = 56, 12, 12, 34, 40
    plot_bottom = height - legend_room - axis_room
    plot_width = width - left - right
    plot_height = plot_bottom - top
    values = [v for _, vs in series for v in vs if v is not None]
    step = nice_step(max(values, default=0))
    top_value = step * max(1, math.ceil(max(values, default=0) / step))
    scale = plot_height / top_value
    ticks = []
    tick = 0.0
    while tick <= top_value + 1e-9:
        ticks.append((round(plot_bottom - tick * scale, 1), f"{tick:g}"))
        tick += step
    slot = plot_width / max(len(categories), 1)
    bar_width = slot * 0.8 / max(len(series), 1)
    columns = []
    for index, (_, values_of_series) in enumerate(series):
        for position, value in enumerate(values_of_series):
            if not value:
                continue
            bar_height = value * scale
            columns.append(
                Column(
                    x=round(left + position * slot + slot * 0.1 + index * bar_width, 1),
                    y=round(plot_bottom - bar_height, 1),
                    width=round(max(bar_width - 1, 1), 1),
                    height=round(bar_height, 1),
                    style=index,
                )
            )
    # Label as many categories as fit (about 70 units of width each).
    every = max(1, math.ceil(len(categories) * 70 / plot_width))
    x_labels = [
        (round(left + position * slot + slot / 2, 1), name)
        for position, name in enumerate(categories)
        if position % every == 0
    ]
    legend = []
    x = float(left)
    for index, (name, _) in enumerate(series):
        legend.append((x, x + 28, index, name))
        x += 48 + len(name) * FONT_SIZE * 0.62
    return ColumnChart(
        slug=slug,
        title=title,
        summary=summary,
        columns=columns,
        ticks=ticks,
        x_labels=x_labels,
        legend=legend,
        width=width,
        height=height,
        plot_left=left,
        plot_right=width - right,
        plot_top=top,
        plot_bottom=plot_bottom,
        style_ids=list(range(len(series))),
    )

"""Bar charts of a period by day, drawn server-side as inline SVG geometry: no script, no CDN.

`bar_chart` turns one value per day into rectangles in a fixed coordinate space; the template
scales it to the page width through the SVG viewBox and gives each bar a text title.
"""

from dataclasses import dataclass
from datetime import date

SLOT = 20  # width of one day's slot, in SVG units
BAR = 14  # width of a bar within its slot
PLOT_HEIGHT = 120
TOP = 14  # room above the plot for the maximum's label
BOTTOM = 18  # room below the plot for the day numbers
LEFT = 4


@dataclass(frozen=True)
class Bar:
    day: date
    value: int
    x: float
    y: float
    height: float
    label_x: float  # centre of the slot, where the day number goes
    labelled: bool  # whether the day number is printed below the axis


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    bar_width: int
    maximum: int
    width: int
    height: int
    axis_y: int  # y of the x axis (the plot's bottom)


def bar_chart(values: list[tuple[date, int]]) -> BarChart:
    maximum = max((value for _, value in values), default=0)
    axis_y = TOP + PLOT_HEIGHT
    bars = []
    for index, (day, value) in enumerate(values):
        height = PLOT_HEIGHT * value / maximum if maximum else 0.0
        if value and height < 1:
            height = 1.0  # a day with any use stays visible beside a very busy one
        slot_x = LEFT + index * SLOT
        bars.append(
            Bar(
                day=day,
                value=value,
                x=slot_x + (SLOT - BAR) / 2,
                y=axis_y - height,
                height=height,
                label_x=slot_x + SLOT / 2,
                labelled=day.day == 1 or day.day % 5 == 0,
            )
        )
    return BarChart(
        bars=bars,
        bar_width=BAR,
        maximum=maximum,
        width=LEFT * 2 + SLOT * len(values),
        height=axis_y + BOTTOM,
        axis_y=axis_y,
    )

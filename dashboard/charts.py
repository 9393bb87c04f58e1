"""Grouped bar charts for the overview, drawn server-side as SVG geometry like the Usage page's charts.

`grouped_bar_chart` turns labelled groups of values (a month's invoiced and received, an aging bucket's
receivables and payables) into rectangles in a fixed coordinate space, with the Usage charts' plot
height and margins; the template scales it through the viewBox and colours bars by class (no style
attributes: the pages run under a strict Content-Security-Policy).
"""

from dataclasses import dataclass
from decimal import Decimal

from usage.charts import BOTTOM, PLOT_HEIGHT, TOP

GROUP = 72  # width of one group's slot, in SVG units
BAR = 24  # width of one bar
GAP = 4  # between the bars of a group
LEFT = 4


@dataclass(frozen=True)
class GroupBar:
    series: int  # index into the chart's series, for the bar's class
    value: Decimal
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Group:
    label: str
    label_x: float
    bars: list[GroupBar]


@dataclass(frozen=True)
class GroupedBarChart:
    groups: list[Group]
    bar_width: int
    maximum: Decimal
    width: int
    height: int
    axis_y: int

    @property
    def empty(self) -> bool:
        return not self.maximum


def grouped_bar_chart(groups: list[tuple[str, list[Decimal]]]) -> GroupedBarChart:
    """One group per (label, values); every group has the same number of values (one per series)."""
    maximum = max((value for _, values in groups for value in values), default=Decimal(0))
    axis_y = TOP + PLOT_HEIGHT
    drawn = []
    for index, (label, values) in enumerate(groups):
        slot_x = LEFT + index * GROUP
        bars_width = len(values) * BAR + (len(values) - 1) * GAP
        first_x = slot_x + (GROUP - bars_width) / 2
        bars = []
        for series, value in enumerate(values):
            height = float(PLOT_HEIGHT * value / maximum) if maximum > 0 else 0.0
            if value > 0 and height < 1:
                height = 1.0  # any amount stays visible beside a very large one
            bars.append(
                GroupBar(series=series, value=value, x=first_x + series * (BAR + GAP), y=axis_y - height, height=height)
            )
        drawn.append(Group(label=label, label_x=slot_x + GROUP / 2, bars=bars))
    return GroupedBarChart(
        groups=drawn,
        bar_width=BAR,
        maximum=maximum,
        width=LEFT * 2 + GROUP * len(groups),
        height=axis_y + BOTTOM,
        axis_y=axis_y,
    )

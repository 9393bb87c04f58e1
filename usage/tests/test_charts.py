"""The daily bar charts' geometry: bars scaled to the busiest day, small days still visible."""

from datetime import date, timedelta

from usage.charts import BAR, PLOT_HEIGHT, SLOT, TOP, bar_chart

APRIL = [date(2026, 4, 1) + timedelta(days=n) for n in range(30)]


def test_the_busiest_day_fills_the_plot_and_others_scale_to_it():
    values = dict.fromkeys(APRIL, 0) | {APRIL[2]: 1000, APRIL[3]: 250, APRIL[4]: 1}

    chart = bar_chart(list(values.items()))

    heights = {bar.day: bar.height for bar in chart.bars}
    assert chart.maximum == 1000
    assert heights[APRIL[2]] == PLOT_HEIGHT
    assert heights[APRIL[3]] == PLOT_HEIGHT / 4
    assert heights[APRIL[4]] == 1.0  # 0.12 units would not show
    assert heights[APRIL[0]] == 0
    assert all(bar.y + bar.height == chart.axis_y for bar in chart.bars)
    assert chart.bars[2].y == TOP


def test_each_day_has_its_slot_and_some_are_labelled():
    chart = bar_chart([(day, 0) for day in APRIL])

    assert chart.width == 30 * SLOT + 8
    assert chart.bar_width == BAR
    assert [bar.x for bar in chart.bars[:2]] == [4 + (SLOT - BAR) / 2, 4 + SLOT + (SLOT - BAR) / 2]
    assert [bar.day.day for bar in chart.bars if bar.labelled] == [1, 5, 10, 15, 20, 25, 30]


def test_a_period_without_use_draws_no_bars():
    chart = bar_chart([(day, 0) for day in APRIL])

    assert chart.maximum == 0
    assert {bar.height for bar in chart.bars} == {0}

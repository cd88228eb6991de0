"""Headline wording and ranking, from real series held in the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from safeguarding.conftest import World
from safeguarding.insight import headlines, queries, spc
from safeguarding.insight.models import Comparator, Indicator
from safeguarding.insight.periods import Frequency, Period
from safeguarding.insight.tests.conftest import add_series

CALM = [60.0, 64.0] * 6  # twelve quarters about 62


def test_seven_quarters_above_the_average_is_an_improvement_headline(
    world: World, rhi: Indicator
) -> None:
    add_series(rhi, world.la, dt.date(2019, 4, 1), [*CALM, 61.0, 63.0, 62.0, *[70.0] * 7])
    found = queries.year_headlines(2024, Indicator.objects.filter(pk=rhi.pk))
    texts = [h.text for h in found]
    assert (
        "Return home interviews within 72 hours: improvement — seven quarters in a row above "
        "the average"
    ) in texts


def test_a_point_beyond_the_limit_is_a_concern_when_lower_is_better(
    world: World, episodes: Indicator
) -> None:
    add_series(episodes, world.la, dt.date(2023, 4, 1), [*[40.0, 44.0] * 9, 90.0])
    top = queries.year_headlines(2024, Indicator.objects.filter(pk=episodes.pk))[0]
    assert top.meaning == "concern"
    assert top.text == "Missing episodes: concern — October 2024 (90) is above the upper limit"


def test_a_concern_beyond_a_limit_outranks_a_shift_and_a_change_on_last_year(
    world: World, rhi: Indicator, episodes: Indicator
) -> None:
    add_series(rhi, world.la, dt.date(2019, 4, 1), [*CALM, 61.0, 63.0, 62.0, *[70.0] * 7])
    add_series(episodes, world.la, dt.date(2023, 4, 1), [*[40.0, 44.0] * 9, 90.0])
    ranked = queries.year_headlines(2024)
    assert ranked[0].code == "missing-episodes"
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)


def test_a_change_on_last_year_is_worded_with_both_years(world: World, episodes: Indicator) -> None:
    add_series(episodes, world.la, dt.date(2023, 4, 1), [*[40.0] * 12, *[30.0] * 3])
    found = queries.year_headlines(2024, Indicator.objects.filter(pk=episodes.pk))
    change = next(h for h in found if "on 2023/24" in h.text)
    assert change.text == (
        "Missing episodes: down 25% on 2023/24 (a month on average: 40 to 30), better"
    )
    assert change.meaning == "improvement"


def test_a_spike_earlier_in_the_year_is_still_a_headline(world: World, episodes: Indicator) -> None:
    add_series(episodes, world.la, dt.date(2023, 4, 1), [*[40.0, 44.0] * 9, 90.0, 41.0, 43.0])
    found = queries.year_headlines(2024, Indicator.objects.filter(pk=episodes.pk))
    assert found[0].text == (
        "Missing episodes: concern — October 2024 (90) was above the upper limit; the latest "
        "value is within the limits"
    )


def test_a_gap_to_england_is_a_headline(world: World, rhi: Indicator) -> None:
    add_series(rhi, world.la, dt.date(2024, 4, 1), [50.0, 52.0])
    Comparator.objects.create(indicator=rhi, kind="england", year=2023, value=Decimal("63"))
    found = queries.year_headlines(2024, Indicator.objects.filter(pk=rhi.pk))
    assert any("below England's 63.0%" in h.text and h.meaning == "concern" for h in found)


def test_the_headline_names_every_comparator_on_the_side_of_the_widest_gap(
    world: World, rhi: Indicator
) -> None:
    add_series(rhi, world.la, dt.date(2024, 4, 1), [80.0, 82.0])
    for kind, value in (("england", "70"), ("region", "81"), ("statistical_neighbours", "60")):
        Comparator.objects.create(indicator=rhi, kind=kind, year=2024, value=Decimal(value))
    # An older figure for the region is replaced by the year's own.
    Comparator.objects.create(indicator=rhi, kind="region", year=2023, value=Decimal("50"))
    [found] = queries.year_headlines(2024, Indicator.objects.filter(pk=rhi.pk))
    # 82 is within 10% of the region's 81: only England and the neighbours are named.
    assert found.text == (
        "Return home interviews within 72 hours: 82.0% in Q2 2024/25, above England's 70.0% "
        "and statistical neighbours' 60.0%"
    )
    assert found.meaning == "improvement"


def test_an_indicator_with_no_values_that_year_has_no_headlines(
    world: World, episodes: Indicator
) -> None:
    add_series(episodes, world.la, dt.date(2021, 4, 1), [*[40.0] * 12])
    assert queries.year_headlines(2024) == []


def test_values_are_formatted_by_unit() -> None:
    assert headlines.format_value(63.456, "percentage") == "63.5%"
    assert headlines.format_value(412.04, "rate_10000") == "412.0 per 10,000"
    assert headlines.format_value(32, "days") == "32 days"
    assert headlines.format_value(1204, "count") == "1,204"


def test_a_trend_headline_counts_the_points_of_the_run() -> None:
    values = [*[36.0, 48.0] * 5, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0]
    periods = [Period(dt.date(2023, 4, 1), Frequency.MONTHLY).shift(i) for i in range(len(values))]
    facts = headlines.SeriesFacts(
        code="x",
        title="Young carers identified",
        unit="count",
        frequency=Frequency.MONTHLY,
        periods=periods,
        analysis=spc.analyse(values, "up"),
    )
    found = headlines.signal_headline(facts)
    assert found is not None
    assert found.text == "Young carers identified: improvement — eight months in a row rising"

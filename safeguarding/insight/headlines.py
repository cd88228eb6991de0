"""Data headlines: short statements from the signals, the change on last year and the
comparators, ranked by importance. Pure functions over an analysed series.

The ranking puts what the latest point says first (beyond a limit, then a shift still
running, a trend, two of three near a limit), concerns before improvements of the same
kind, then large changes on the year before, then gaps to England. Within a kind, the
longer run or larger change ranks higher.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from safeguarding.core.calendar import year_label
from safeguarding.insight import spc
from safeguarding.insight.periods import Frequency, Period
from safeguarding.insight.spc import Meaning, Rule, Side

NUMBER_WORDS = {
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    11: "eleven",
    12: "twelve",
}
YEAR_CHANGE_THRESHOLD = 10.0  # per cent: smaller changes on last year are not headlines
COMPARATOR_THRESHOLD = 10.0  # per cent away from England before it is a headline


def in_words(n: int) -> str:
    return NUMBER_WORDS.get(n, str(n))


def format_value(value: float | Decimal, unit: str) -> str:
    number = float(value)
    if unit == "percentage":
        return f"{number:.1f}%"
    if unit == "rate_10000":
        return f"{number:,.1f} per 10,000"
    if unit == "days":
        return f"{number:,.0f} days" if number != 1 else "1 day"
    return f"{number:,.0f}" if number == round(number) else f"{number:,.1f}"


@dataclass(frozen=True)
class SeriesFacts:
    """What the headlines need of one indicator."""

    code: str
    title: str
    unit: str
    frequency: Frequency
    periods: list[Period]
    analysis: spc.Analysis
    this_year: float | None = None  # the year's total (counts) or average (others)
    last_year: float | None = None
    year: int | None = None
    # Comparators for the year, (label as it reads in a sentence, value): England, the
    # region, statistical neighbours, in that order; only those the partnership loaded.
    comparators: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Headline:
    code: str
    title: str
    text: str
    meaning: str  # improvement / concern / neither / change
    score: float

    @property
    def tag_colour(self) -> str:
        return {"improvement": "blue", "concern": "orange"}.get(self.meaning, "grey")


MEANING_WORDS = {
    Meaning.IMPROVEMENT: "improvement",
    Meaning.CONCERN: "concern",
    Meaning.NEITHER: "unusual change",
}
RULE_SCORES = {
    Rule.BEYOND_LIMIT: 100.0,
    Rule.SHIFT: 80.0,
    Rule.TREND: 70.0,
    Rule.TWO_OF_THREE: 60.0,
}


def _plural(frequency: Frequency, n: int) -> str:
    word = "month" if frequency == Frequency.MONTHLY else "quarter"
    return word if n == 1 else f"{word}s"


def signal_headline(facts: SeriesFacts) -> Headline | None:
    """What the latest point says, if it is special cause."""
    analysis = facts.analysis
    if not analysis.signals or analysis.signals[-1] is None:
        return None
    signal = analysis.signals[-1]
    if signal is None:
        return None
    meaning = MEANING_WORDS[signal.meaning]
    last = facts.periods[-1]
    rule = signal.rules[0]
    score = RULE_SCORES[rule] + (5 if signal.meaning == Meaning.CONCERN else 0)
    if rule == Rule.BEYOND_LIMIT:
        where = "above the upper" if signal.side == Side.HIGH else "below the lower"
        value = format_value(analysis.values[-1], facts.unit)
        text = f"{facts.title}: {meaning} — {last.label} ({value}) is {where} limit"
    elif rule == Rule.SHIFT:
        run, side = spc.run_length_at_end(analysis)
        where = "above" if side == Side.HIGH else "below"
        text = (
            f"{facts.title}: {meaning} — {in_words(run)} {_plural(facts.frequency, run)} "
            f"in a row {where} the average"
        )
        score += min(run, 20)
    elif rule == Rule.TREND:
        run = _trend_length(analysis.values)
        how = "rising" if signal.side == Side.HIGH else "falling"
        text = (
            f"{facts.title}: {meaning} — {in_words(run)} {_plural(facts.frequency, run)} "
            f"in a row {how}"
        )
        score += min(run, 20)
    else:
        where = "upper" if signal.side == Side.HIGH else "lower"
        text = (
            f"{facts.title}: {meaning} — two of the last three "
            f"{_plural(facts.frequency, 3)} close to the {where} limit"
        )
    return Headline(facts.code, facts.title, text, signal.meaning.value, score)


def _trend_length(values: list[float]) -> int:
    if len(values) < 2:
        return len(values)
    rising = values[-1] > values[-2]
    n = 1
    for i in range(len(values) - 1, 0, -1):
        step = values[i] - values[i - 1]
        if (step > 0) == rising and step != 0:
            n += 1
        else:
            break
    return n


def year_change_headline(facts: SeriesFacts, direction: spc.Direction) -> Headline | None:
    """A change on the year before of YEAR_CHANGE_THRESHOLD per cent or more."""
    if facts.this_year is None or not facts.last_year or facts.year is None:
        return None
    change = (facts.this_year - facts.last_year) / abs(facts.last_year) * 100
    if abs(change) < YEAR_CHANGE_THRESHOLD:
        return None
    went = "up" if change > 0 else "down"
    side = Side.HIGH if change > 0 else Side.LOW
    meaning = spc.meaning_of(side, direction)
    word = {"improvement": "better", "concern": "worse"}.get(meaning.value, "changed")
    per = _plural(facts.frequency, 1)
    text = (
        f"{facts.title}: {went} {abs(change):.0f}% on {year_label(facts.year - 1)} "
        f"(a {per} on average: {format_value(facts.last_year, facts.unit)} to "
        f"{format_value(facts.this_year, facts.unit)}), {word}"
    )
    score = 30 + min(abs(change), 100) / 5 + (5 if meaning == Meaning.CONCERN else 0)
    return Headline(facts.code, facts.title, text, meaning.value, score)


def possessive(label: str) -> str:
    """England's, the region's, statistical neighbours'."""
    return label + ("'" if label.endswith("s") else "'s")


def comparator_headline(facts: SeriesFacts, direction: spc.Direction) -> Headline | None:
    """The latest value against the comparators it is COMPARATOR_THRESHOLD per cent or more
    away from, on the side of the widest gap: one headline naming each of them."""
    if not facts.comparators or not facts.analysis.values or facts.unit == "count":
        return None
    latest = facts.analysis.values[-1]
    gaps = [
        (label, value, (latest - value) / abs(value) * 100)
        for label, value in facts.comparators
        if value != 0
    ]
    wide = [g for g in gaps if abs(g[2]) >= COMPARATOR_THRESHOLD]
    if not wide:
        return None
    widest = max(wide, key=lambda g: abs(g[2]))
    same_side = [g for g in wide if (g[2] > 0) == (widest[2] > 0)]
    side = Side.HIGH if widest[2] > 0 else Side.LOW
    meaning = spc.meaning_of(side, direction)
    where = "above" if widest[2] > 0 else "below"
    named = [
        f"{possessive(label)} {format_value(value, facts.unit)}" for label, value, _ in same_side
    ]
    against = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    text = (
        f"{facts.title}: {format_value(latest, facts.unit)} in {facts.periods[-1].label}, "
        f"{where} {against}"
    )
    score = 20 + min(abs(widest[2]), 100) / 10 + (5 if meaning == Meaning.CONCERN else 0)
    return Headline(facts.code, facts.title, text, meaning.value, score)


def earlier_beyond_headline(facts: SeriesFacts) -> Headline | None:
    """A point of the year beyond a limit, when the latest point is not special cause: the
    year had an exceptional month or quarter that the latest value no longer shows."""
    analysis = facts.analysis
    if not analysis.signals or analysis.signals[-1] is not None or facts.year is None:
        return None
    for i in range(len(analysis.signals) - 1, -1, -1):
        signal = analysis.signals[i]
        if facts.periods[i].year != facts.year:
            break
        if signal is not None and Rule.BEYOND_LIMIT in signal.rules:
            where = "above the upper" if signal.side == Side.HIGH else "below the lower"
            value = format_value(analysis.values[i], facts.unit)
            text = (
                f"{facts.title}: {MEANING_WORDS[signal.meaning]} — {facts.periods[i].label} "
                f"({value}) was {where} limit; the latest value is within the limits"
            )
            score = 50 + (5 if signal.meaning == Meaning.CONCERN else 0)
            return Headline(facts.code, facts.title, text, signal.meaning.value, score)
    return None


def headlines_for(facts: SeriesFacts, direction: spc.Direction) -> list[Headline]:
    found = [
        signal_headline(facts),
        earlier_beyond_headline(facts),
        year_change_headline(facts, direction),
        comparator_headline(facts, direction),
    ]
    return [h for h in found if h is not None]


def rank(headlines: list[Headline]) -> list[Headline]:
    return sorted(headlines, key=lambda h: (-h.score, h.title, h.text))

"""What each disclosure policy hides and how wide a hidden count's interval must stay.

The protection interval is τ-ARGUS's "protection level" put as a width: for every hidden
cell, the largest value consistent with everything published minus the smallest must be
at least `interval` (docs/decisions/0068-protection-across-linked-tables.md). It is the
width of the small range less one, so a hidden count is known no better than its symbol
already says: "c" is 1 to 5, four apart; "*" is 1 to 7, six apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from safeguarding.core.disclosure import SMALL_UPTO, Policy, round_to_5


@dataclass(frozen=True)
class Rule:
    policy: Policy
    small_upto: int
    interval: int
    rounding: int  # 1: shown exactly; 5: shown to the nearest 5

    def is_small(self, value: int) -> bool:
        return 1 <= value <= self.small_upto

    def shown_bounds(self, value: int) -> tuple[float, float]:
        """What a reader knows of a count from how it is shown."""
        if self.rounding == 1:
            return float(value), float(value)
        shown = round_to_5(value)
        half = self.rounding // 2
        return float(max(0, shown - half)), float(shown + half)


def rule_for(policy: Policy | str) -> Rule:
    chosen = Policy(policy)
    upto = SMALL_UPTO[chosen]
    return Rule(chosen, upto, upto - 1, 5 if chosen == Policy.NHS else 1)


# A rate or percentage is published to one decimal place.
RATE_HALF_STEP = 0.05

"""The demo's last core step: the data set's computed indicators, from the modules' records.

This module is discovered like any app's `demo` module; `safeguarding.demo` comes after
the record-level apps in INSTALLED_APPS, so the step runs once their records exist.
The demo partnership's records run to the end of March 2026, so the figures are worked
out as if on 1 April 2026: later periods would count the records the demo never made.
Where a module holds records, its figures replace the insight demo's synthetic history
for those periods; the history before the module was in use stays.
"""

from __future__ import annotations

import datetime as dt

from safeguarding.demo.generator import london
from safeguarding.demo.registry import DemoContext, step
from safeguarding.insight import computed
from safeguarding.insight.models import Channel, Correction, Submission

DEMO_TODAY = dt.date(2026, 4, 1)
DEMO_SINCE = dt.date(2021, 4, 1)
NIGHTLY = dt.time(2, 0)


@step("computed indicators")
def make_computed_indicators(ctx: DemoContext) -> None:
    outcomes = computed.compute(since=DEMO_SINCE, today=DEMO_TODAY)
    # The synthetic history gives way to the records without a correction each: in a real
    # partnership a recomputed value differs only when its records changed.
    Correction.objects.filter(reason=computed.RECOMPUTED, by=None).delete()
    # As if the nightly run had worked each figure out the night after its period ended,
    # so that the same seed gives the same partnership.
    written = list(
        Submission.objects.filter(channel=Channel.COMPUTED, submitted_by=None).select_related(
            "indicator"
        )
    )
    for submission in written:
        submission.submitted_at = london(submission.period.end + dt.timedelta(days=1), NIGHTLY)
    Submission.objects.bulk_update(written, ["submitted_at"], batch_size=500)
    ctx.count("computed indicator values", sum(o.written for o in outcomes))

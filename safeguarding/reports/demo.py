"""The demo partnership's annual report for 2024/25, published, and a draft for 2025/26.

Runs after the lead's "computed indicators" step (`safeguarding.reports` comes after
`safeguarding.demo` in INSTALLED_APPS), so the figures are those of the finished
partnership. Every figure is the modules' own (3 notifications and 3 rapid reviews from
learning, the training table and 621 e-learning completions from training, young carers
28 in June 2023 and 95 in January 2025 from the register) or this step's entries for the
year: the public health figures (data/area-figures-2024-25.csv, imported as an officer
would), the communication statistics (1,083 followers, 860 subscribers, 2,892 visits a
month) and the budget, whose lines leave a deficit of £31,172 that the council paid. The
narrative is the demo partnership's own.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from safeguarding.demo.generator import london
from safeguarding.demo.registry import DemoContext, clearer, digest_rows, step
from safeguarding.reports import actions
from safeguarding.reports.models import (
    AnnualReport,
    AreaFigure,
    ChildDeathCount,
    FinanceKind,
    FinanceLine,
    NarrativeVersion,
    YearEntries,
)

YEAR = 2024
AREA_CSV = Path(__file__).parent / "data" / "area-figures-2024-25.csv"
PUBLISHED_ON = date(2025, 9, 30)

CONTRIBUTIONS = (("LA", Decimal("72000")), ("ICB", Decimal("40500")), ("POLICE", Decimal("28000")))
SPEND = (
    ("Partnership business unit staffing", Decimal("138422")),
    ("Multi-agency training", Decimal("14850")),
    ("Independent scrutiny", Decimal("12400")),
    ("Website, newsletter and campaigns", Decimal("6000")),
)
IN_KIND = (
    ("HOSP", "Rooms for training and the development day", Decimal("3200")),
    ("LA", "Schools safeguarding adviser's time", Decimal("9500")),
)
# Reviews completed by the child death overview panel: (category, modifiable, not).
DEATHS = ((3, 1, 1), (4, 0, 2), (5, 0, 3), (7, 0, 4), (8, 1, 5), (10, 2, 1))

NARRATIVE: dict[str, str] = {
    "foreword": """\
This is our report of the year from April 2024 to March 2025, written together by the three
partners who lead safeguarding in Wealdmoor: Wealdmoor Council, NHS Wealdmoor and Marlbeck
Integrated Care Board and Wealdmoor Constabulary.

We set ourselves five priorities a year ago. This report says what we did for each of them,
how we know whether it helped children, and what we will do next. Where we have figures we
show them; where we do not yet, we say so.

We thank every practitioner, volunteer, school and family who gave their time this year,
and the young people of our youth panel, who told us plainly what was not working.""",
    "national-context": """\
The year was the first full year under *Working Together to Safeguard Children 2023*. It
asked partnerships to make education a stronger partner, to fund their arrangements
equitably and to notify the deaths of care leavers up to the age of 24.

The national *Families First* programme guide, published in March 2025, sets out how
family help and multi-agency child protection will change. We began planning for it in the
spring and will report on it next year.""",
    "executive-summary": """\
Our five priorities for 2024/25 were:

- spotting and stopping exploitation;
- neglect: seeing the whole picture;
- help at the first sign;
- hearing every child;
- learning that sticks.

The number of young carers known to us has more than trebled since the summer of 2023.
The exploitation risk assessment meeting now makes decisions that every partner's systems
follow. Three serious incidents were notified to the National Panel and each had a rapid
review within fifteen working days.

The headlines below are drawn from our data set; each is explained in the section of its
priority.""",
    "children-in-numbers": """\
These figures come from the public health indicators for the area, as published by their
sources. The period of each figure is given beside it.""",
    "vision": """\
Our vision is that **every child in Wealdmoor grows up safe and knows who to turn to**.

### Our values

- Keeping children safe is everyone's job, in every agency and every community.
- What children and families tell us shapes what we do.

### Our principles

**Together.** We share what we know the same day.
**Early.** We help at the first sign, not at the crisis.
**Learning.** We look honestly at what went wrong and change our practice.""",
    "key-achievements": """\
Our sub-groups carried the priorities forward all year and reported to the executive each
quarter. Among what we achieved:

- a young carers plan agreed by every partner, and the register that shows it working;
- the exploitation risk assessment meeting became a decision-making panel;
- a return-home interview offer within 72 hours for every child who goes missing;
- a one-day safeguarding course replacing two half-filled ones.""",
    "priority-1": """\
### What we did

We turned the weekly risk assessment meeting into a panel that decides whether a child is
at risk of exploitation and how high the risk is, with actions, owners and a review date.
Police, schools and health now read the same flag.

We mapped the places where children told us they felt unsafe and shared them at the
disruption meeting.

### How we know it made a difference

Reviews of children's risk are now held by their due date far more often, and every child
who returns from a missing episode is offered a conversation within 72 hours.

### What we will do next

Audit ten cases with the contextual safeguarding lens, and train school staff in the new
referral route.

### Case study

> A fifteen-year-old was going missing at weekends. The panel linked her missing episodes
> to one address, the police disrupted it and her school put a trusted adult in place.
> She has not been missing since the spring.""",
    "priority-2": """\
### What we did

We launched one neglect toolkit for every agency and trained 140 practitioners in using it.

### How we know it made a difference

Our audit in February found the toolkit used in most of the cases we looked at, and plans
that named the small, repeated concerns rather than only the latest one.

### What we will do next

Repeat the audit in the autumn with health visitors and GP practices.""",
    "priority-3": """\
### What we did

We refreshed our guidance on the continuum of need with a named lead practitioner for each
family who needs early help, and opened two more family hubs.

### How we know it made a difference

Contacts to the front door are decided within a working day more often than a year ago, and
fewer families come back to us within twelve months.

### What we will do next

Prepare for the national family help reforms with our schools and health partners.""",
    "priority-4": """\
### What we did

Our youth panel met every month and reviewed two of our leaflets. We asked every agency to
record what children say in their own words.

### How we know it made a difference

The young people told us the new leaflets were clearer. Our audit of children's plans found
the child's words quoted in more of them.

### What we will do next

Invite the youth panel to the executive twice a year.""",
    "priority-5": """\
### What we did

Every review and audit now ends with a short briefing that reaches front-line staff within
six weeks, and with an action plan that the case review sub-group follows each quarter.

### How we know it made a difference

Practitioners who attended our learning events told us what they changed; the action
tracker shows most actions completed by their due date.

### What we will do next

Ask agencies to show the evidence of change when they close an action.""",
    "voice": """\
Children and young people told us that they want to be asked, not told, and that they want
to know what happened after they spoke. We have begun to write back to every young person
who takes part in our surveys.

### Case study

> A group of young carers spoke at our education conference about a school day that starts
> after they have already cared for someone for two hours. Three schools have since set up
> a quiet space and a named member of staff for young carers.""",
    "learning": """\
The case review sub-group leads our learning from serious incidents, rapid reviews, local
child safeguarding practice reviews and multi-agency audits. Every review's action plan is
followed each quarter and reported to the executive.

Learning from each case is published as a seven-minute briefing on our website and
cascaded by the sub-group's members in their agencies.""",
    "training": """\
Our multi-agency training continued face to face, which has brought the number of people
who book and do not come down. From April 2025 the two Working Together courses are one
day-long course.

Our awareness e-learning remains free to every partner and volunteer.""",
    "education": """\
Schools return their safeguarding self-assessment to the partnership each year, and the
schools safeguarding adviser reports the themes to the executive.

In March 2025 we held our first education safeguarding conference, with workshops on
county lines, vaping and online harm, and a session led by young carers.""",
    "communication": """\
We share news, guidance and campaigns through our newsletter, our website and social
media. This year's campaigns included safer sleep, road safety in the dark evenings and our
campaign on connecting with fathers.""",
    "child-death-review": """\
Every death of a child who lived in the area is reviewed by the child death overview panel
that we share with our neighbouring partnership. The panel looks for anything that might
prevent another death and publishes its own annual report.

Counts of 1 to 5 are not shown, so that no family can be recognised.""",
    "finance": """\
The partnership is funded by its three statutory partners, with services in kind from
others. From 2025/26 the three partners will contribute equal shares, as the executive
agreed in May 2024.

Wealdmoor Council paid the year's deficit, so that the partnership starts 2025/26 with a
balance of zero.""",
}


@step("annual report")
def make_annual_report(ctx: DemoContext) -> None:
    officer = ctx.users["officer"]
    actions.import_area_figures(AREA_CSV.read_text(encoding="utf-8"), YEAR)
    YearEntries.objects.create(
        year=YEAR,
        social_platform="X (formerly Twitter)",
        social_followers=1083,
        newsletter_subscribers=860,
        website_visits_per_month=2892,
        website_visits_change=300,
        balance_met_by=ctx.agencies["LA"],
        young_carers_baseline=date(2023, 6, 1),
    )
    lines = [
        FinanceLine(
            year=YEAR,
            kind=FinanceKind.CONTRIBUTION,
            agency=ctx.agencies[code],
            label=ctx.agencies[code].name,
            amount=amount,
        )
        for code, amount in CONTRIBUTIONS
    ]
    lines += [
        FinanceLine(year=YEAR, kind=FinanceKind.SPEND, label=label, amount=amount)
        for label, amount in SPEND
    ]
    lines += [
        FinanceLine(
            year=YEAR,
            kind=FinanceKind.IN_KIND,
            agency=ctx.agencies[code],
            label=f"{label} ({ctx.agencies[code].name})",
            amount=amount,
        )
        for code, label, amount in IN_KIND
    ]
    FinanceLine.objects.bulk_create(lines)
    actions.save_death_counts(YEAR, {c: (m, n) for c, m, n in DEATHS})

    report = actions.create_report(YEAR)
    written = london(PUBLISHED_ON - timedelta(days=14), time(10, 0))
    for section in report.sections.all():
        text = NARRATIVE.get(section.key)
        if text:
            actions.save_narrative(section, text, by=officer, at=written)
    # As if published on the day the executive signed it off, not the day the demo ran; its
    # PDF, Word and HTML files are built now and kept (decision 0055).
    report = actions.publish(report, by=officer, at=london(PUBLISHED_ON, time(12, 0)))
    draft = actions.create_report(YEAR + 1)
    ctx.count("annual report sections", report.sections.count() + draft.sections.count())
    ctx.count("annual report figures", len(report.snapshot["figures"]) if report.snapshot else 0)


@clearer("annual report")
def clear_annual_report(ctx: DemoContext) -> None:
    AnnualReport.objects.all().delete()
    for model in (AreaFigure, YearEntries, FinanceLine, ChildDeathCount):
        model.objects.all().delete()


@digest_rows("annual report")
def annual_report_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [
        [r.year, r.status, sorted((r.snapshot or {}).get("figures", {}).items())]
        for r in AnnualReport.objects.order_by("year")
    ]
    rows += [
        [v.section.report.year, v.section.key, v.text]
        for v in NarrativeVersion.objects.select_related("section__report").order_by(
            "section__report__year", "section__order"
        )
    ]
    rows += [
        [f.year, f.group, f.indicator, str(f.value)]
        for f in AreaFigure.objects.order_by("year", "order")
    ]
    rows += [
        [f.year, f.kind, f.label, str(f.amount)]
        for f in FinanceLine.objects.order_by("year", "kind", "label")
    ]
    return rows

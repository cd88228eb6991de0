"""`safeguarding report annual 2024-25 --format html|pdf|docx -o FILE`: the year's
annual report as a file, with a progress bar on stderr.

A published report is written from its snapshot, a draft from today's records (the
year's report is made, with its standard sections, if it does not exist yet).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from tqdm import tqdm

from safeguarding.reports import actions, outputs, queries
from safeguarding.reports.models import AnnualReport


class Command(BaseCommand):
    help = "Write the partnership's annual report for a year as HTML, PDF or Word."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        annual = sub.add_parser("annual", help="The annual report of a financial year.")
        annual.add_argument("year", help="The financial year, for example 2024-25.")
        annual.add_argument("--format", choices=outputs.FORMATS, default="pdf")
        annual.add_argument("-o", "--output", required=True, help="The file to write.")
        annual.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            year = queries.parse_year(options["year"])
        except Http404:
            raise CommandError("Give the year as 2024-25.") from None
        fmt = options["format"]
        report = AnnualReport.objects.filter(year=year).first() or actions.create_report(year)
        sections = list(report.sections.all())
        steps = (0 if report.is_published else sum(len(s.blocks) for s in sections)) + 1
        with tqdm(
            total=steps,
            desc=f"Report {report.label}",
            unit="step",
            file=self.stderr,
            disable=options["no_progress"],
        ) as bar:
            if report.is_published:
                document = queries.draw(report)
            else:

                def step(key: str) -> None:
                    bar.set_postfix_str(key)
                    bar.update(1)

                document = queries.draw_live(report, step)
            bar.set_postfix_str(fmt)
            content = outputs.render(document, fmt)
            bar.update(1)
        path = Path(options["output"])
        path.write_bytes(content)
        state = "published" if report.is_published else "draft"
        self.stdout.write(
            f"Wrote the {state} {report.label} report to {path} ({len(content):,} bytes)."
        )

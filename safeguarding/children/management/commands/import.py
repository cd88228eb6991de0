"""`safeguarding import AGENCY_CODE FILE --kind persons|events`: load an agency's extract.

Exit status: 0 loaded (or checked clean in a dry run); 1 refused, failed, or problems
found in a dry run; 2 a usage error (unknown agency, no such file, a bad --map).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from safeguarding.children.imports import (
    ImportFailed,
    ImportRefused,
    ImportResult,
    Problem,
    saved_mapping,
)
from safeguarding.children.imports import actions as import_actions
from safeguarding.children.models import ExtractKind, ImportChannel, ImportStatus
from safeguarding.core.exports import CsvWriter
from safeguarding.core.models import Agency
from safeguarding.core.uploads import ENCODINGS

PROBLEMS_SHOWN = 200
USAGE = 2
NOT_LOADED = 1


class Command(BaseCommand):
    help = (
        "Check an agency's extract (persons or events; CSV or XLSX) and load it into the "
        "child index: every problem is reported with its row, column and reason, and a "
        "file with problems loads nothing unless --load-valid-rows is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("agency", metavar="AGENCY_CODE", help="the agency's code, e.g. LA")
        parser.add_argument("file", metavar="FILE", help="the extract: a .csv or .xlsx file")
        parser.add_argument(
            "--kind", required=True, choices=[k.value for k in ExtractKind], help="the extract"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FILE_HEADER=field",
            help="feed a hub field from a column of the file (repeat for each); added to "
            "the agency's saved mapping for this kind",
        )
        parser.add_argument(
            "--save-map",
            action="store_true",
            help="save the mapping (saved one and --map together) for the agency's next imports",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and load nothing"
        )
        parser.add_argument(
            "--load-valid-rows",
            action="store_true",
            help="when some rows have problems, load the others (normally nothing is loaded)",
        )
        parser.add_argument(
            "--problems-csv",
            metavar="FILE",
            help=f"write every problem to this CSV file (the terminal shows the first {PROBLEMS_SHOWN})",
        )
        parser.add_argument(
            "--encoding",
            choices=list(ENCODINGS),
            default="utf-8",
            help="how a CSV file's text is encoded (utf-8 unless you know otherwise); a file "
            "not wholly in it is refused, naming the line and byte",
        )
        parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code__iexact=options["agency"]).first()
        if agency is None:
            codes = ", ".join(Agency.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(
                f"No agency has the code {options['agency']!r}. The agencies' codes are: "
                f"{codes or '(none yet)'}.",
                returncode=USAGE,
            )
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.", returncode=USAGE)
        kind = options["kind"]
        mapping = saved_mapping(agency, kind)
        for item in options["map"]:
            header, equals, target = item.rpartition("=")
            if not equals or not header.strip():
                raise CommandError(
                    f"--map takes FILE_HEADER=field, e.g. --map 'Date of Birth=date_of_birth'; not {item!r}.",
                    returncode=USAGE,
                )
            mapping[header.strip()] = target.strip()
        if options["save_map"]:
            try:
                import_actions.save_mapping(agency, kind, mapping, user=None)
            except ImportRefused as refused:
                raise CommandError(
                    f"The mapping was not saved: {refused}", returncode=USAGE
                ) from None
            self.stdout.write(f"Saved the {kind} column mapping of {agency.code}.")

        with tqdm(
            total=_rows_in(path),
            unit=" rows",
            unit_scale=True,
            desc=f"{agency.code} {kind}",
            disable=options["no_progress"],
            file=sys.stderr,
            mininterval=0.5,
        ) as bar:
            try:
                result = import_actions.import_extract(
                    agency,
                    path,
                    kind=kind,
                    mapping=mapping,
                    dry_run=options["dry_run"],
                    load_valid_rows=options["load_valid_rows"],
                    channel=ImportChannel.COMMAND,
                    progress=bar.update,
                    encoding=options["encoding"],
                )
            except ImportRefused as refused:
                bar.close()
                self.show_problems(refused.problems, options["problems_csv"])
                raise CommandError(
                    f"Refused: the file cannot be read as a {kind} extract; nothing was loaded.",
                    returncode=NOT_LOADED,
                ) from None
            except ImportFailed as failed:
                raise CommandError(str(failed), returncode=NOT_LOADED) from None

        self.show_problems(result.problems, options["problems_csv"])
        if result.extra_columns:
            listed = ", ".join(result.extra_columns)
            self.stdout.write(
                f"Kept as attributes: {listed}."
                if kind == ExtractKind.PERSONS
                else f"Not loaded (the events extract has no such field): {listed}."
            )
        summary = _summary(result, kind, path.name, agency.code)
        if result.batch.status in (ImportStatus.LOADED, ImportStatus.LOADED_VALID_ROWS) or (
            result.dry_run and not result.problems
        ):
            self.stdout.write(self.style.SUCCESS(summary))
            return
        raise CommandError(summary, returncode=NOT_LOADED)

    def show_problems(self, problems: list[Problem], csv_path: str | None) -> None:
        for problem in problems[:PROBLEMS_SHOWN]:
            self.stdout.write(str(problem))
        if csv_path:
            with Path(csv_path).open("w", newline="", encoding="utf-8") as out:
                writer = CsvWriter(out)
                writer.writerow(["row", "column", "reason"])
                for problem in problems:
                    writer.writerow([problem.row or "", problem.column, problem.reason])
            self.stdout.write(f"Wrote all {len(problems):,} problems to {csv_path}.")
        elif len(problems) > PROBLEMS_SHOWN:
            self.stdout.write(
                f"… and {len(problems) - PROBLEMS_SHOWN:,} more problems: "
                "--problems-csv FILE writes them all."
            )


def _rows_in(path: Path) -> int | None:
    """About how many data rows a CSV file has, for the progress bar (None for XLSX)."""
    if path.suffix.lower() == ".xlsx":
        return None
    lines = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


def _summary(result: ImportResult, kind: str, file_name: str, agency_code: str) -> str:
    counts = (
        f"{result.rows_read:,} rows read; {result.created:,} created, "
        f"{result.updated:,} updated, {result.unchanged:,} unchanged"
    )
    problems = len(result.problems)
    where = f"{kind} from {file_name} for {agency_code}"
    status = result.batch.status
    if result.dry_run:
        found = f"{problems:,} problems in {result.rejected:,} rows" if problems else "no problems"
        return (
            f"Checked {where} (dry run, nothing loaded): {result.rows_read:,} rows read, "
            f"{found}; a load would create {result.created:,}, update {result.updated:,} "
            f"and leave {result.unchanged:,} unchanged."
        )
    if status == ImportStatus.LOADED:
        return f"Loaded {where}: {counts}."
    if status == ImportStatus.LOADED_VALID_ROWS:
        return f"Loaded the valid rows of {where}: {counts}; {result.rejected:,} rows with problems not loaded."
    return (
        f"Refused {where}: {problems:,} problems in {result.rejected:,} of "
        f"{result.rows_read:,} rows; nothing was loaded. Correct the file, or load the "
        "valid rows with --load-valid-rows."
    )

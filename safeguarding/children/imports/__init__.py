"""Agency extracts into the child index, as a package (docs/decisions/0019-import-pipeline.md,
docs/decisions/0064-pipelines-as-packages.md).

Every channel enters through one action, `actions.import_extract`: the upload page (through
`actions.upload_extract`, for the signed-in user's agency), the API and `safeguarding
import`. It makes the batch, takes the agency's lock and writes the one audit entry; the
pipeline behind it runs in the modules below, each step in its own:

1. `read`: open the source (a CSV file, an XLSX workbook's first sheet, or the API's list
   of JSON objects) as a header and rows of text.
2. `columns`: plan the columns, each header to a hub field (by the mapping given, else
   the agency's saved one, else its own name); problems here refuse the whole file.
3. `persons_check` / `events` (`check_rows`), with `values`: check every value of every
   row in one pass, and stage each chunk through the writer thread (`staging`; COPY text
   made by `persons_copy` on PostgreSQL).
4. `persons` / `events`: the whole-file checks in SQL over the staging table.
5. `persons_sql` / `events`: settle and load, set-based, all or nothing.

`run` holds what the persons' and events' runs share, and `problems` what a run reports.
The import pages (`views`, `forms`, `urls`, `queries`) are this package's sub-app. This
module is the public interface for the rest of the hub.
"""

from safeguarding.children.imports.actions import import_extract, save_mapping, upload_extract
from safeguarding.children.imports.columns import (
    EVENT_FIELDS,
    FIELDS,
    PERSON_FIELDS,
    check_mapping,
)
from safeguarding.children.imports.problems import (
    ImportFailed,
    ImportRefused,
    ImportResult,
    Problem,
)
from safeguarding.children.imports.queries import saved_mapping

__all__ = [
    "EVENT_FIELDS",
    "FIELDS",
    "PERSON_FIELDS",
    "ImportFailed",
    "ImportRefused",
    "ImportResult",
    "Problem",
    "check_mapping",
    "import_extract",
    "save_mapping",
    "saved_mapping",
    "upload_extract",
]

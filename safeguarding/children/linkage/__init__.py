"""Record linkage, as a package: the hub's side (`database`: read the records, write back
what was decided) over a core that needs no database (`core`: Splink on DuckDB).

This module is the public interface: callers use `linkage.link`, `linkage.train` and the
rest from here, not the modules behind it. See docs/decisions/0064-pipelines-as-packages.md.
"""

from safeguarding.children.linkage.core import Progress
from safeguarding.children.linkage.database import (
    CHUNK,
    MINIMUM_TRAINING_RECORDS,
    PURPOSE,
    LinkageError,
    activate,
    active_model,
    comparison_rows,
    link,
    shipped_model,
    train,
)

__all__ = [
    "CHUNK",
    "MINIMUM_TRAINING_RECORDS",
    "PURPOSE",
    "LinkageError",
    "Progress",
    "activate",
    "active_model",
    "comparison_rows",
    "link",
    "shipped_model",
    "train",
]

"""The linkage core: agency person records in, decisions out. No database.

`linkage/database.py` reads the records from the hub's database and writes the decisions
back; the linkage core does the work between, on Arrow tables in an in-process DuckDB with
Splink, so that the benchmark can time it on millions of records without a database.

This module is its public interface; the steps, each in a module of its own:

1. `features.prepare` turns records (identity fields as the hub stores them, RAW) into the
   features the model compares (FEATURES): names normalised, the formal names a nickname
   may stand for, phonetic keys, the date of birth and a key that a swapped day and month
   share, postcode and district, the address's words, and NHS numbers and UPNs only when
   they pass their checks.
2. `score.score` finds the candidate pairs with the blocking rules and scores them with the
   Splink model: the new records among themselves (`predict_within`) and against the
   index of records already linked (`predict_between`); the index is never compared with
   itself, so a run costs what is new, not what is there. A shared valid NHS number makes
   a pair certain; two different ones remove it.
3. `decide.decide` clusters the strong pairs greedily, most probable first, under rules that no
   score overrides: a child never holds two different valid NHS numbers; the model never
   merges two existing children; a pair whose given names differ outright (twins) and a
   pair a person rejected never link automatically. Pairs between the thresholds go to
   the review queue, at most one per pair of clusters.
4. `train.train_settings` estimates a model's parameters (u by sampling, m from labels or by
   expectation maximisation).

`model` holds the comparisons, the blocking rules and how a model is read; `duck` the
in-process DuckDB; `decide.link_tables` runs steps 2 and 3 as `safeguarding link` does.

See docs/decisions/0021-linkage-with-splink.md and 0064-pipelines-as-packages.md.
"""

from safeguarding.children.linkage.decide import (
    Assignment,
    Candidate,
    Decisions,
    decide,
    link_tables,
    nhs_compatible,
)
from safeguarding.children.linkage.duck import Progress
from safeguarding.children.linkage.features import (
    FEATURES,
    RAW,
    RECORD_FIELDS,
    prepare,
    raw_table,
    records_table,
)
from safeguarding.children.linkage.model import (
    BLOCKING_RULES,
    SHIPPED_MODEL_FILE,
    Level,
    base_settings,
    comparison_fields,
    comparisons,
    for_records,
    level_for,
    levels,
)
from safeguarding.children.linkage.score import Scored, score
from safeguarding.children.linkage.train import (
    comparisons_with_parameters,
    parameter_rows,
    train_settings,
)

__all__ = [
    "BLOCKING_RULES",
    "FEATURES",
    "RAW",
    "RECORD_FIELDS",
    "SHIPPED_MODEL_FILE",
    "Assignment",
    "Candidate",
    "Decisions",
    "Level",
    "Progress",
    "Scored",
    "base_settings",
    "comparison_fields",
    "comparisons",
    "comparisons_with_parameters",
    "decide",
    "for_records",
    "level_for",
    "levels",
    "link_tables",
    "nhs_compatible",
    "parameter_rows",
    "prepare",
    "raw_table",
    "records_table",
    "score",
    "train_settings",
]

"""Train the linkage model the hub ships: safeguarding/children/data/linkage_model.json.

    python bench/build_linkage_model.py [--seed 20261124] [--records 100000]

On synthetic extracts (safeguarding/demo/extracts.py) whose truth is known: u by random
sampling, m from the truth (which records are the same child), the prior match rate from
the truth too. The thresholds were chosen with bench/bench_linkage.py on other seeds (see
docs/decisions/0021-linkage-with-splink.md). A partnership re-estimates the model on its
own records with `safeguarding link --train`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")

UPPER_THRESHOLD = 0.98
LOWER_THRESHOLD = 0.5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args(argv)

    import django

    django.setup()
    import linkage_data
    import pyarrow as pa

    from safeguarding.children.linkage import core as linkage_core
    from safeguarding.demo import extracts

    started = time.perf_counter()
    records = linkage_data.records_of(extracts.generate_records(args.seed, args.records))
    table = linkage_core.prepare(records.rows)
    table = table.append_column(
        "person_id", pa.array([records.truth[row["id"]] for row in records.rows], pa.int64())
    )
    settings = linkage_core.train_settings(
        table, linkage_core.base_settings(), label_column="person_id", seed=args.seed, u_pairs=1e7
    )
    model = {
        "name": "Shipped model (trained on synthetic extracts)",
        "about": (
            f"Trained by bench/build_linkage_model.py on {table.num_rows:,} synthetic source "
            f"records (seed {args.seed}): u by random sampling, m and the prior from the "
            "synthetic truth. Thresholds on match probability: above the upper, link; "
            "between, a person decides; below, a new child."
        ),
        "upper_threshold": UPPER_THRESHOLD,
        "lower_threshold": LOWER_THRESHOLD,
        "trained_on_records": table.num_rows,
        "settings": settings,
    }
    linkage_core.SHIPPED_MODEL_FILE.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(
        f"Wrote {linkage_core.SHIPPED_MODEL_FILE} in {time.perf_counter() - started:.0f} s: "
        f"{table.num_rows:,} records, prior {settings['probability_two_random_records_match']:.3g}"
    )
    for field, level, _m0, m, _u0, u, _w0, weight in linkage_core.parameter_rows(settings, None):
        print(f"  {field:<14} {level:<52} m {m:.4g}  u {u:.4g}  weight {weight:+.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

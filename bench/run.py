"""The benchmark runner.

    python bench/run.py               list the benchmarks, then run them all
    python bench/run.py NAME [NAME..] run only those
    python bench/run.py --list        only list them
    make bench / make bench BENCH=audit

A benchmark is a module bench/bench_*.py exposing NAME, DESCRIPTION and run(args), which
prints its figures; it may also expose add_arguments(parser) for options of its own.
Each benchmark sets up its own databases and measures each one in a subprocess of its
own (this script again, with --database URL), because the hub's settings are read from
the environment once per process.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path
from types import ModuleType

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))


def discover() -> dict[str, ModuleType]:
    """Every bench/bench_*.py, by its NAME, in file-name order."""
    found: dict[str, ModuleType] = {}
    for path in sorted(BENCH_DIR.glob("bench_*.py")):
        module = importlib.import_module(path.stem)
        for attribute in ("NAME", "DESCRIPTION", "run"):
            if not hasattr(module, attribute):
                raise SystemExit(f"{path.name} does not define {attribute}.")
        if module.NAME in found:
            raise SystemExit(f"Two benchmarks are called {module.NAME!r}.")
        found[module.NAME] = module
    return found


def parser_for(benchmarks: dict[str, ModuleType]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Run the hub's benchmarks (all of them, or those named).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Benchmarks:\n" + listing(benchmarks),
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="only list the benchmarks")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="measure this one database in this process (what a benchmark passes to its subprocesses)",
    )
    for module in benchmarks.values():
        add_arguments = getattr(module, "add_arguments", None)
        if add_arguments is not None:
            add_arguments(parser.add_argument_group(f"{module.NAME} benchmark"))
    return parser


def listing(benchmarks: dict[str, ModuleType]) -> str:
    width = max((len(name) for name in benchmarks), default=0)
    return "\n".join(
        f"  {name.ljust(width)}  {module.DESCRIPTION}" for name, module in benchmarks.items()
    )


def main(argv: list[str] | None = None) -> int:
    benchmarks = discover()
    parser = parser_for(benchmarks)
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in benchmarks]
    if unknown:
        parser.error(
            f"no benchmark called {', '.join(unknown)}; there are: {', '.join(benchmarks)}"
        )
    if args.database is not None:
        # A subprocess measuring one database: exactly one benchmark, no listing.
        if len(args.names) != 1:
            parser.error("--database needs exactly one benchmark name")
        benchmarks[args.names[0]].run(args)
        return 0
    if args.list or not args.names:
        print("Benchmarks:")
        print(listing(benchmarks))
        if args.list:
            return 0
        print()
    failed: list[str] = []
    for name in args.names or list(benchmarks):
        module = benchmarks[name]
        print(f"=== {name}: {module.DESCRIPTION}")
        started = time.perf_counter()
        try:
            module.run(args)
        except SystemExit as stop:  # a benchmark stops itself with a message; the others still run
            if stop.code not in (0, None):
                if not isinstance(stop.code, int):
                    print(stop.code, file=sys.stderr)
                failed.append(name)
        print(
            f"=== {name}: {'FAILED' if name in failed else 'done'} in {time.perf_counter() - started:.0f} s\n"
        )
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

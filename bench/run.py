"""`make bench`: every benchmark, printed as figures. Needs the local PostgreSQL and Redis.

Each module creates its own database and never touches the test database.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Each entry: module with a run() that prints its figures.
BENCHMARKS = ["bench.trends", "bench.reminders_tick", "bench.imports", "bench.frontend_size"]


def main(names: list[str]) -> int:
    failed = []
    for name in names or BENCHMARKS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            print(f"{name}: not available ({exc})")
            failed.append(name)
            continue
        print()
        module.run()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

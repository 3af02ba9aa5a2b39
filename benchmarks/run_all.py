"""``make bench``: every benchmark, then one table with a row per hot path.

Run: ``.venv/bin/python benchmarks/run_all.py [--quick]``. Each benchmark runs alone as its own
process (each also runs by itself: ``python benchmarks/bench_*.py``) and hands its rows back
through ``--json``; the table shows, per hot path, our time, the limit measured in the same run
(bytes read and parsed by pyarrow; a TIFF/array decoded and one numpy pass; ``import pandas``
for start-up), their ratio, and the earlier implementation or baseline where there is one.
The machine may be shared: read the ratios, which are measured side by side, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _table import print_rows

HERE = Path(__file__).resolve().parent

#: (script, arguments); ``--quick`` drops the arguments marked slow.
BENCHMARKS: list[tuple[str, list[str], list[str]]] = [
    ("bench_water_maze.py", [], ["--earlier", ""]),
    ("bench_startup.py", [], ["--repeat", "3"]),
    ("bench_histology_ttc.py", ["--sizes", "2048"], ["--sizes", "1024"]),
    ("bench_histology_neurons.py", ["--sizes", "2048"], ["--sizes", "1024"]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, no earlier revision")
    args = parser.parse_args()
    table: list[dict] = []
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for script, full, quick in BENCHMARKS:
            out = Path(tmp) / f"{script}.json"
            cmd = [sys.executable, str(HERE / script), *(quick if args.quick else full)]
            print(f"running {script} ...", flush=True)
            done = subprocess.run([*cmd, "--json", str(out)], capture_output=True, text=True)
            if done.returncode != 0 or not out.is_file():
                failed.append(f"{script}: {(done.stderr or done.stdout).strip()[-300:]}")
                continue
            table.extend(json.loads(out.read_text()))
    print()
    print_rows(table)
    for line in failed:
        print(f"failed: {line}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Start-up of the command line, as ratios against ``python -c "import pandas"`` run side by side.

Run: ``.venv/bin/python benchmarks/bench_startup.py [--repeat N]``. Each command is a whole process
(what a user waits for), timed N times interleaved with the baseline, medians compared. Issue 16's
limits: every ``--help`` <= 1.5x the baseline, small commands (``stats compare`` on a 50-row CSV,
``kb show``) <= 2x. The table says which lines meet them; nothing here fails a test run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _table import write_rows

BIN = Path(sys.executable).parent
CLI = str(BIN / "neuroprotect")


def _small_table(folder: Path) -> Path:
    rng = np.random.default_rng(1)
    rows = ["group,value"] + [
        f"{g},{rng.normal(10 + i, 2):.3f}"
        for i, g in enumerate(("veh", "low", "high"))
        for _ in range(17)
    ]
    path = folder / "fifty.csv"
    path.write_text("\n".join(rows[:51]) + "\n")
    return path


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path, help="write the rows to this file (run_all.py)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        table = _small_table(Path(tmp))
        cases: list[tuple[str, list[str], float]] = [
            ("neuroprotect --help", [CLI, "--help"], 1.5),
            ("neuroprotect stats --help", [CLI, "stats", "--help"], 1.5),
            ("neuroprotect behavior --help", [CLI, "behavior", "--help"], 1.5),
            ("neuroprotect histology --help", [CLI, "histology", "--help"], 1.5),
            ("neuroprotect run --help", [CLI, "run", "--help"], 1.5),
            ("neuroprotect kb show igmesine", [CLI, "kb", "show", "igmesine"], 2.0),
            (
                "neuroprotect stats compare (50 rows)",
                [
                    CLI,
                    "stats",
                    "compare",
                    str(table),
                    "--dv",
                    "value",
                    "--group",
                    "group",
                    "--control",
                    "veh",
                ],
                2.0,
            ),  # fmt: skip
        ]
        baseline_cmd = [sys.executable, "-c", "import pandas"]
        _time(baseline_cmd)  # warm the file cache
        table = []
        print(f"{'command':<40} {'median s':>9} {'pandas s':>9} {'ratio':>6} {'limit':>6}  ok")
        for label, cmd, limit in cases:
            _time(cmd)
            ours, base = [], []
            for _ in range(args.repeat):
                base.append(_time(baseline_cmd))
                ours.append(_time(cmd))
            m, b = statistics.median(ours), statistics.median(base)
            ratio = m / b
            ok = "yes" if ratio <= limit else "NO"
            print(f"{label:<40} {m:>9.3f} {b:>9.3f} {ratio:>6.2f} {limit:>6.1f}  {ok}")
            limit_name = f"import pandas (goal {limit:g}x)"
            table.append({"hot path": label, "seconds": m, "limit": limit_name, "limit_s": b})
    write_rows(table, args.json)


if __name__ == "__main__":
    main()

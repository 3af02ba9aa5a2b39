"""Store throughput: save and load a run with 10^5 measurement rows (`make bench`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.store import RawFileRecord, init_db, load_run, make_engine, save_run

N_ROWS = 100_000


def _inputs(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    animals = pd.DataFrame({"animal_id": [f"a{i}" for i in range(40)], "group": "vehicle"})
    measurements = pd.DataFrame(
        {
            "animal_id": rng.choice(animals["animal_id"], N_ROWS),
            "group": "vehicle",
            "readout": "mwm",
            "variable": "escape_latency_s",
            "value": rng.uniform(0, 60, N_ROWS),
            "unit": "s",
            "timepoint": np.repeat(np.arange(1, 6), N_ROWS // 5),
            "trial": np.tile(np.arange(1, 5), N_ROWS // 4),
            "censored": rng.uniform(0, 1, N_ROWS) < 0.1,
            "source_row": np.arange(N_ROWS),
        }
    )
    return {
        "study": {"study_id": "bench", "title": "Benchmark"},
        "groups": [{"group_id": "vehicle", "role": "vehicle"}],
        "animals": animals,
        "raw_files": [RawFileRecord("/x/tracks.csv", f"{seed:064x}", 1, "mwm")],
        "parameters": {"seed": seed},
        "measurements": measurements,
        "results": pd.DataFrame(),
        "package_version": "bench",
        "started_at": datetime.now(UTC),
        "finished_at": datetime.now(UTC),
    }


def test_save_and_load_1e5_rows(benchmark: Any, tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "bench.sqlite")
    init_db(engine)
    seeds = iter(range(1000))

    def save_and_load() -> int:
        outcome = save_run(engine, **_inputs(next(seeds)))
        return len(load_run(engine, outcome.run_id)["measurements"])

    assert benchmark.pedantic(save_and_load, rounds=3, iterations=1) == N_ROWS
    engine.dispose()

"""save_run / find_run / load_run / list_runs / audit on a fresh temp SQLite file per test.

Expected values are analytic: what goes in must come back (NaN as NULL), row counts are exact, and a
failure half-way leaves every table as it was.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from neuroprotect.errors import InputError
from neuroprotect.schema.columns import MEASUREMENT_COLUMNS, RESULT_COLUMNS
from neuroprotect.store import (
    RawFileRecord,
    audit,
    compute_input_hash,
    find_run,
    list_runs,
    load_run,
    resolve_run_id,
    save_run,
)
from neuroprotect.store import repository as repo
from neuroprotect.store.models import AuditRow
from neuroprotect.store.records import MEASUREMENT_FIELDS, RESULT_FIELDS

TABLES = (
    "studies",
    "groups",
    "animals",
    "raw_files",
    "runs",
    "run_raw_files",
    "measurements",
    "results",
    "audit_log",
)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in TABLES}


def audit_actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditRow.action).order_by(AuditRow.id)))


def test_stored_columns_follow_the_schema() -> None:
    # RESULT_COLUMNS plus the omnibus test's degrees of freedom after ``dof``
    after_dof = RESULT_COLUMNS.index("dof") + 1
    expected = (*RESULT_COLUMNS[:after_dof], "num_df", "den_df", *RESULT_COLUMNS[after_dof:])
    assert tuple(RESULT_FIELDS)[3:] == expected
    assert ["study_id", *MEASUREMENT_FIELDS] == list(MEASUREMENT_COLUMNS)


def test_save_run_writes_every_table(engine: Engine, run_inputs: dict[str, Any]) -> None:
    outcome = save_run(engine, **run_inputs)
    assert not outcome.reused
    assert len(outcome.run_id) == 36
    assert counts(engine) == {
        "studies": 1,
        "groups": 3,
        "animals": 12,
        "raw_files": 2,
        "runs": 1,
        "run_raw_files": 2,
        "measurements": 12,
        "results": 2,
        "audit_log": 1,
    }
    assert find_run(
        engine, compute_input_hash(run_inputs["raw_files"], run_inputs["parameters"])
    ) == (outcome.run_id)


def test_identical_rerun_is_reused_and_adds_only_an_audit_entry(
    engine: Engine, run_inputs: dict[str, Any]
) -> None:
    first = save_run(engine, **run_inputs)
    before = counts(engine)
    # Same content and parameters, other paths and file order: still the same inputs.
    moved = [
        RawFileRecord(
            path="/elsewhere/" + f.path.rsplit("/", 1)[1], sha256=f.sha256, size=f.size, role=f.role
        )
        for f in reversed(run_inputs["raw_files"])
    ]
    second = save_run(engine, **{**run_inputs, "raw_files": moved})
    assert second.run_id == first.run_id
    assert second.reused
    after = counts(engine)
    assert after == {**before, "audit_log": before["audit_log"] + 1}
    assert audit_actions(engine) == ["run stored", "run reused"]


def test_changed_input_makes_a_new_run(engine: Engine, run_inputs: dict[str, Any]) -> None:
    first = save_run(engine, **run_inputs)
    changed = [
        *run_inputs["raw_files"][:1],
        RawFileRecord("/data/mini/water.csv", "c" * 64, 301, "water"),
    ]
    later = run_inputs["started_at"] + timedelta(hours=1)
    second = save_run(engine, **{**run_inputs, "raw_files": changed, "started_at": later})
    latest = later + timedelta(hours=1)
    third = save_run(engine, **{**run_inputs, "parameters": {"alpha": 0.01}, "started_at": latest})
    assert len({first.run_id, second.run_id, third.run_id}) == 3
    assert not second.reused and not third.reused
    c = counts(engine)
    assert c["runs"] == 3
    assert c["raw_files"] == 3  # the manifest and first water.csv are shared
    assert c["measurements"] == 36
    assert c["studies"] == 1 and c["groups"] == 3 and c["animals"] == 12  # replaced, not added
    runs = list_runs(engine)
    assert list(runs["run_id"]) == [first.run_id, second.run_id, third.run_id]
    assert list(runs["n_measurements"]) == [12, 12, 12]


def test_study_is_updated_and_groups_replaced(
    engine: Engine, run_inputs: dict[str, Any], make_inputs: Any
) -> None:
    save_run(engine, **run_inputs)
    other = make_inputs(n_animals_per_group=2, seed=2)
    other["study"] = {**other["study"], "title": "Renamed study"}
    other["groups"] = other["groups"][:2]
    other["parameters"] = {"alpha": 0.1}
    out = save_run(engine, **other)
    loaded = load_run(engine, out.run_id)
    assert loaded["study"]["title"] == "Renamed study"
    assert loaded["study"]["extra"] == {"strain": "Sprague-Dawley"}
    assert [g["group_id"] for g in loaded["groups"]] == ["sham", "vehicle"]
    assert len(loaded["animals"]) == 6
    assert counts(engine)["studies"] == 1


def _fail_at_results(run_inputs: dict[str, Any]) -> dict[str, Any]:
    bad = run_inputs["results"].copy()
    bad["p_val"] = bad["p_val"].astype(object)
    bad.loc[1, "p_val"] = "p<0.05"
    return {**run_inputs, "results": bad, "parameters": {"alpha": 0.2}}


def test_failure_writes_nothing_on_empty_store(engine: Engine, run_inputs: dict[str, Any]) -> None:
    before = counts(engine)
    with pytest.raises(ValueError, match=r"results column 'p_val', but got 'p<0.05' \(row 1\)"):
        save_run(engine, **_fail_at_results(run_inputs))
    assert counts(engine) == before == dict.fromkeys(TABLES, 0)


def test_failure_leaves_existing_study_untouched(
    engine: Engine, run_inputs: dict[str, Any]
) -> None:
    first = save_run(engine, **run_inputs)
    before = counts(engine)
    broken = _fail_at_results(run_inputs)
    broken["study"] = {**broken["study"], "title": "Should not be stored"}
    broken["groups"] = broken["groups"][:2]
    with pytest.raises(ValueError):
        save_run(engine, **broken)
    assert counts(engine) == before
    assert load_run(engine, first.run_id)["study"]["title"] == "Minimal study"
    assert len(load_run(engine, first.run_id)["groups"]) == 3


def test_failure_in_last_step_rolls_back(
    engine: Engine, run_inputs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit entry is the last write of save_run; make it fail after everything else."""
    before = counts(engine)
    original = repo._audit_row

    def failing(**kwargs: Any) -> AuditRow:
        if kwargs["action"] == "run stored":
            raise RuntimeError("disk full")
        return original(**kwargs)

    monkeypatch.setattr(repo, "_audit_row", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        save_run(engine, **run_inputs)
    assert counts(engine) == before


def test_round_trip_with_missing_values(engine: Engine, run_inputs: dict[str, Any]) -> None:
    out = save_run(engine, **run_inputs)
    loaded = load_run(engine, out.run_id)

    m_in, m_out = run_inputs["measurements"], loaded["measurements"]
    assert list(m_out.columns) == list(MEASUREMENT_COLUMNS)
    np.testing.assert_array_equal(m_out["value"].to_numpy(), m_in["value"].to_numpy())  # exact
    assert m_out["dose_mg_kg"].isna().sum() == 4  # sham: NaN -> NULL -> NaN
    np.testing.assert_array_equal(m_out["dose_mg_kg"].fillna(-1), m_in["dose_mg_kg"].fillna(-1))
    assert m_out["trial"].isna().all() and m_out["censored"].isna().all()
    assert list(m_out["timepoint"]) == [24] * 12
    assert list(m_out["source_row"]) == list(range(1, 13))
    assert set(m_out["study_id"]) == {"mini"}

    r_in, r_out = run_inputs["results"], loaded["results"]
    assert list(r_out.columns) == list(RESULT_FIELDS)
    assert list(r_out["family"]) == ["treatment", "treatment"]
    omnibus, contrast = r_out.iloc[0], r_out.iloc[1]
    assert omnibus["group"] is None and omnibus["effect_type"] is None
    assert math.isnan(omnibus["estimate"]) and math.isnan(omnibus["ci_low"])
    assert omnibus["statistic"] == 7.25 and omnibus["dof"] == 2.0 and omnibus["n"] == 12
    for col in (
        "estimate",
        "statistic",
        "dof",
        "p_val",
        "p_adj",
        "ci_low",
        "ci_high",
        "effect_size",
    ):
        assert contrast[col] == r_in.loc[1, col]
    assert contrast["effect_type"] == "hedges_g" and contrast["n"] == 8
    with engine.connect() as conn:
        nulls = conn.execute(text("SELECT count(*) FROM results WHERE estimate IS NULL")).scalar()
        nan_text = conn.execute(text("SELECT count(*) FROM results WHERE typeof(p_adj) != 'real'"))
    assert nulls == 1
    assert nan_text.scalar() == 1  # the omnibus p_adj: NULL, not a NaN or a string

    animals = loaded["animals"]
    assert list(animals["excluded"]) == [True] + [False] * 11
    assert animals.loc[0, "exclusion_reason"] == "died before scoring"
    assert animals.loc[1, "exclusion_reason"] is None
    np.testing.assert_array_equal(animals["body_weight_g"], run_inputs["animals"]["body_weight_g"])

    run = loaded["run"]
    assert run["started_at"] == run_inputs["started_at"]
    assert run["started_at"].tzinfo is not None
    assert run["parameters"] == run_inputs["parameters"]
    assert run["status"] == "succeeded" and run["package_version"] == "0.1.0"
    assert sorted(loaded["raw_files"], key=lambda f: f.role) == sorted(
        run_inputs["raw_files"], key=lambda f: f.role
    )
    assert loaded["groups"][2] == {
        "group_id": "h004_3",
        "label": None,
        "role": "treatment",
        "compound": None,
        "dose_mg_kg": 3.0,
        "route": "iv",
        "timing": "at reperfusion",
        "timing_min": None,
        "planned_n": None,
    }


def test_timestamps_are_stored_in_utc(engine: Engine, run_inputs: dict[str, Any]) -> None:
    plus2 = timezone(timedelta(hours=2))
    started = datetime(2026, 11, 23, 12, 0, 0, tzinfo=plus2)
    out = save_run(engine, **{**run_inputs, "started_at": started})
    got = load_run(engine, out.run_id)["run"]["started_at"]
    assert got == started and got.tzinfo == UTC and got.hour == 10


def test_text_timepoints_stay_text(engine: Engine, run_inputs: dict[str, Any]) -> None:
    m = run_inputs["measurements"].copy()
    m["timepoint"] = ["24h"] * 6 + [None] * 6
    out = save_run(engine, **{**run_inputs, "measurements": m})
    got = load_run(engine, out.run_id)["measurements"]["timepoint"]
    assert list(got) == ["24h"] * 6 + [None] * 6


def test_bad_trial_and_study_id_are_rejected(engine: Engine, run_inputs: dict[str, Any]) -> None:
    m = run_inputs["measurements"].copy()
    m["trial"] = 1.5
    with pytest.raises(ValueError, match="whole number in measurements column 'trial'"):
        save_run(engine, **{**run_inputs, "measurements": m})
    m = run_inputs["measurements"].copy()
    m.loc[3, "study_id"] = "other"
    with pytest.raises(ValueError, match="Expected study_id 'mini' in measurements"):
        save_run(engine, **{**run_inputs, "measurements": m})
    assert counts(engine) == dict.fromkeys(TABLES, 0)


def test_large_measurement_table(engine: Engine, run_inputs: dict[str, Any]) -> None:
    """Many rows in one executemany; timing of 10^5 rows is in benchmarks/test_store_bench.py."""
    n = 20_000
    rng = np.random.default_rng(3)
    m = pd.DataFrame(
        {
            "study_id": "mini",
            "animal_id": rng.choice(run_inputs["animals"]["animal_id"], n),
            "group": "vehicle",
            "dose_mg_kg": 0.0,
            "readout": "mwm",
            "variable": "escape_latency_s",
            "value": rng.uniform(0, 60, n),
            "unit": "s",
            "timepoint": np.repeat(np.arange(1, 6), n // 5),
            "trial": np.tile(np.arange(1, 5), n // 4),
            "censored": rng.uniform(0, 1, n) < 0.1,
            "source_file": "tracks.csv",
            "source_row": np.arange(n),
        }
    )
    out = save_run(engine, **{**run_inputs, "measurements": m})
    got = load_run(engine, out.run_id)["measurements"]
    assert len(got) == n
    np.testing.assert_array_equal(got["value"].to_numpy(), m["value"].to_numpy())
    np.testing.assert_array_equal(got["censored"].to_numpy(dtype=bool), m["censored"].to_numpy())
    assert list(got["trial"][:5]) == [1, 2, 3, 4, 1]


def test_input_hash_properties() -> None:
    a = RawFileRecord("/x/a.csv", "1" * 64, 10, "water")
    b = RawFileRecord("/x/b.csv", "2" * 64, 20, "ttc")
    h = compute_input_hash([a, b], {"alpha": 0.05, "x": [1, 2]})
    assert len(h) == 64
    assert h == compute_input_hash([b, a], {"x": [1, 2], "alpha": 0.05})
    assert h == compute_input_hash(
        [RawFileRecord("/y/z.csv", "1" * 64, 10, "water"), b], {"alpha": 0.05, "x": [1, 2]}
    )
    assert h != compute_input_hash([a, b], {"alpha": 0.01, "x": [1, 2]})
    assert h != compute_input_hash(
        [RawFileRecord("/x/a.csv", "1" * 64, 10, "brain"), b], {"alpha": 0.05, "x": [1, 2]}
    )
    assert h != compute_input_hash([a], {"alpha": 0.05, "x": [1, 2]})


def test_audit_entries(engine: Engine) -> None:
    audit(
        engine,
        action="run failed",
        study_id="mini",
        details={"error": "bad cell", "row": 3},
        actor="ana",
    )
    audit(engine, action="report written")
    with Session(engine) as session:
        rows = session.scalars(select(AuditRow).order_by(AuditRow.id)).all()
        assert [(r.action, r.actor, r.study_id, r.run_id) for r in rows] == [
            ("run failed", "ana", "mini", None),
            ("report written", repo.current_actor(), None, None),
        ]
        assert rows[0].details == {"error": "bad cell", "row": 3}
        assert rows[1].details is None
        assert abs(rows[0].timestamp - datetime.now(UTC)) < timedelta(minutes=1)
        assert session.scalar(select(func.count()).select_from(AuditRow)) == 2


def test_load_and_resolve_unknown_run(engine: Engine, run_inputs: dict[str, Any]) -> None:
    out = save_run(engine, **run_inputs)
    assert resolve_run_id(engine, out.run_id[:8]) == out.run_id
    with pytest.raises(InputError, match="no run id starts with 'zz'"):
        resolve_run_id(engine, "zz")
    with pytest.raises(InputError, match="stored run"):
        load_run(engine, "nope")
    assert find_run(engine, "0" * 64) is None


def test_list_runs_filters_by_study(engine: Engine, run_inputs: dict[str, Any]) -> None:
    save_run(engine, **run_inputs)
    other = {**run_inputs, "study": {**run_inputs["study"], "study_id": "other"}}
    other["measurements"] = run_inputs["measurements"].drop(columns="study_id")
    save_run(engine, **other)
    assert len(list_runs(engine)) == 2
    only = list_runs(engine, "other")
    assert list(only["study_id"]) == ["other"]
    assert list_runs(engine, "missing").empty


def test_save_waits_for_another_writer(engine: Engine, run_inputs: dict[str, Any]) -> None:
    """A second process writing at the same time delays save_run instead of failing it."""
    import threading
    import time

    from neuroprotect.store import make_engine

    other = make_engine(engine.url.database)
    conn = other.connect()
    trans = conn.begin()
    conn.execute(
        text("INSERT INTO audit_log (timestamp, actor, action) VALUES ('2026-01-01', 'x', 'lock')")
    )
    done: list[Any] = []
    worker = threading.Thread(target=lambda: done.append(save_run(engine, **run_inputs)))
    worker.start()
    time.sleep(0.3)
    assert not done  # still waiting for the write lock
    trans.commit()
    conn.close()
    worker.join(timeout=10)
    other.dispose()
    assert done and not done[0].reused
    assert counts(engine)["audit_log"] == 2


def test_same_inputs_in_another_study_are_not_reused(
    engine: Engine, run_inputs: dict[str, Any]
) -> None:
    first = save_run(engine, **run_inputs)
    other = {**run_inputs, "study": {**run_inputs["study"], "study_id": "copy"}}
    other["measurements"] = run_inputs["measurements"].assign(study_id="copy")
    other["started_at"] = run_inputs["started_at"] + timedelta(minutes=1)
    second = save_run(engine, **other)
    assert not second.reused and second.run_id != first.run_id
    h = compute_input_hash(run_inputs["raw_files"], run_inputs["parameters"])
    assert find_run(engine, h) == first.run_id  # earliest of any study
    assert find_run(engine, h, study_id="copy") == second.run_id
    assert find_run(engine, h, study_id="nobody") is None

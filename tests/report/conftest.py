"""A hand-built StudyOutcome for the report tests (no workflow, no statistics module involved).

The comparison results are constructed directly with known p-values, estimates and intervals, so the
tests can check exactly what the report shows for them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from neuroprotect.schema.columns import RESULT_COLUMNS
from neuroprotect.schema.manifest import Study
from neuroprotect.stats.result import ComparisonResult
from neuroprotect.workflows.outcome import RawFile, StudyOutcome, VariableResult
from neuroprotect.workflows.readouts import ReadoutData, VariableSpec

GROUPS: list[dict[str, Any]] = [
    {"id": "sham", "label": "Sham", "role": "sham", "planned_n": 10},
    {
        "id": "vehicle",
        "label": "Vehicle",
        "role": "vehicle",
        "route": "iv",
        "planned_n": 10,
        "timing": "at reperfusion",
    },
    {
        "id": "h004_1_5",
        "label": "IMM-H004 1.5",
        "role": "treatment",
        "compound": "imm_h004",
        "dose_mg_kg": 1.5,
        "route": "iv",
        "timing": "at reperfusion",
        "planned_n": 10,
    },
    {
        "id": "h004_3",
        "label": "IMM-H004 3",
        "role": "treatment",
        "compound": "imm_h004",
        "dose_mg_kg": 3,
        "route": "iv",
        "timing": "at reperfusion",
        "planned_n": 10,
    },
    {
        "id": "h004_6",
        "label": "IMM-H004 6",
        "role": "treatment",
        "compound": "imm_h004",
        "dose_mg_kg": 6,
        "route": "iv",
        "timing": "at reperfusion",
        "planned_n": 10,
    },
    {
        "id": "edaravone_6",
        "label": "Edaravone 6",
        "role": "positive_control",
        "compound": "edaravone",
        "dose_mg_kg": 6,
        "route": "iv",
        "timing": "at reperfusion",
        "planned_n": 10,
    },
]

#: Known adjusted p-values vs vehicle per variable (and sham vs vehicle), used by the tests.
P_ADJ: dict[str, dict[str, float]] = {
    "infarct_volume_mm3": {
        "h004_1_5": 0.21,
        "h004_3": 0.032,
        "h004_6": 0.0041,
        "edaravone_6": 0.00021,
        "sham": 1.2e-9,
    },
    "neuro_score": {
        "h004_1_5": 0.64,
        "h004_3": 0.047,
        "h004_6": 0.0093,
        "edaravone_6": 0.0008,
        "sham": 3.1e-5,
    },
}
MEANS: dict[str, dict[str, float]] = {
    "infarct_volume_mm3": {
        "sham": 4.0,
        "vehicle": 232.0,
        "h004_1_5": 205.0,
        "h004_3": 168.0,
        "h004_6": 131.0,
        "edaravone_6": 118.0,
    },
    "neuro_score": {
        "sham": 0.0,
        "vehicle": 3.0,
        "h004_1_5": 3.0,
        "h004_3": 2.0,
        "h004_6": 2.0,
        "edaravone_6": 1.0,
    },
}
FILES = ["study.yaml", "animals.csv", "neuro_scores.csv", "ttc_slices.csv"]


def file_hash(name: str) -> str:
    return hashlib.sha256(f"content of {name}".encode()).hexdigest()


def _summary(data: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for g, v in data.groupby("group", sort=False)["value"]:
        q1, q3 = np.percentile(v, [25, 75])
        rows.append(
            {
                "group": g,
                "n": v.size,
                "mean": v.mean(),
                "sd": v.std(ddof=1),
                "sem": v.std(ddof=1) / np.sqrt(v.size),
                "median": v.median(),
                "q1": q1,
                "q3": q3,
                "iqr": q3 - q1,
                "min": v.min(),
                "max": v.max(),
            }
        )
    return pd.DataFrame(rows)


def _contrasts(
    data: pd.DataFrame, p_adj: dict[str, float], groups: list[str], *, test: str, effect_type: str
) -> pd.DataFrame:
    vehicle = data.loc[data.group == "vehicle", "value"]
    rows = []
    for g in groups:
        v = data.loc[data.group == g, "value"]
        diff = v.mean() - vehicle.mean()
        rows.append(
            {
                "test": test,
                "contrast": f"{g} - vehicle",
                "group": g,
                "control": "vehicle",
                "estimate": diff,
                "statistic": diff / 10.0,
                "dof": 54,
                "p_val": p_adj[g] / 4,
                "p_adj": p_adj[g],
                "ci_low": diff - 25.0,
                "ci_high": diff + 25.0,
                "effect_size": diff / 40.0,
                "effect_type": effect_type,
                "n": v.size,
            }
        )
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def build_outcome(
    *, simulated: bool = True, first_label: str | None = None, excluded: bool = True
) -> StudyOutcome:
    """A six-group MCAO/R outcome with two variables (continuous infarct, ordinal score)."""
    groups = [dict(g) for g in GROUPS]
    if first_label is not None:
        groups[2]["label"] = first_label
    study = Study.model_validate(
        {
            "study_id": "h004-demo",
            "title": "IMM-H004 after transient MCAO in rats",
            "description": "Seeded synthetic study following the IMM-H004 MCAO/R design.",
            "simulated": simulated,
            "compound": "imm_h004",
            "model": "mcao_reperfusion",
            "species": "rat",
            "strain": "Sprague-Dawley",
            "sex": "male",
            "groups": groups,
            "animals": "animals.csv",
            "readouts": [
                {"id": "neuro", "type": "neuro_score", "files": ["neuro_scores.csv"]},
                {
                    "id": "ttc",
                    "type": "ttc_table",
                    "files": ["ttc_slices.csv"],
                    "title": "TTC infarct",
                },
            ],
        }
    )
    study.base_dir = Path("/data/h004")
    rng = np.random.default_rng(7)
    animals = pd.DataFrame(
        {
            "animal_id": [f"R{i:02d}" for i in range(60)],
            "group": np.repeat([g["id"] for g in GROUPS], 10),
            "excluded": False,
            "exclusion_reason": None,
        }
    )
    if excluded:
        animals.loc[12, ["excluded", "exclusion_reason"]] = [True, "died 20 h after MCAO"]
    kept = animals[~animals.excluded]
    variables: list[VariableResult] = []
    treated = ["h004_1_5", "h004_3", "h004_6", "edaravone_6"]
    specs = {
        "infarct_volume_mm3": (
            "ttc",
            "ttc_table",
            VariableSpec("infarct_volume_mm3", "Infarct volume", "mm³"),
        ),
        "neuro_score": (
            "neuro",
            "neuro_score",
            VariableSpec("neuro_score", "Longa score", "score", ordinal=True),
        ),
    }
    for name, (rid, rtype, spec) in specs.items():
        means = MEANS[name]
        if spec.ordinal:
            values = [int(np.clip(round(means[g] + rng.normal(0, 0.7)), 0, 4)) for g in kept.group]
        else:
            values = [
                max(0.0, means[g] + rng.normal(0, 35 if g != "sham" else 2)) for g in kept.group
            ]
        data = pd.DataFrame(
            {
                "animal_id": kept.animal_id.to_numpy(),
                "group": kept.group.to_numpy(),
                "value": np.asarray(values, dtype=float),
            }
        )
        main = data[data.group != "sham"]
        if spec.ordinal:
            method, reason, om = (
                "kruskal-dunn",
                "The Longa score is ordinal, so a rank-based test was used.",
                {"test": "kruskal", "statistic": 31.7, "dof": 4, "p_val": 2.2e-6},
            )
            test, eff, check_method = "dunn", "rank_biserial", "mann-whitney"
        else:
            method, reason, om = (
                "anova-dunnett",
                "Residuals were normal (Shapiro-Wilk p = 0.41) "
                "and variances equal (Levene p = 0.63).",
                {"test": "anova", "statistic": 12.4, "dof": (4, 44), "p_val": 2.9e-7},
            )
            test, eff, check_method = "dunnett", "hedges_g", "welch-t"
        comparison = ComparisonResult(
            method=method,
            method_reason=reason,
            omnibus=om,
            contrasts=_contrasts(main, P_ADJ[name], treated, test=test, effect_type=eff),
            summary=_summary(main),
            assumptions=pd.DataFrame(
                [
                    {
                        "check": "shapiro",
                        "group": "h004_3",
                        "statistic": 0.81,
                        "p_val": 0.019,
                        "passed": False,
                    },
                    {
                        "check": "levene",
                        "group": None,
                        "statistic": 0.6,
                        "p_val": 0.63,
                        "passed": True,
                    },
                ]
            )
            if not spec.ordinal
            else pd.DataFrame(),
            dv="value",
            group_col="group",
            control="vehicle",
        )
        check_data = data[data.group.isin(["sham", "vehicle"])]
        model_check = ComparisonResult(
            method=check_method,
            method_reason="Two groups: sham and vehicle.",
            omnibus={},
            contrasts=_contrasts(
                check_data, P_ADJ[name], ["sham"], test=check_method, effect_type=eff
            ),
            summary=_summary(check_data),
            dv="value",
            group_col="group",
            control="vehicle",
        )
        variables.append(VariableResult(rid, rtype, spec, data, comparison, model_check))
    slices = pd.DataFrame(
        {
            "animal_id": np.repeat(["R00", "R10"], 3),
            "slice": [1, 2, 3] * 2,
            "infarct_area_mm2": [0.0, 0.1, 0.0, 10.5, 22.25, 14.0],
        }
    )
    readouts = {
        "neuro": ReadoutData(measurements=pd.DataFrame(), qc={"scale": "Longa 0-4"}),
        "ttc": ReadoutData(
            measurements=pd.DataFrame(),
            details={"slice_areas": slices},
            qc={
                "slice_thickness_mm": 2.0,
                "standard_curve": {"slope": 0.0123456, "r_squared": 0.99871},
            },
            warnings=["R10: slice 4 missing; volume from 3 slices"],
        ),
    }
    return StudyOutcome(
        study=study,
        animals=animals,
        readouts=readouts,
        variables=variables,
        raw_files=[
            RawFile(
                Path("/data/h004") / f,
                file_hash(f),
                1000 + 37 * i,
                "manifest" if i == 0 else f.split(".")[0],
            )
            for i, f in enumerate(FILES)
        ],
        input_hash=hashlib.sha256(b"inputs").hexdigest(),
        parameters={"alpha": 0.05, "method": "auto"},
        versions={"neuroprotect": "0.1.0", "python": "3.11.9", "numpy": "2.1.0", "scipy": "1.17.0"},
        started_at=datetime(2026, 11, 23, 18, 0, 5, tzinfo=UTC),
        finished_at=datetime(2026, 11, 23, 18, 0, 9, tzinfo=UTC),
        run_id="run-0007",
    )


@pytest.fixture
def make_outcome() -> Callable[..., StudyOutcome]:
    return build_outcome


@pytest.fixture(scope="module")
def report_html() -> str:
    """The report of the default outcome, rendered once per test module."""
    from neuroprotect.report.html import render_report

    return render_report(build_outcome())

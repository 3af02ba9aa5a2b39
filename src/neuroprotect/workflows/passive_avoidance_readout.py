"""Readout type ``passive_avoidance``: step-through latencies censored at the cut-off.

``study.yaml`` entry::

    - {id: pa, type: passive_avoidance, files: [passive_avoidance.csv],
       params: {cutoff_s: 300}}       # animal_id, retention_latency_s [, training_latency_s,
                                      #  cutoff_s (per animal)]

What is analysed, and why: the retention latency goes to the statistics engine as an **ordinal**
variable, i.e. rank-based tests (Mann-Whitney, or Kruskal-Wallis with Dunn's test against
vehicle) on medians and IQRs, not means. With one common cut-off this handles the censoring
correctly: every censored latency is known to exceed every observed one, and ranks need no more
(the censored animals tie at the top rank). The survival analysis of the same latencies
(:mod:`neuroprotect.stats.survival`: Kaplan-Meier medians, log-rank of each treatment vs vehicle
with Holm's adjustment, and sham vs vehicle on its own, the same two families as the engine) is
attached to the readout's QC and details, so the report shows it next to the rank test. When
cut-offs differ between animals the rank test is no longer exact and a warning says to rely on
the log-rank tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.behavior.passive_avoidance import ceiling_summary, prepare_passive_avoidance
from neuroprotect.io.tables import Column
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Readout, Role, Study
from neuroprotect.stats.survival import (
    kaplan_meier,
    logrank_test,
    median_latency,
    pairwise_logrank,
    prepare_latencies,
)
from neuroprotect.workflows.readouts import (
    ReadoutData,
    ReadoutType,
    VariableSpec,
    readout_batch,
    register,
)
from neuroprotect.workflows.table_io import (
    details_frame,
    missing_data_warning,
    read_readout_files,
    readout_params,
    tidy_measurements,
)

__all__ = ["PASSIVE_AVOIDANCE", "load_passive_avoidance"]

PASSIVE_AVOIDANCE = VariableSpec(
    "retention_latency_s",
    "Step-through latency (retention)",
    "s",
    ordinal=True,
    lower_is_better=False,
)


PA_COLUMNS = [
    Column(C.ANIMAL_ID, "str"),
    Column(
        "retention_latency_s",
        "float",
        min=0,
        aliases=("retention_latency", "retention", "step_through_latency_s", "latency_s"),
    ),
    Column(
        "training_latency_s",
        "float",
        min=0,
        required=False,
        allow_missing=True,
        aliases=("training_latency", "training", "acquisition_latency_s"),
    ),
    Column("cutoff_s", "float", required=False, allow_missing=True, aliases=("cutoff",)),
]


def _survival(
    study: Study, records: pd.DataFrame
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Log-rank tests in the engine's two families: treatments vs vehicle (Holm), sham vs vehicle."""
    qc: dict[str, Any] = {}
    details: dict[str, pd.DataFrame] = {}
    if records[C.GROUP].nunique() < 2 or not records["event"].any():
        return {"survival": "not computed (one group, or every latency censored)"}, {}
    lat = prepare_latencies(records, time="retention_latency_s", group=C.GROUP, event="event")
    details["survival_medians"] = median_latency(lat)
    vehicle = study.vehicle.id
    present = set(records[C.GROUP])
    if vehicle not in present:  # blinded: codes only
        res = logrank_test(lat)
        qc["survival_logrank_all_groups"] = {k: res[k] for k in ("statistic", "dof", "p_val")}
        return qc, details
    family = [vehicle] + [
        g.id
        for g in study.groups
        if g.role in (Role.TREATMENT, Role.POSITIVE_CONTROL) and g.id in present
    ]
    rows = []
    if len(family) >= 2:
        fam = lat[lat["group"].astype(str).isin(family)]
        rows.append(pairwise_logrank(fam, control=vehicle).assign(family="treatment"))
    sham = study.sham
    if sham is not None and sham.id in present:
        pair = lat[lat["group"].astype(str).isin([sham.id, vehicle])]
        rows.append(pairwise_logrank(pair, control=vehicle).assign(family="model_check"))
    if rows:
        table = pd.concat(rows, ignore_index=True)
        details["survival_logrank"] = table
        qc["survival_logrank"] = {
            str(r["contrast"]): {
                "chi2": r["statistic"],
                "p_val": r["p_val"],
                "p_adj_holm": r["p_adj"],
            }
            for r in table.to_dict("records")
        }
    return qc, details


def _km_figure(records: pd.DataFrame, study: Study) -> dict[str, Any]:
    """Kaplan-Meier curves of the retention latencies, by group (censor ticks at the cut-off)."""
    from neuroprotect.report.figures import group_legend
    from neuroprotect.stats.plots import plot_kaplan_meier

    if records.empty or not records["event"].any():
        return {}
    lat = prepare_latencies(records, time="retention_latency_s", group=C.GROUP, event="event")
    labels, colours = group_legend(study.groups, lat[C.GROUP].dropna())
    fig = plot_kaplan_meier(
        kaplan_meier(lat),
        xlabel="Retention latency (s)",
        ylabel="Proportion not yet entered",
        labels=labels,
        colours=colours,
    )
    return {"Kaplan-Meier curves of the retention latency": fig}


def load_passive_avoidance(
    study: Study, readout: Readout, files: list[Path], animals: pd.DataFrame
) -> ReadoutData:
    """Step-through latencies; ``params: {cutoff_s: 300}`` (or a ``cutoff_s`` column)."""
    p = readout_params(
        study, readout, {"cutoff_s": (float, None), "training_cutoff_s": (float, None)}
    )

    def prepare(table: pd.DataFrame, path: Path) -> pd.DataFrame:
        rec = prepare_passive_avoidance(
            table, cutoff_s=p["cutoff_s"], training_cutoff_s=p["training_cutoff_s"], file=path
        )
        rec[C.SOURCE_ROW] = table[C.SOURCE_ROW].to_numpy()
        return rec

    batch = readout_batch(readout)  # a file that cannot be read is skipped, the others used
    records = read_readout_files(
        files, PA_COLUMNS, animals, prepare, [C.ANIMAL_ID], batch=batch, study=study
    )
    measurements = tidy_measurements(study, readout, animals, records, (PASSIVE_AVOIDANCE,))
    measurements[C.CENSORED] = records["censored"].to_numpy(bool)
    info = animals.set_index(C.ANIMAL_ID)
    records[C.GROUP] = records[C.ANIMAL_ID].map(info[C.GROUP])
    analysed = records[~records[C.ANIMAL_ID].map(info[C.EXCLUDED]).astype(bool)]
    qc_surv, surv_details = _survival(study, analysed)
    cutoffs = np.unique(records["cutoff_s"])
    warnings = missing_data_warning(readout, animals, records[C.ANIMAL_ID])
    if len(cutoffs) > 1:
        warnings.append(
            f"cut-offs differ between animals ({', '.join(f'{c:g}' for c in cutoffs)} "
            "s): the rank test treats a censored latency as equal to its cut-off; rely on the "
            "log-rank tests"
        )
    untrained = records.loc[records["training_censored"], C.ANIMAL_ID]
    if len(untrained):
        warnings.append(
            f"training latency at the cut-off (never entered, so not "
            f"shocked) for {', '.join(map(str, untrained))}"
        )
    ceiling = ceiling_summary(analysed) if len(analysed) else pd.DataFrame()
    return ReadoutData(
        measurements=measurements,
        details={"latencies": details_frame(records, study), "ceiling": ceiling, **surv_details},
        qc={
            "cutoff_s": [float(c) for c in cutoffs] if len(cutoffs) > 1 else float(cutoffs[0]),
            "censoring": "a retention latency equal to the cut-off is right-censored",
            "analysis": "rank-based comparison of retention latencies (valid with one common "
            "cut-off: censored animals tie above every observed latency); Kaplan-Meier medians "
            "and log-rank tests (each group vs vehicle, Holm) alongside",
            "n_censored": int(records["censored"].sum()),
            **qc_surv,
        },
        warnings=warnings,
        figures=_km_figure(analysed, study),
        skipped=batch.skipped,
    )


register(
    ReadoutType(
        name="passive_avoidance",
        title="Passive avoidance (step-through)",
        variables=(PASSIVE_AVOIDANCE,),
        load=load_passive_avoidance,
        description="Retention latency censored at the cut-off; rank test plus log-rank.",
    )
)

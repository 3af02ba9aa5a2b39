"""Relative quantification of qPCR data: technical replicates, ΔCt/ΔΔCt, Livak and Pfaffl, efficiency.

Input is the long well table of :func:`neuroprotect.assays.qpcr_readers.read_ct_table`
(``sample, group, gene, ct, undetermined, efficiency, ...``); one row per well.

Steps and choices (stated, since they change the numbers):

1. **Technical replicates** are averaged first: the arithmetic mean of the (efficiency-weighted)
   Ct of a sample's wells for a gene (the common choice, NormqPCR ``combineTechReps``, qbase+).
   Undetermined wells are left out of the mean and flagged; a sample/gene with only undetermined
   wells is excluded from that gene (or, with ``undetermined_ct``, set to that Ct and flagged).
   A replicate SD above ``max_replicate_sd`` (default 0.5 cycles) is flagged, not dropped.
2. **Normalisation** per sample (``pairing="paired"``, target and reference measured in the same
   cDNA/tube): ``ΔCt = log2(E_t)·Ct_t − mean_r log2(E_r)·Ct_r``; the mean over several reference
   genes is the log of the geometric mean of their relative quantities (Vandesompele 2002).
   With ``E = 2`` for every gene (``method="livak"``) this is ``Ct_t − mean Ct_r`` (Livak &
   Schmittgen 2001); with measured efficiencies (``method="pfaffl"``) the fold change equals
   Pfaffl's ratio ``E_t^ΔCt_t / E_r^ΔCt_r`` (Pfaffl 2001; Ganger 2017 weighted ΔCt, as rtpcr).
   A sample whose reference gene is missing or undetermined is excluded from every gene and
   flagged. ``pairing="unpaired"`` (separate tubes, the pcr package's ``separate_tube``) uses
   group means of each gene instead.
3. **Fold change** of group g versus the control: ``ΔΔCt = mean ΔCt_g − mean ΔCt_control``,
   ``fold change = 2^−ΔΔCt``. Statistics stay on the ΔΔCt (log2) scale and are back-transformed.
4. **Interval** (``interval=``): ``"pooled"`` t interval with the one-way ANOVA residual variance
   over all groups of that gene (df = N − k), ``"tukey"`` the same with Tukey-Kramer's
   ``q(conf; k, df)/√2`` (rtpcr ``ANOVA_DDCt``, emmeans pairwise), ``"welch"`` Welch's two-sample
   interval (R ``t.test``), ``"sd"`` the ABI User Bulletin #2 / pcr package range
   ``2^−(ΔΔCt ± s)`` with ``s`` the SD of the group's ΔCt (paired) or
   ``sqrt(s_t² + s_r²)`` (unpaired) — a spread, not a confidence interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from neuroprotect.assays._qpcr_stats import (
    interval_offsets,
    paired_stats,
    pooled_variance,
    unpaired_stats,
)
from neuroprotect.assays.qpcr_efficiency import AmplificationEfficiency, compute_efficiency
from neuroprotect.errors import InputError

__all__ = [
    "AmplificationEfficiency",
    "RelativeExpression",
    "compute_efficiency",
    "compute_relative_expression",
    "summarise_replicates",
]

Method = Literal["livak", "pfaffl"]
Interval = Literal["pooled", "tukey", "welch", "sd"]
Pairing = Literal["paired", "unpaired"]

RESULT_FIELDS = (
    "gene",
    "group",
    "control",
    "delta_ct",
    "delta_delta_ct",
    "fold_change",
    "ci_low",
    "ci_high",
    "n",
    "p_val",
    "interval",
    "method",
)


@dataclass
class RelativeExpression:
    """Result of :func:`compute_relative_expression`.

    Attributes
    ----------
    results
        One row per gene and group, columns :data:`RESULT_FIELDS`: ``delta_ct`` (mean ΔCt of
        the group, log2 units), ``delta_delta_ct``, ``fold_change`` (2^−ΔΔCt), ``ci_low``,
        ``ci_high`` (fold-change scale; NaN for the control row except with ``interval="sd"``),
        ``n`` (samples), ``p_val`` (two-sided t test of ΔΔCt = 0 with the interval's variance;
        NaN for ``sd``), ``interval``, ``method``.
    samples
        One row per sample and target gene: ``sample, group, gene, delta_ct, log2_fold_change``
        (−(ΔCt − mean ΔCt of the control)), ``fold_change`` (2^log2_fold_change).
    replicates
        The technical-replicate summary of :func:`summarise_replicates`.
    flags
        ``sample, gene, flag, message`` for every excluded or suspicious value.
    efficiencies
        Amplification factor used per gene (2 for Livak).
    """

    results: pd.DataFrame
    samples: pd.DataFrame
    replicates: pd.DataFrame
    flags: pd.DataFrame
    efficiencies: dict[str, float]
    warnings: list[str] = field(default_factory=list)


def _efficiency_per_well(
    wells: pd.DataFrame, method: Method, efficiency: Mapping[str, float] | None
) -> np.ndarray:
    if method == "livak":
        return np.full(len(wells), 2.0)
    given = dict(efficiency or {})
    eff = wells["gene"].map(given).astype(float).to_numpy()
    col = (
        wells["efficiency"].astype(float).to_numpy()
        if "efficiency" in wells
        else np.full(len(wells), np.nan)
    )
    eff = np.where(np.isnan(eff), col, eff)
    missing = sorted(set(wells.loc[np.isnan(eff), "gene"]))
    if missing:
        raise InputError(
            f"Expected an amplification efficiency for every gene with method 'pfaffl' "
            f"(--efficiency GENE=E or an efficiency column), but {missing[0]!r} has none"
        )
    if (eff <= 1).any() or (eff > 2.5).any():
        bad = float(eff[(eff <= 1) | (eff > 2.5)][0])
        raise InputError(
            f"Expected an amplification factor between 1 and 2.5 (2 = 100 %), but got {bad:g}",
            field="efficiency",
        )
    return eff


def summarise_replicates(
    wells: pd.DataFrame,
    *,
    max_replicate_sd: float = 0.5,
    undetermined_ct: float | None = None,
    weights: ArrayLike | None = None,
) -> pd.DataFrame:
    """Average technical replicates per sample and gene.

    Parameters
    ----------
    wells
        Long well table (``sample, group, gene, ct, undetermined``).
    max_replicate_sd
        Replicate SD (cycles) above which the sample/gene is flagged ``high_replicate_sd``.
    undetermined_ct
        ``None`` (default): undetermined wells are left out; a value (e.g. 40): they count as that
        Ct and are flagged ``undetermined_set``.
    weights
        Per-well ``log2(E)`` factors; the mean is taken of ``weight·Ct`` (``wct``).

    Returns
    -------
    pandas.DataFrame
        ``sample, group, gene, ct`` (mean Ct), ``wct`` (mean weighted Ct), ``ct_sd`` (SD of the
        wells, NaN for one well), ``n_wells``, ``n_undetermined``, ``flag`` (``ok``,
        ``undetermined``, ``partly_undetermined``, ``undetermined_set``, ``high_replicate_sd``).
    """
    w = wells.copy()
    w["undetermined"] = w["undetermined"].astype(bool)
    w["_wt"] = 1.0 if weights is None else np.asarray(weights, dtype=float)
    if undetermined_ct is not None:
        w["ct"] = np.where(w["undetermined"], float(undetermined_ct), w["ct"])
    w["_wct"] = w["_wt"] * w["ct"]
    groups = w.groupby(["sample", "gene"], sort=False)
    out = groups.agg(
        group=("group", "first"),
        ct=("ct", "mean"),
        wct=("_wct", "mean"),
        ct_sd=("ct", "std"),
        n_wells=("ct", "size"),
        n_undetermined=("undetermined", "sum"),
    ).reset_index()
    n_groups = groups["group"].nunique()
    if (n_groups > 1).any():
        smp = n_groups[n_groups > 1].index[0][0]
        raise InputError(
            f"Expected one group per sample, but sample {smp!r} has several", field="group"
        )
    flag = np.full(len(out), "ok", dtype=object)
    flag[(out["ct_sd"] > max_replicate_sd).to_numpy()] = "high_replicate_sd"
    part = (out["n_undetermined"] > 0).to_numpy()
    flag[part] = "undetermined_set" if undetermined_ct is not None else "partly_undetermined"
    flag[out["ct"].isna().to_numpy()] = "undetermined"
    out["flag"] = flag
    out["n_undetermined"] = out["n_undetermined"].astype(int)
    return out[
        ["sample", "group", "gene", "ct", "wct", "ct_sd", "n_wells", "n_undetermined", "flag"]
    ]


def _reference_missing(bad: pd.Index, group_of: pd.Series, refs: list[str], pairing: str) -> str:
    """Warning naming the samples (by group) without a reference Ct; error if a group has none."""
    genes = ", ".join(refs)
    by_group = {
        g: list(map(str, s))
        for g, s in pd.Series(bad, index=bad).groupby(group_of.loc[bad], sort=False)
    }
    usable = set(group_of.drop(bad))
    for g, samples in by_group.items():
        if g not in usable:
            raise InputError(
                f"Expected a reference-gene Ct ({genes}) in at least one sample of group {g!r}, "
                f"but all its samples lack one or are undetermined ({', '.join(samples)}): the "
                "group would vanish from the result",
                field="reference",
            )
    listed = "; ".join(f"{g}: {', '.join(s)}" for g, s in by_group.items())
    fate = (
        "left out of every gene"
        if pairing == "paired"
        else "their target Ct still enter the group means"
    )
    return f"{len(bad)} sample(s) without a usable reference-gene Ct ({genes}), {fate}: {listed}"


def compute_relative_expression(
    wells: pd.DataFrame,
    *,
    reference: str | Sequence[str],
    control_group: str,
    method: Method = "livak",
    efficiency: Mapping[str, float] | None = None,
    pairing: Pairing = "paired",
    interval: Interval = "pooled",
    confidence: float = 0.95,
    max_replicate_sd: float = 0.5,
    undetermined_ct: float | None = None,
    genes: Sequence[str] | None = None,
) -> RelativeExpression:
    """Fold change of every target gene in every group versus the control group.

    Parameters
    ----------
    wells
        Long well table (see :func:`neuroprotect.assays.qpcr_readers.read_ct_table`).
    reference
        Reference (housekeeping) gene(s); several are combined by geometric mean.
    control_group
        The group every other group is compared with (vehicle, sham...).
    method
        ``livak`` (E = 2 for every gene) or ``pfaffl`` (efficiencies from ``efficiency`` or the
        table's ``efficiency`` column).
    pairing, interval, confidence, max_replicate_sd, undetermined_ct
        See the module docstring.
    genes
        Target genes to report (default: every non-reference gene).

    Returns
    -------
    RelativeExpression

    Raises
    ------
    InputError
        Unknown reference gene or control group, missing efficiencies, bad options.
    """
    refs = [reference] if isinstance(reference, str) else list(reference)
    if not refs:
        raise InputError("Expected at least one reference gene, but got none", field="reference")
    for name, value, allowed in (
        ("method", method, ("livak", "pfaffl")),
        ("interval", interval, ("pooled", "tukey", "welch", "sd")),
        ("pairing", pairing, ("paired", "unpaired")),
    ):
        if value not in allowed:
            raise InputError(
                f"Expected {name} among {', '.join(allowed)}, but got {value!r}", field=name
            )
    if pairing == "unpaired" and interval in ("pooled", "tukey"):
        raise InputError(
            "Expected interval 'welch' or 'sd' with pairing 'unpaired', but got " + repr(interval),
            field="interval",
        )
    if not 0 < confidence < 1:
        raise InputError(
            f"Expected a confidence level between 0 and 1, but got {confidence!r}",
            field="confidence",
        )
    known_genes = list(dict.fromkeys(wells["gene"].astype(str)))
    for r in refs:
        if r not in known_genes:
            raise InputError(
                f"Expected reference gene {r!r} among the genes in the table ({', '.join(known_genes)}), but it is absent",
                field="reference",
            )
    groups = list(dict.fromkeys(wells["group"].astype(str)))
    if control_group not in groups:
        raise InputError(
            f"Expected the control group among {', '.join(groups)}, but got {control_group!r}",
            field="control_group",
        )
    targets = [g for g in known_genes if g not in refs] if genes is None else list(genes)
    for g in targets:
        if g not in known_genes:
            raise InputError(
                f"Expected a gene among {', '.join(known_genes)}, but got {g!r}", field="genes"
            )
    if not targets:
        raise InputError(
            "Expected at least one target gene besides the reference gene(s), but found none"
        )

    eff = _efficiency_per_well(wells, method, efficiency)
    reps = summarise_replicates(
        wells,
        max_replicate_sd=max_replicate_sd,
        undetermined_ct=undetermined_ct,
        weights=np.log2(eff),
    )
    effs = {
        g: float(np.exp(np.log(eff[(wells["gene"] == g).to_numpy()]).mean())) for g in known_genes
    }
    flags: list[dict[str, str]] = []
    warnings: list[str] = []
    for row in reps.itertuples():
        if row.flag == "ok":
            continue
        if row.flag == "undetermined":
            message = f"all {row.n_wells} well(s) undetermined: sample left out of {row.gene}"
        elif row.flag == "partly_undetermined":
            message = (
                f"{row.n_undetermined} of {row.n_wells} well(s) undetermined: mean of the others"
            )
        elif row.flag == "undetermined_set":
            message = f"{row.n_undetermined} undetermined well(s) counted as Ct {undetermined_ct}"
        else:
            message = f"technical replicate SD {row.ct_sd:.2f} > {max_replicate_sd:g} cycles"
        flags.append({"sample": row.sample, "gene": row.gene, "flag": row.flag, "message": message})

    wide = reps.pivot(index="sample", columns="gene", values="wct")
    group_of = reps.groupby("sample", sort=False)["group"].first()
    ref_term = wide.reindex(columns=refs).mean(axis=1, skipna=False)
    bad_ref = ref_term.index[ref_term.isna()]
    for smp in bad_ref:
        absent = [r for r in refs if r not in wide.columns or pd.isna(wide.at[smp, r])]
        flags.append(
            {
                "sample": smp,
                "gene": ",".join(absent),
                "flag": "reference_missing",
                "message": f"reference gene {', '.join(absent)} missing or undetermined: sample left out of every gene",
            }
        )
    if len(bad_ref):
        warnings.append(_reference_missing(bad_ref, group_of, refs, pairing))
    undetermined = [f["sample"] + "/" + f["gene"] for f in flags if f["flag"] == "undetermined"]
    if undetermined:
        warnings.append(f"undetermined Ct (no amplification) left out: {', '.join(undetermined)}")

    result_rows: list[dict[str, object]] = []
    sample_rows: list[pd.DataFrame] = []
    for gene in targets:
        if pairing == "paired":
            dct = (wide[gene] - ref_term).dropna() if gene in wide else pd.Series(dtype=float)
            per_group = {g: dct[group_of.loc[dct.index] == g].to_numpy() for g in groups}
            group_stats = {g: paired_stats(v) for g, v in per_group.items()}
        else:
            group_stats = {g: unpaired_stats(reps, gene, refs, g) for g in groups}
            dct = None
        ctrl = group_stats[control_group]
        if ctrl["n"] == 0:
            warnings.append(
                f"{gene}: no usable sample in the control group {control_group!r}; no fold change"
            )
            continue
        present = [g for g in groups if group_stats[g]["n"] > 0]
        pooled = pooled_variance(group_stats, present) if interval in ("pooled", "tukey") else None
        for g in present:
            s = group_stats[g]
            ddct = s["mean"] - ctrl["mean"]
            lo, hi, p = interval_offsets(
                interval, s, ctrl, pooled, len(present), confidence, is_control=(g == control_group)
            )
            if g != control_group and not np.isfinite(hi):
                warnings.append(
                    f"{gene}, {g}: no {interval} interval (n = {s['n']} vs {ctrl['n']} in the "
                    "control; at least two per group, or a pooled variance, are needed)"
                )
            result_rows.append(
                {
                    "gene": gene,
                    "group": g,
                    "control": control_group,
                    "delta_ct": s["mean"],
                    "delta_delta_ct": ddct,
                    "fold_change": 2.0 ** (-ddct),
                    "ci_low": 2.0 ** (-(ddct + hi)) if np.isfinite(hi) else np.nan,
                    "ci_high": 2.0 ** (-(ddct + lo)) if np.isfinite(lo) else np.nan,
                    "n": int(s["n"]),
                    "p_val": p,
                    "interval": interval,
                    "method": method,
                }
            )
        if dct is not None and len(dct):
            log2fc = -(dct - ctrl["mean"])
            sample_rows.append(
                pd.DataFrame(
                    {
                        "sample": dct.index.astype(str),
                        "group": group_of.loc[dct.index].to_numpy(),
                        "gene": gene,
                        "delta_ct": dct.to_numpy(),
                        "log2_fold_change": log2fc.to_numpy(),
                        "fold_change": 2.0 ** log2fc.to_numpy(),
                    }
                )
            )
    results = pd.DataFrame(result_rows, columns=list(RESULT_FIELDS))
    samples = (
        pd.concat(sample_rows, ignore_index=True)
        if sample_rows
        else pd.DataFrame(
            columns=["sample", "group", "gene", "delta_ct", "log2_fold_change", "fold_change"]
        )
    )
    return RelativeExpression(
        results=results,
        samples=samples,
        replicates=reps,
        flags=pd.DataFrame(flags, columns=["sample", "gene", "flag", "message"]),
        efficiencies=effs,
        warnings=warnings,
    )

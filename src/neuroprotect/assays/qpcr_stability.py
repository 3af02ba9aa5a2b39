"""Reference-gene stability: geNorm M (Vandesompele 2002) and NormFinder ρ (Andersen 2004).

Both take a samples × genes table of **relative quantities** (linear scale, e.g. ``E^−Ct`` or
``2^−Ct``; any per-gene scale factor cancels) — use :func:`relative_quantities` to build it
from a well table — and work on log2 values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError

__all__ = [
    "GenormResult",
    "compute_genorm",
    "compute_genorm_m",
    "compute_normfinder",
    "relative_quantities",
]


def _candidates(replicates: pd.DataFrame, genes: Sequence[str] | None) -> pd.DataFrame:
    """Samples × candidate genes of efficiency-weighted Ct; a candidate not in the table is an
    error (it would otherwise empty every row)."""
    wide = replicates.pivot(index="sample", columns="gene", values="wct")
    if genes is None:
        return wide
    unknown = [g for g in genes if g not in wide.columns]
    if unknown:
        raise InputError(
            f"Expected candidate genes among {', '.join(map(str, wide.columns))}, "
            f"but got {', '.join(map(repr, unknown))}",
            field="gene",
        )
    return wide[list(genes)]


def relative_quantities(
    replicates: pd.DataFrame, *, genes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Samples × genes table of ``2^−wct`` from :func:`~neuroprotect.assays.qpcr.summarise_replicates`.

    ``wct`` is the efficiency-weighted mean Ct (``log2(E)·Ct``), so the values are ``E^−Ct``.
    Samples with a missing gene are dropped (geNorm needs complete rows).
    """
    return (2.0 ** (-_candidates(replicates, genes))).dropna()


def left_out_samples(replicates: pd.DataFrame, *, genes: Sequence[str] | None = None) -> list[str]:
    """``"sample (gene, gene)"`` for every sample :func:`relative_quantities` drops: a candidate
    gene undetermined or not measured in it."""
    wide = _candidates(replicates, genes)
    missing = wide.isna()
    return [
        f"{smp} ({', '.join(map(str, wide.columns[row]))})"
        for smp, row in zip(wide.index, missing.to_numpy(), strict=True)
        if row.any()
    ]


def _log2(expression: pd.DataFrame, *, log: bool) -> pd.DataFrame:
    if not isinstance(expression, pd.DataFrame) or expression.shape[1] < 2:
        raise InputError("Expected a samples x genes table with at least two genes")
    values = expression.astype(float)
    if not log:
        if (values <= 0).any().any():
            raise InputError(
                "Expected relative quantities > 0 (linear scale), but got a value <= 0"
            )
        values = np.log2(values)
    if values.isna().any().any():
        raise InputError("Expected no missing values in the reference-gene table")
    if len(values) < 2:
        raise InputError(f"Expected at least two samples, but got {len(values)}")
    return values


def compute_genorm_m(expression: pd.DataFrame, *, log: bool = False) -> pd.Series:
    """geNorm gene-stability measure M of every gene (lower = more stable).

    Notes
    -----
    ``M_j = mean_{k≠j} SD_samples(log2(a_j / a_k))`` with the sample SD (n − 1), Vandesompele
    et al. 2002 Genome Biol 3:research0034.
    """
    x = _log2(expression, log=log).to_numpy()
    k = x.shape[1]
    m = np.empty(k)
    for j in range(k):
        diffs = x[:, [j]] - np.delete(x, j, axis=1)
        m[j] = diffs.std(axis=0, ddof=1).mean()
    return pd.Series(m, index=expression.columns, name="m")


@dataclass
class GenormResult:
    """geNorm stepwise exclusion.

    Attributes
    ----------
    ranking
        Genes from most to least stable; the first two (the best pair) cannot be told apart.
    steps
        ``n_genes, excluded, excluded_m, mean_m`` per step (M of the gene excluded at that step
        and the mean M of the genes present before exclusion); the last row has the best pair.
    m_values
        M of every gene with all genes present.
    pairwise_variation
        ``V_n/n+1 = SD(log2(NF_n / NF_n+1))`` for n = 2.. k−1, NF_n the geometric mean of the n
        most stable genes; Vandesompele's cut-off 0.15 says when another gene adds nothing.
    """

    ranking: list[str]
    steps: pd.DataFrame
    m_values: pd.Series
    pairwise_variation: pd.Series


def compute_genorm(expression: pd.DataFrame, *, log: bool = False) -> GenormResult:
    """geNorm: exclude the gene with the highest M until two remain (NormqPCR ``selectHKs``).

    Parameters
    ----------
    expression
        Samples × genes, relative quantities (``log=False``) or log2 values (``log=True``).

    Returns
    -------
    GenormResult
    """
    x = _log2(expression, log=log)
    remaining = list(x.columns)
    excluded: list[str] = []
    rows = []
    while len(remaining) > 2:
        m = compute_genorm_m(x[remaining], log=True)
        worst = str(m.idxmax())
        rows.append(
            {
                "n_genes": len(remaining),
                "excluded": worst,
                "excluded_m": float(m.max()),
                "mean_m": float(m.mean()),
            }
        )
        excluded.append(worst)
        remaining.remove(worst)
    m2 = compute_genorm_m(x[remaining], log=True)
    rows.append(
        {
            "n_genes": 2,
            "excluded": ",".join(remaining),
            "excluded_m": float(m2.iloc[0]),
            "mean_m": float(m2.mean()),
        }
    )
    ranking = sorted(remaining) + excluded[::-1]
    pv = {}
    for n in range(2, len(ranking)):
        nf_n = x[ranking[:n]].mean(axis=1)
        nf_n1 = x[ranking[: n + 1]].mean(axis=1)
        pv[f"V{n}/{n + 1}"] = float((nf_n - nf_n1).std(ddof=1))
    return GenormResult(
        ranking=ranking,
        steps=pd.DataFrame(rows),
        m_values=compute_genorm_m(x, log=True),
        pairwise_variation=pd.Series(pv, name="pairwise_variation"),
    )


def compute_normfinder(
    expression: pd.DataFrame, *, groups: Sequence[str] | None = None, log: bool = False
) -> pd.DataFrame:
    """NormFinder stability value ρ of every gene (Andersen et al. 2004 Cancer Res 64:5245).

    Parameters
    ----------
    expression
        Samples × genes, relative quantities (``log=False``) or log2 values (``log=True``).
    groups
        Group of each sample (row). Without groups (or one group) the stability is the
        intragroup variance estimate σ²_i alone, as in NormFinder's one-group mode.

    Returns
    -------
    pandas.DataFrame
        ``gene, stability, rank`` (rank 1 = most stable), sorted by rank.

    Notes
    -----
    Per group g with n_g samples and k genes, residuals ``r_igj = y_igj − ȳ_ig· − ȳ_·gj + ȳ_·g·``
    give ``s²_ig = Σ_j r²_igj/(n_g − 1)`` and the unbiased gene variance
    ``σ²_ig = (s²_ig − Σ_i s²_ig/(k(k−1))) / (1 − 2/k)`` (floored at 0). The intergroup
    differences ``d_ig = ȳ_ig· − ȳ_i·· − ȳ_·g· + ȳ_···`` are shrunk with
    ``γ² = max(Σ d²/((G−1)(k−1)) − mean(σ²_ig/n_g), 0)``: ``d*_ig = d_ig γ²/(γ² + v_ig)``,
    ``v*_ig = v_ig + γ² v_ig/(γ² + v_ig)`` with ``v_ig = σ²_ig/n_g``; ``ρ_i = mean_g(|d*_ig| + √v*_ig)``.
    """
    x = _log2(expression, log=log)
    k = x.shape[1]
    if k < 3:
        raise InputError(f"Expected at least three candidate genes for NormFinder, but got {k}")
    labels = np.asarray(["all"] * len(x) if groups is None else [str(g) for g in groups])
    if labels.size != len(x):
        raise InputError(f"Expected one group per sample ({len(x)}), but got {labels.size}")
    levels = list(dict.fromkeys(labels))
    sigma2 = np.zeros((len(levels), k))
    means = np.zeros((len(levels), k))
    sizes = np.zeros(len(levels))
    for gi, level in enumerate(levels):
        y = x.to_numpy()[labels == level]
        n = y.shape[0]
        if n < 2:
            raise InputError(
                f"Expected at least two samples per group, but group {level!r} has {n}"
            )
        resid = y - y.mean(axis=0) - y.mean(axis=1, keepdims=True) + y.mean()
        s2 = (resid**2).sum(axis=0) / (n - 1)
        sigma2[gi] = (s2 - s2.sum() / (k * (k - 1))) / (1 - 2 / k)
        means[gi] = y.mean(axis=0)
        sizes[gi] = n
    if len(levels) == 1:
        stability = sigma2[0]
    else:
        sigma2 = np.maximum(sigma2, 0)
        d = means - means.mean(axis=1, keepdims=True) - means.mean(axis=0) + means.mean()
        v = sigma2 / sizes[:, None]
        gamma2 = max((d**2).sum() / ((len(levels) - 1) * (k - 1)) - v.mean(), 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            shrink = np.where(gamma2 + v > 0, gamma2 / (gamma2 + v), 0.0)
        d_star = d * shrink
        v_star = v + v * shrink
        stability = (np.abs(d_star) + np.sqrt(v_star)).mean(axis=0)
    out = pd.DataFrame({"gene": list(x.columns), "stability": stability})
    out["rank"] = out["stability"].rank(method="min").astype(int)
    return out.sort_values("rank", kind="stable").reset_index(drop=True)

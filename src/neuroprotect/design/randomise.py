"""Reproducible block randomisation, stratified by sex and body weight, with blinded codes.

Notes
-----
Animals are first split into strata (sex x body-weight class; weight classes are quantile bins
within each sex). Within each stratum the animals are put in random order and allocated in
permuted blocks: each block holds every group once (times ``block_multiple``), in a random order.
So in every stratum the group sizes differ by at most one block's remainder, and sex and weight are
balanced across groups. Everything is drawn from ``numpy.random.default_rng(seed)``: the same table,
groups and seed give the same allocation.

Every animal also gets a blinded code (random, unique, not derived from the group), which is what
experimenters and analysts see until the study is unblinded.

References
----------
Altman DG, Bland JM (1999). How to randomise. BMJ 319:703-704.
Percie du Sert N et al. (2020). The ARRIVE guidelines 2.0, item 4 (randomisation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError

_CODE_ALPHABET = np.array(list("ACDEFGHJKLMNPQRTUVWXY3479"))  # no look-alikes (0/O, 1/I, 5/S...)


@dataclass
class Allocation:
    """Result of :func:`randomise_animals`.

    Attributes
    ----------
    allocation
        ``animal_id, group, blinded_code, stratum, block`` plus the input columns.
    balance
        Per group: ``group, n, n_male, n_female, body_weight_mean_g, body_weight_sd_g``.
    seed, method
        What is needed to reproduce and describe the allocation.
    """

    allocation: pd.DataFrame
    balance: pd.DataFrame
    seed: int
    method: str
    warnings: list[str] = field(default_factory=list)

    @property
    def key(self) -> pd.DataFrame:
        """The concealed allocation key: blinded code -> group (for the allocator only)."""
        return self.allocation[["blinded_code", "animal_id", "group"]].sort_values("blinded_code")

    @property
    def coded_sheet(self) -> pd.DataFrame:
        """What the experimenter sees: animal and blinded code, no group."""
        cols = [
            c for c in ("animal_id", "blinded_code", "sex", "body_weight_g") if c in self.allocation
        ]
        return self.allocation[cols].sort_values("animal_id")


def make_blinded_codes(n: int, *, rng: np.random.Generator, length: int = 4) -> list[str]:
    """``n`` unique random codes such as ``K7QD`` drawn from an unambiguous alphabet."""
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < n:
        code = "".join(rng.choice(_CODE_ALPHABET, size=length))
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def _strata(animals: pd.DataFrame, *, by_sex: bool, weight_classes: int) -> pd.Series:
    labels = pd.Series("all", index=animals.index, dtype=object)
    if by_sex and "sex" in animals:
        labels = animals["sex"].fillna("unknown").astype(str).str.lower()
    if weight_classes > 1 and "body_weight_g" in animals:
        weight = pd.to_numeric(animals["body_weight_g"], errors="coerce")
        classes = pd.Series("w?", index=animals.index, dtype=object)
        for _, idx in labels.groupby(labels).groups.items():
            w = weight.loc[idx]
            k = min(weight_classes, max(1, int(w.notna().sum())))
            ranks = w.rank(method="first")
            classes.loc[idx] = [
                f"w{int(np.ceil(r * k / w.notna().sum()))}" if np.isfinite(r) else "w?"
                for r in ranks
            ]
        labels = labels + "/" + classes
    return labels


def randomise_animals(
    animals: pd.DataFrame,
    *,
    groups: list[str],
    seed: int,
    by_sex: bool = True,
    weight_classes: int = 2,
    block_multiple: int = 1,
) -> Allocation:
    """Allocate animals to groups in permuted blocks within sex x weight strata.

    Parameters
    ----------
    animals
        ``animal_id`` and optionally ``sex`` and ``body_weight_g``.
    groups
        Group ids to allocate to (equal allocation ratio).
    seed
        Seed of the random generator; record it.
    by_sex
        Stratify by sex when a ``sex`` column is present.
    weight_classes
        Number of body-weight classes per sex (1 = no weight stratification).
    block_multiple
        Blocks hold each group this many times.

    Returns
    -------
    Allocation

    Raises
    ------
    InputError
        Fewer than two groups, no animals, duplicate animal ids.
    """
    if len(groups) < 2 or len(set(groups)) != len(groups):
        raise InputError(
            f"Expected at least two distinct groups, but got {groups!r}", field="groups"
        )
    if animals.empty or "animal_id" not in animals:
        raise InputError("Expected an animals table with an animal_id column and at least one row")
    ids = animals["animal_id"].astype(str)
    if ids.duplicated().any():
        raise InputError(
            f"Expected unique animal ids, but {ids[ids.duplicated()].iloc[0]!r} is repeated",
            field="animal_id",
        )
    if block_multiple < 1:
        raise InputError(
            f"Expected block_multiple >= 1, but got {block_multiple}", field="block_multiple"
        )
    rng = np.random.default_rng(seed)
    table = animals.copy().reset_index(drop=True)
    table["stratum"] = _strata(table, by_sex=by_sex, weight_classes=weight_classes)
    table["group"] = None
    table["block"] = 0
    block_len = len(groups) * block_multiple
    block_no = 0
    for stratum in sorted(table["stratum"].unique()):
        idx = table.index[table["stratum"] == stratum].to_numpy()
        idx = idx[rng.permutation(len(idx))]
        for start in range(0, len(idx), block_len):
            block_no += 1
            block = np.array(groups * block_multiple, dtype=object)[rng.permutation(block_len)]
            members = idx[start : start + block_len]
            table.loc[members, "group"] = block[: len(members)]
            table.loc[members, "block"] = block_no
    table["blinded_code"] = make_blinded_codes(len(table), rng=rng)
    balance = summarise_balance(table, groups=groups)
    warnings = []
    spread = balance["n"].max() - balance["n"].min()
    if spread > 1:
        warnings.append(
            f"Group sizes differ by {spread} because strata sizes are not multiples of the block "
            f"length {block_len}; consider fewer weight classes."
        )
    method = (
        f"Permuted-block randomisation (block length {block_len}) within strata of "
        f"{'sex x ' if by_sex and 'sex' in animals else ''}"
        f"{weight_classes} body-weight class(es); numpy default_rng seed {seed}."
    )
    return Allocation(
        allocation=table, balance=balance, seed=seed, method=method, warnings=warnings
    )


def summarise_balance(allocation: pd.DataFrame, *, groups: list[str]) -> pd.DataFrame:
    """Per-group size, sex counts and body weight (mean, SD) of an allocation."""
    rows = []
    for g in groups:
        sub = allocation[allocation["group"] == g]
        sex = sub["sex"].astype(str).str.lower() if "sex" in sub else pd.Series(dtype=str)
        weight = pd.to_numeric(sub.get("body_weight_g", pd.Series(dtype=float)), errors="coerce")
        rows.append(
            {
                "group": g,
                "n": len(sub),
                "n_male": int((sex == "male").sum()),
                "n_female": int((sex == "female").sum()),
                "body_weight_mean_g": float(weight.mean()) if weight.notna().any() else np.nan,
                "body_weight_sd_g": float(weight.std(ddof=1))
                if weight.notna().sum() > 1
                else np.nan,
            }
        )
    return pd.DataFrame(rows)

"""Cross-species dose conversion by body surface area, and per-animal dosing sheets.

Notes
-----
FDA (2005) body-surface-area scaling: a dose in mg/kg converts between species through their Km
factors (body weight / body surface area, kg/m²)::

    dose_to = dose_from * Km_from / Km_to

so the human equivalent dose (HED) of an animal dose is ``dose * Km_animal / 37``. The Km factors are
those of FDA (2005) Table 1 as bundled in the knowledge base (``species.yaml``). The gerbil has no
official Km: conversions involving it are refused unless the user supplies one.

References
----------
FDA/CDER (2005). Guidance for Industry: Estimating the Maximum Safe Starting Dose in Initial Clinical
Trials for Therapeutics in Adult Healthy Volunteers, Table 1.
Nair AB, Jacob S (2016). J Basic Clin Pharm 7(2):27-31. doi:10.4103/0976-0105.177703
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.knowledge.base import load_section

SOURCE = "FDA 2005 Table 1 (Km factors), via Nair & Jacob 2016"


def _key(name: str) -> str:
    return " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


_ALIASES = {
    "human adult": "human",
    "adult": "human",
    "man": "human",
    "mice": "mouse",
    "rats": "rat",
    "monkey": "monkey (rhesus)",
    "rhesus": "monkey (rhesus)",
    "monkey rhesus": "monkey (rhesus)",
    "rhesus monkey": "monkey (rhesus)",
    "minipig": "mini pig",
    "micropig": "micro pig",
    "mongolian gerbil": "gerbil",
}


def km_factors() -> dict[str, float]:
    """Official Km factors (kg/m²) by species name (lower case)."""
    table = load_section("species")["species"]
    return {_key(row["species"]): float(row["km"]) for row in table if row.get("km") is not None}


@dataclass(frozen=True)
class DoseConversion:
    """Result of :func:`convert_dose`."""

    dose_mg_kg: float
    factor: float
    method: str
    source: str
    km_from: float
    km_to: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _lookup_km(species: str, supplied: float | None, which: str) -> tuple[float, str]:
    if supplied is not None:
        if not np.isfinite(supplied) or supplied <= 0:
            raise InputError(f"Expected a positive Km, but got {supplied!r}", field=f"km_{which}")
        return float(supplied), "user-supplied Km"
    key = _ALIASES.get(_key(species), _key(species))
    factors = km_factors()
    if key in factors:
        return factors[key], SOURCE
    if key == "gerbil":
        raise InputError(
            "Expected a user-supplied Km for the gerbil (--km-"
            f"{which}): FDA 2005 lists no official gerbil Km and neuroprotect will not invent one",
            field=which,
        )
    raise InputError(
        f"Expected a species with an FDA Km ({', '.join(sorted(factors))}), but got {species!r}; "
        f"give --km-{which} to use your own",
        field=which,
    )


def convert_dose(
    dose_mg_kg: float,
    *,
    from_species: str,
    to_species: str,
    km_from: float | None = None,
    km_to: float | None = None,
) -> DoseConversion:
    """Convert a dose in mg/kg between species by body surface area.

    Parameters
    ----------
    dose_mg_kg
        Dose in the source species, mg/kg.
    from_species, to_species
        Species names as in FDA Table 1 (``rat``, ``mouse``, ``human``, ``dog``...).
    km_from, km_to
        Km factors to use instead of the official ones (required for species without one).

    Returns
    -------
    DoseConversion
        ``dose_mg_kg`` (converted), ``factor`` (Km_from / Km_to), ``method``, ``source``.

    Examples
    --------
    >>> convert_dose(6, from_species="rat", to_species="human").dose_mg_kg  # IMM-H004 6 mg/kg
    0.972972972972973
    """
    if not np.isfinite(dose_mg_kg) or dose_mg_kg < 0:
        raise InputError(f"Expected a dose >= 0 mg/kg, but got {dose_mg_kg!r}", field="dose")
    kf, src_from = _lookup_km(from_species, km_from, "from")
    kt, src_to = _lookup_km(to_species, km_to, "to")
    factor = kf / kt
    source = (
        src_from if src_from == src_to else f"{from_species}: {src_from}; {to_species}: {src_to}"
    )
    return DoseConversion(
        dose_mg_kg=dose_mg_kg * factor,
        factor=factor,
        method="body surface area (Km ratio): dose_to = dose_from * Km_from / Km_to",
        source=source,
        km_from=kf,
        km_to=kt,
    )


#: Rounding of the dosing sheet: volumes to 0.01 mL (what a 1 mL syringe can be read to), amounts
#: to 0.001 mg (1 µg), body-weight-based mL/kg to 0.01; half-way values round up.
VOLUME_DECIMALS = 2
DOSE_MG_DECIMALS = 3


def _round_half_up(value: float, decimals: int) -> float:
    """``value`` rounded to ``decimals`` places, halves up (0.125 -> 0.13), as read on a syringe."""
    if not np.isfinite(value):
        return value
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP))


def _vehicle_ml_per_kg(
    doses_mg_kg: dict[str, float | None],
    stock_mg_ml: dict[str, float | None],
    vehicle_ml_per_kg: float | None,
    vehicle_groups: list[str],
) -> float | None:
    """The vehicle injection volume (mL/kg): given, else the treated groups' common dose/stock."""
    if vehicle_ml_per_kg is not None:
        if not np.isfinite(vehicle_ml_per_kg) or vehicle_ml_per_kg <= 0:
            raise InputError(
                f"Expected a vehicle volume > 0 mL/kg, but got {vehicle_ml_per_kg!r}",
                field="vehicle_ml_per_kg",
            )
        return float(vehicle_ml_per_kg)
    if not vehicle_groups:
        return None
    treated = {
        g: float(d) / float(s)
        for g, d in doses_mg_kg.items()
        if d is not None and d > 0 and (s := stock_mg_ml.get(g)) is not None and s > 0
    }
    volumes = sorted({_round_half_up(v, VOLUME_DECIMALS) for v in treated.values()})
    if len(volumes) == 1:
        return volumes[0]
    got = (
        "no treated group with a stock"
        if not treated
        else "treated groups with different volumes ("
        + ", ".join(f"{g}: {v:.4g} mL/kg" for g, v in treated.items())
        + ")"
    )
    raise InputError(
        f"Expected one injection volume (mL/kg) to give the vehicle group(s) "
        f"{', '.join(vehicle_groups)}, but got {got}; set the vehicle volume "
        "(--vehicle-ml-per-kg)",
        field="vehicle_ml_per_kg",
    )


def make_dosing_sheet(
    animals: pd.DataFrame,
    *,
    doses_mg_kg: dict[str, float | None],
    stock_mg_ml: dict[str, float | None],
    routes: dict[str, str | None] | None = None,
    times: dict[str, str | None] | None = None,
    vehicle_ml_per_kg: float | None = None,
    file: str | Path | None = None,
) -> pd.DataFrame:
    """Per-animal injection volumes.

    volume_ml = dose (mg/kg) x body weight (kg) / stock concentration (mg/mL).

    Parameters
    ----------
    animals
        ``animal_id, group, body_weight_g`` (one row per animal; the group may be a blinded code
        only if the dictionaries are keyed by that code).
    doses_mg_kg, stock_mg_ml
        Per group. A vehicle group (dose 0 mg/kg) gets the vehicle volume, ``vehicle_ml_per_kg`` x
        body weight; a group without a dose (``None``, e.g. sham surgery) is not dosed (no volume)
        unless ``vehicle_ml_per_kg`` is given, in which case it gets the vehicle volume too.
    file
        The animals table, named in errors (its ``source_row`` column gives the rows).
    vehicle_ml_per_kg
        Vehicle injection volume, mL/kg. Default: the treated groups' volume (dose / stock), when
        they all share one (the usual design: every group receives the same mL/kg).

    Returns
    -------
    pandas.DataFrame
        ``animal_id, group, body_weight_g, dose_mg_kg, stock_mg_ml, dose_mg, volume_ml_per_kg,
        volume_ml, route, time``. ``volume_ml`` is rounded to 0.01 mL and ``dose_mg`` to 0.001 mg
        (halves up); ``volume_ml`` is computed from the unrounded amount.

    Raises
    ------
    InputError
        A missing or <= 0 body weight of a dosed animal, a dosed group without a stock, or a vehicle group whose volume cannot
        be taken from the treated groups (they differ) and is not given.
    """
    routes = routes or {}
    times = times or {}
    present = list(dict.fromkeys(str(g) for g in animals["group"])) if len(animals) else []
    vehicle_groups = [g for g in present if doses_mg_kg.get(g) == 0]
    vehicle = _vehicle_ml_per_kg(doses_mg_kg, stock_mg_ml, vehicle_ml_per_kg, vehicle_groups)
    rows = []
    for i, a in enumerate(animals.itertuples(index=False)):
        group = str(a.group)
        dose = doses_mg_kg.get(group)
        stock = stock_mg_ml.get(group)
        if dose is not None and dose > 0 and (stock is None or stock <= 0):
            raise InputError(
                f"Expected a stock concentration > 0 mg/mL for the dosed group {group!r} "
                f"(--stock {group}=MG_PER_ML), but got {'none' if stock is None else stock}",
                field="stock_mg_ml",
            )
        if dose is not None and dose > 0:
            ml_per_kg = dose / stock  # type: ignore[operator]
        else:  # vehicle (dose 0), or undosed unless a vehicle volume was given
            undosed = dose is None and vehicle_ml_per_kg is None
            ml_per_kg = np.nan if undosed or vehicle is None else vehicle
        weight = float(getattr(a, "body_weight_g", np.nan))
        dosed = dose is not None or np.isfinite(ml_per_kg)
        if dosed and (not np.isfinite(weight) or weight <= 0):
            got = "it is missing" if np.isnan(weight) else f"got {weight:g}"
            raise InputError(
                f"Expected a body weight > 0 g for animal {a.animal_id} (group {group!r} is "
                f"dosed), but {got}",
                file=file,
                row=int(getattr(a, "source_row", i + 2)),
                field="body_weight_g",
            )
        dose_mg = np.nan if dose is None else dose * weight / 1000.0
        rows.append(
            {
                "animal_id": a.animal_id,
                "group": group,
                "body_weight_g": weight,
                "dose_mg_kg": np.nan if dose is None else dose,
                "stock_mg_ml": np.nan if stock is None else stock,
                "dose_mg": _round_half_up(dose_mg, DOSE_MG_DECIMALS),
                "volume_ml_per_kg": _round_half_up(ml_per_kg, VOLUME_DECIMALS),
                "volume_ml": _round_half_up(ml_per_kg * weight / 1000.0, VOLUME_DECIMALS),
                "route": routes.get(group),
                "time": times.get(group),
            }
        )
    return pd.DataFrame(rows)

"""Seeded synthetic IMM-H004 MCAO/R study with known per-animal answers (the bundled demo).

Design after seed 002 (IMM-H004 in rat focal cerebral ischemia: 1 h intraluminal-filament MCAO,
24 h reperfusion; IMM-H004 1.5, 3 and 6 mg/kg or edaravone 6 mg/kg given 5 min after occlusion
onset): six groups (sham, vehicle, three IMM-H004 doses, edaravone), ``n_per_group`` male rats each,
with a Longa score, TTC slice areas, ipsilateral brain water and Evans Blue for every animal.

The data are simulated. The effect sizes are plausible, not published values (the seed gives
directions only): vehicle edema-corrected infarct about 250 mm³ (37 % of the contralateral
hemisphere), 15/30/45 % smaller with 1.5/3/6 mg/kg IMM-H004 and 35 % smaller with edaravone.
In a real study TTC, brain water and Evans Blue need separate cohorts; here every animal has all
of them so one small table shows every readout.

``ground_truth.csv`` holds the value each readout must compute for each animal, worked out in this
module from the written (rounded) files with its own arithmetic, so tests can check the readouts
exactly. Regenerate the committed copy with ``python -m neuroprotect.datasets.demo_mcao
examples/imm-h004-mcao``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_SEED",
    "DEMO_GROUPS",
    "DemoGroup",
    "DemoStudy",
    "make_demo_study",
    "simulate_demo_study",
]

DEFAULT_SEED = 20251201
SLICE_THICKNESS_MM = 2.0
EXTRACTION_VOLUME_ML = 2.5
#: Contralateral hemisphere area (mm²) of the six 2-mm coronal slices, rostral to caudal.
CONTRA_PROFILE_MM2 = np.array([44.0, 58.0, 66.0, 68.0, 61.0, 47.0])
#: Relative share of each slice in the MCA-territory infarct (striatum and cortex, mid-brain).
INFARCT_PROFILE = np.array([0.10, 0.35, 0.55, 0.55, 0.40, 0.15])
#: Evans Blue standard curve in formamide at 620 nm (absorbance per µg/mL, blank).
EB_SLOPE, EB_BLANK = 0.0455, 0.041
EB_STANDARDS_UG_ML = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)
#: Vehicle edema-corrected infarct, fraction of the contralateral hemisphere.
VEHICLE_INFARCT = 0.37


@dataclass(frozen=True)
class DemoGroup:
    """A simulated group and its true means."""

    id: str
    label: str
    role: str
    compound: str | None
    dose_mg_kg: float | None
    #: Mean edema-corrected infarct as a fraction of the contralateral hemisphere.
    infarct_fraction: float
    #: Mean swelling of the ipsilateral hemisphere (fraction).
    edema: float
    evans_blue_ug_per_g: float


DEMO_GROUPS: tuple[DemoGroup, ...] = (
    DemoGroup("sham", "Sham", "sham", None, None, 0.0, 0.0, 2.0),
    DemoGroup("vehicle", "Vehicle (saline)", "vehicle", None, 0.0, VEHICLE_INFARCT, 0.070, 11.0),
    DemoGroup(
        "h004_1_5",
        "IMM-H004 1.5 mg/kg",
        "treatment",
        "imm_h004",
        1.5,
        VEHICLE_INFARCT * 0.85,
        0.062,
        9.6,
    ),
    DemoGroup(
        "h004_3",
        "IMM-H004 3 mg/kg",
        "treatment",
        "imm_h004",
        3.0,
        VEHICLE_INFARCT * 0.70,
        0.051,
        7.9,
    ),
    DemoGroup(
        "h004_6",
        "IMM-H004 6 mg/kg",
        "treatment",
        "imm_h004",
        6.0,
        VEHICLE_INFARCT * 0.55,
        0.038,
        5.9,
    ),
    DemoGroup(
        "edaravone_6",
        "Edaravone 6 mg/kg",
        "positive_control",
        "edaravone",
        6.0,
        VEHICLE_INFARCT * 0.65,
        0.045,
        6.7,
    ),
)


@dataclass
class DemoStudy:
    """All tables of the demo study (written by :func:`make_demo_study`)."""

    animals: pd.DataFrame
    neuro_scores: pd.DataFrame
    ttc_slices: pd.DataFrame
    brain_water: pd.DataFrame
    evans_blue_standards: pd.DataFrame
    evans_blue_samples: pd.DataFrame
    #: ``animal_id, group, excluded, variable, value``: what each readout must compute.
    ground_truth: pd.DataFrame
    manifest: str
    readme: str


def _lognormal(mean: float, cv: float, z: float) -> float:
    """A positive value with the given mean and coefficient of variation for a standard normal z."""
    sigma = np.sqrt(np.log1p(cv**2))
    return float(mean * np.exp(sigma * z - sigma**2 / 2))


def _centred_normals(rng: np.random.Generator, groups: np.ndarray, k: int) -> np.ndarray:
    """``k`` standard normal deviates per animal, centred within each group.

    Centring keeps every group's mean on its design value whatever the seed, so the demo always
    shows the intended effects; animals still vary randomly around it.
    """
    z = rng.standard_normal((len(groups), k))
    for g in np.unique(groups):
        rows = groups == g
        z[rows] -= z[rows].mean(axis=0)
    return z


def simulate_demo_study(*, seed: int = DEFAULT_SEED, n_per_group: int = 10) -> DemoStudy:
    """Simulate the demo study's tables and their ground truth.

    Parameters
    ----------
    seed
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same files.
    n_per_group
        Rats per group (at least 3).

    Returns
    -------
    DemoStudy
    """
    if n_per_group < 3:
        raise ValueError(f"Expected n_per_group >= 3, but got {n_per_group}")
    rng = np.random.default_rng(seed)
    n = n_per_group * len(DEMO_GROUPS)
    width = max(2, len(str(n)))
    ids = [f"R{i + 1:0{width}d}" for i in range(n)]
    groups = np.repeat([g.id for g in DEMO_GROUPS], n_per_group)
    rng.shuffle(groups)  # randomised allocation
    by_id = {g.id: g for g in DEMO_GROUPS}
    weights = np.clip(rng.normal(275, 12, n), 250, 300)
    # Exclusions: one vehicle rat died before the 24 h assessment (no data); one rat of the
    # middle IMM-H004 dose had a subarachnoid haemorrhage seen at brain removal (data, excluded).
    died = ids[int(np.flatnonzero(groups == "vehicle")[0])]
    sah = ids[int(np.flatnonzero(groups == "h004_3")[1])]
    reasons = {
        died: "died before assessment (found dead 20 h after reperfusion)",
        sah: "subarachnoid haemorrhage at brain removal",
    }
    animals = pd.DataFrame(
        {
            "animal_id": ids,
            "group": groups,
            "body_weight_g": [f"{w:.1f}" for w in weights],
            "sex": "male",
            "excluded": ["true" if a in reasons else "false" for a in ids],
            "exclusion_reason": [reasons.get(a, "") for a in ids],
        }
    )

    scores, slices, water, samples, truth = [], [], [], [], []
    eb_curve_points = _eb_standards(rng)
    c_std = eb_curve_points["concentration_ug_ml"].to_numpy(dtype=float)
    a_std = eb_curve_points["absorbance"].astype(float).to_numpy()
    # The readout's least-squares line, by the closed form (independent of the package code).
    sxx = np.sum((c_std - c_std.mean()) ** 2)
    slope = np.sum((c_std - c_std.mean()) * (a_std - a_std.mean())) / sxx
    intercept = a_std.mean() - slope * c_std.mean()

    # Per-animal deviates: infarct size, edema, brain water, Evans Blue, neurological score.
    z_all = _centred_normals(rng, groups, 5)
    for animal, gid, z in zip(ids, groups, z_all, strict=True):
        g = by_id[gid]
        if animal == died:
            continue
        contra = CONTRA_PROFILE_MM2 * rng.normal(1.0, 0.04) * rng.normal(1.0, 0.02, 6)
        if g.role == "sham":
            swelling = -np.abs(rng.normal(0.0, 0.006, 6))  # mild shrinkage, no infarct
            lesion = np.zeros(6)
        else:
            fraction = min(_lognormal(g.infarct_fraction, 0.22, z[0]), 0.6)
            share = INFARCT_PROFILE * np.exp(rng.normal(0.0, 0.10, 6))
            lesion = share * contra * fraction * contra.sum() / np.sum(share * contra)
            swelling = np.full(6, max(g.edema + 0.012 * z[1], 0.0)) + rng.normal(0, 0.004, 6)
        ipsi = contra * (1.0 + swelling)
        infarct = np.clip(lesion + ipsi - contra, 0.0, None)  # Swanson: lesion = C - (I - inf)
        c_txt = [f"{x:.2f}" for x in contra]
        i_txt = [f"{x:.2f}" for x in ipsi]
        f_txt = [f"{min(x, y):.2f}" for x, y in zip(infarct, np.round(ipsi, 2), strict=True)]
        for k in range(6):
            slices.append((animal, k + 1, i_txt[k], c_txt[k], f_txt[k]))
        C_, I_, F_ = (np.array(t, dtype=float) for t in (c_txt, i_txt, f_txt))
        v_c, v_i, v_f = (SLICE_THICKNESS_MM * float(sum(x)) for x in (C_, I_, F_))
        v_corr = SLICE_THICKNESS_MM * float(sum(C_ - (I_ - F_)))
        pct = v_corr / v_c * 100.0

        # Longa score: sham 0; ischemic rats 1-4, worse with larger infarcts.
        latent = 0.4 + pct / 12.0 + 0.5 * z[4]
        score = 0 if g.role == "sham" else int(np.clip(np.rint(latent), 1, 4))
        scores.append((animal, "24 h", score))

        # Ipsilateral hemisphere water content rises with swelling.
        pct_water = 78.6 + 40.0 * float(np.mean(swelling)) + 0.35 * z[2]
        wet = f"{rng.normal(830.0, 30.0) * (1 + float(np.mean(swelling))):.1f}"
        dry = f"{float(wet) * (1 - pct_water / 100.0):.1f}"
        water.append((animal, wet, dry))

        eb_true = _lognormal(g.evans_blue_ug_per_g, 0.22, z[3])
        tissue = f"{rng.normal(800.0, 40.0):.1f}"
        conc = eb_true * float(tissue) / 1000.0 / EXTRACTION_VOLUME_ML
        absorb = f"{EB_BLANK + EB_SLOPE * conc + rng.normal(0.0, 0.003):.4f}"
        samples.append((animal, absorb, tissue))
        eb = (float(absorb) - intercept) / slope * EXTRACTION_VOLUME_ML / (float(tissue) / 1000.0)

        w_pct = (float(wet) - float(dry)) / float(wet) * 100.0
        values = {
            "neuro_score": float(score),
            "infarct_volume_mm3": v_f,
            "corrected_infarct_volume_mm3": v_corr,
            "edema_pct": (v_i - v_c) / v_c * 100.0,
            "hemispheric_infarct_pct": pct,
            "brain_water_pct": w_pct,
            "evans_blue_ug_per_g": eb,
        }
        for variable, value in values.items():
            truth.append((animal, gid, animal in reasons, variable, f"{value:.12g}"))

    return DemoStudy(
        animals=animals,
        neuro_scores=pd.DataFrame(scores, columns=["animal_id", "timepoint", "score"]),
        ttc_slices=pd.DataFrame(
            slices,
            columns=[
                "animal_id",
                "slice",
                "ipsilateral_area_mm2",
                "contralateral_area_mm2",
                "infarct_area_mm2",
            ],
        ),
        brain_water=pd.DataFrame(water, columns=["animal_id", "wet_weight_mg", "dry_weight_mg"]),
        evans_blue_standards=eb_curve_points,
        evans_blue_samples=pd.DataFrame(
            samples, columns=["animal_id", "absorbance", "tissue_weight_mg"]
        ),
        ground_truth=pd.DataFrame(
            truth, columns=["animal_id", "group", "excluded", "variable", "value"]
        ),
        manifest=_manifest(seed, n_per_group),
        readme=_readme(seed, n_per_group, reasons),
    )


def _eb_standards(rng: np.random.Generator) -> pd.DataFrame:
    """Duplicate standards on the true line with plate-reader noise."""
    rows = []
    for c in EB_STANDARDS_UG_ML:
        for _ in range(2):
            rows.append((f"{c:g}", f"{EB_BLANK + EB_SLOPE * c + rng.normal(0.0, 0.003):.4f}"))
    return pd.DataFrame(rows, columns=["concentration_ug_ml", "absorbance"])


def _manifest(seed: int, n: int) -> str:
    lines = [
        f"# Simulated demo study (neuroprotect.datasets.demo_mcao, seed {seed}); regenerate with",
        "#   python -m neuroprotect.datasets.demo_mcao examples/imm-h004-mcao",
        "study_id: imm-h004-mcao-demo",
        "title: IMM-H004 in rat transient focal cerebral ischemia (MCAO/R) - SIMULATED demo data",
        "description: >-",
        "  Simulated data, not a real experiment. Design after seed 002 (IMM-H004 protects the",
        "  blood-brain barrier in rat MCAO/R): 1 h intraluminal-filament MCAO, 24 h reperfusion;",
        "  IMM-H004 1.5, 3 or 6 mg/kg or edaravone 6 mg/kg i.v. 5 min after occlusion onset.",
        "  Effect sizes are plausible inventions (the source gives directions only). For",
        "  simplicity every rat has every readout; a real study needs separate cohorts for TTC,",
        "  brain water and Evans Blue.",
        "simulated: true",
        "compound: imm_h004",
        "model: mcao_reperfusion",
        "species: rat",
        "strain: Sprague-Dawley",
        "sex: male",
        "groups:",
    ]
    for g in DEMO_GROUPS:
        lines.append(f"  - id: {g.id}")
        lines.append(f"    label: {g.label}")
        lines.append(f"    role: {g.role}")
        if g.compound:
            lines.append(f"    compound: {g.compound}")
        if g.dose_mg_kg is not None:
            lines.append(f"    dose_mg_kg: {g.dose_mg_kg:g}")
        if g.role != "sham":
            lines.append("    route: iv")
            lines.append("    timing: 5 min after occlusion onset")
            lines.append("    timing_min: 5")
        else:
            lines.append("    timing: sham surgery, filament not advanced")
        lines.append(f"    planned_n: {n}")
    lines += [
        "animals: animals.csv",
        "readouts:",
        "  - id: neuro",
        "    title: Neurological deficit (Longa) at 24 h",
        "    type: neuro_score",
        "    files: [neuro_scores.csv]",
        "    params: {scale: longa}",
        "  - id: ttc",
        "    title: TTC infarct at 24 h",
        "    type: ttc_table",
        "    files: [ttc_slices.csv]",
        f"    params: {{slice_thickness_mm: {SLICE_THICKNESS_MM:g}, method: sum}}",
        "  - id: water",
        "    title: Brain water content (ipsilateral hemisphere)",
        "    type: brain_water",
        "    files: [brain_water.csv]",
        "  - id: evans_blue",
        "    title: Evans Blue extravasation (ipsilateral hemisphere)",
        "    type: evans_blue",
        "    files: [evans_blue_samples.csv]",
        "    params:",
        "      standards: evans_blue_standards.csv",
        f"      extraction_volume_ml: {EXTRACTION_VOLUME_ML:g}",
        "design:  # simulated like the data: what a well-designed study would state",
        "  experimental_unit: animal",
        "  primary_outcome: ttc.infarct_volume_mm3",
        "  hypothesis: IMM-H004 reduces infarct volume and blood-brain barrier leakage after MCAO/R",
        "  randomisation:",
        "    method: permuted blocks within body-weight strata (neuroprotect design randomize)",
        f"    seed: {seed}",
        "    before_procedure: true",
        "  blinding: {allocation_concealed: true, outcome_assessment_blinded: true}",
        "  sample_size:",
        "    method: two-sample t-test (R pwr), d = 1.4, alpha 0.05, power 0.8 -> 10 per group",
        "    effect_size: 1.4",
        "    alpha: 0.05",
        "    power: 0.8",
        "  exclusion_criteria: [died before assessment, subarachnoid haemorrhage]",
        "  age: 8-10 weeks",
        "  occlusion_confirmation: laser-Doppler flow drop > 70 % (simulated)",
    ]
    return "\n".join(lines) + "\n"


def _readme(seed: int, n: int, reasons: dict[str, str]) -> str:
    excluded = "\n".join(f"- {a}: {r}" for a, r in sorted(reasons.items()))
    return f"""# IMM-H004 MCAO/R demo study (SIMULATED)

Synthetic data written by `neuroprotect.datasets.demo_mcao.make_demo_study` (seed {seed},
{n} male Sprague-Dawley rats per group). Not a real experiment: the design follows seed 002
(IMM-H004 1.5/3/6 mg/kg or edaravone 6 mg/kg i.v. 5 min after onset of a 1 h filament MCAO,
24 h reperfusion); the effect sizes are plausible inventions.

| file | content |
|---|---|
| study.yaml | manifest: groups, animals table, readouts and their parameters |
| animals.csv | animal, group, body weight, sex, exclusion and reason |
| neuro_scores.csv | Longa score (0-4) at 24 h |
| ttc_slices.csv | six 2-mm TTC slices per rat: ipsilateral, contralateral and infarct area (mm²) |
| brain_water.csv | wet and dry weight of the ipsilateral hemisphere (mg) |
| evans_blue_standards.csv | Evans Blue standards (µg/mL) and absorbance at 620 nm, in duplicate |
| evans_blue_samples.csv | absorbance, tissue weight (mg); {EXTRACTION_VOLUME_ML:g} mL formamide |
| ground_truth.csv | the value each readout must compute for each rat (for tests) |

Excluded animals:
{excluded}

Run it: `neuroprotect run examples/imm-h004-mcao/study.yaml --out demo-output`.
"""


def make_demo_study(
    out_dir: str | Path, *, seed: int = DEFAULT_SEED, n_per_group: int = 10
) -> Path:
    """Write the simulated IMM-H004 MCAO/R study to ``out_dir`` and return its manifest path.

    Parameters
    ----------
    out_dir
        Folder to write into (created if needed; existing demo files are overwritten).
    seed
        Random seed; the default reproduces ``examples/imm-h004-mcao`` byte for byte.
    n_per_group
        Rats per group.

    Returns
    -------
    pathlib.Path
        The ``study.yaml`` written. Next to it: ``animals.csv``, ``neuro_scores.csv``,
        ``ttc_slices.csv``, ``brain_water.csv``, ``evans_blue_standards.csv``,
        ``evans_blue_samples.csv``, ``ground_truth.csv`` and ``README.md``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    demo = simulate_demo_study(seed=seed, n_per_group=n_per_group)
    tables = {
        "animals.csv": demo.animals,
        "neuro_scores.csv": demo.neuro_scores,
        "ttc_slices.csv": demo.ttc_slices,
        "brain_water.csv": demo.brain_water,
        "evans_blue_standards.csv": demo.evans_blue_standards,
        "evans_blue_samples.csv": demo.evans_blue_samples,
        "ground_truth.csv": demo.ground_truth,
    }
    for name, table in tables.items():
        table.to_csv(out / name, index=False, lineterminator="\n")
    (out / "README.md").write_text(demo.readme, encoding="utf-8", newline="\n")
    manifest = out / "study.yaml"
    manifest.write_text(demo.manifest, encoding="utf-8", newline="\n")
    return manifest


if __name__ == "__main__":  # pragma: no cover
    target = sys.argv[1] if len(sys.argv) > 1 else "examples/imm-h004-mcao"
    print(make_demo_study(target))

"""Seeded, simulated demo studies of the seed models (``neuroprotect demo --model ID``).

Each demo starts from the draft that ``neuroprotect design new`` writes for the model's seed
compound (:func:`neuroprotect.design.scaffold.draft_study`: groups, doses, positive control,
readouts), sets ``planned_n`` and the parameters the draft leaves to the lab, marks the study
``simulated: true``, allocates animals (or cultures) at random and writes every readout's raw
files: tracks, images, plate exports, blot bands (:mod:`~neuroprotect.datasets.demo_behavior_files`,
:mod:`~neuroprotect.datasets.demo_tissue_files`).

Effects follow the seeds' directions. Each group has a *protection* level: 0 for the untreated
insult (vehicle), 1 for sham; the compound's doses protect more the higher the dose where the
seed calls the effect dose-dependent (IMM-H004 in 4VO: "dose-dependent improvement"; the other
seeds give a dose range with a protective direction, simulated as rising with the dose), and the
positive control the seed names (edaravone 6 mg/kg in 4VO) protects about as much as the middle
dose. The sizes of the effects are inventions, not published values. MCAO/R keeps its own
demo with exact ground truth (:mod:`neuroprotect.datasets.demo_mcao`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from neuroprotect.datasets import demo_behavior_files as behavior
from neuroprotect.datasets import demo_invitro_files as invitro
from neuroprotect.datasets import demo_tissue_files as tissue
from neuroprotect.datasets.demo_behavior_files import DemoUnit
from neuroprotect.design.scaffold import draft_study
from neuroprotect.errors import InputError
from neuroprotect.knowledge.base import resolve_protocol

__all__ = ["DEMO_MODELS", "DemoModel", "demo_model", "make_model_demo"]

DEFAULT_SEED = 20251201
Writer = Callable[[Path, dict[str, Any], list[DemoUnit], np.random.Generator], None]

#: Readout type -> writer of its raw files.
WRITERS: dict[str, Writer] = {
    "open_field": behavior.write_open_field,
    "passive_avoidance": behavior.write_passive_avoidance,
    "water_maze": behavior.write_water_maze,
    "y_maze": behavior.write_y_maze,
    "nissl_images": tissue.write_nissl,
    "tunel_images": tissue.write_tunel,
    "nos_activity": tissue.write_nos_nox,
    "western_blot": tissue.write_western,
    "elisa": tissue.write_elisa,
}


@dataclass(frozen=True)
class DemoModel:
    """A seed model's demo: the protocol, the seed compound, and what the demo simulates."""

    protocol: str
    compound: str
    title: str
    simulates: str
    #: Protection of the compound's doses, lowest dose first.
    dose_protection: tuple[float, ...] = ()
    positive_control_protection: float = 0.5
    #: Group labels the model's wording needs (group id -> label).
    labels: tuple[tuple[str, str], ...] = ()
    default_n: int = 6
    #: What a well-designed study would state: primary outcome (readout.variable), hypothesis.
    primary_outcome: str = ""
    hypothesis: str = ""
    exclusion_criteria: tuple[str, ...] = ("died before the outcome assessment",)


DEMO_MODELS: dict[str, DemoModel] = {
    m.protocol: m
    for m in (
        DemoModel(
            "bccao_gerbil",
            "igmesine",
            "Igmesine in gerbil global ischemia (BCCAO)",
            "5-min BCCAO in male Mongolian gerbils, igmesine 50/75/100 mg/kg p.o.: CA1 Nissl "
            "images (neuron loss), open-field tracks (post-ischemic hyperactivity), hippocampal "
            "NOx by Griess (NOS activity rises after ischemia)",
            dose_protection=(0.35, 0.55, 0.75),
            primary_outcome="nissl.neuron_density_per_mm2",
            hypothesis="Igmesine protects CA1 pyramidal neurons after transient global ischemia",
            exclusion_criteria=("died before the outcome assessment", "incomplete occlusion"),
        ),
        DemoModel(
            "scopolamine_amnesia",
            "igmesine",
            "Igmesine in scopolamine-induced amnesia (rat)",
            "scopolamine 1 mg/kg i.p. in male rats, igmesine 0.25 or 16 mg/kg i.p. before it: "
            "passive avoidance latencies, water maze tracks (3 days + probe), Y-maze tracks",
            dose_protection=(0.3, 0.75),
            labels=(
                ("sham", "Saline (no scopolamine)"),
                ("vehicle", "Scopolamine + vehicle"),
                ("igmesine_0_25", "Scopolamine + igmesine 0.25 mg/kg"),
                ("igmesine_16", "Scopolamine + igmesine 16 mg/kg"),
            ),
            primary_outcome="pa.retention_latency_s",
            hypothesis="Igmesine reverses scopolamine-induced memory impairment",
            exclusion_criteria=("no step-through in the training trial",),
        ),
        DemoModel(
            "4vo_rat",
            "imm_h004",
            "IMM-H004 in rat global ischemia (4VO)",
            "20-min four-vessel occlusion in male rats, IMM-H004 3/6/9 mg/kg or edaravone 6 mg/kg "
            "30 min after reperfusion: water maze tracks, CA1 Nissl and TUNEL images, Western "
            "blot (Bax, Bcl-2, cleaved caspase-3, PSD-95, synapsin 1)",
            dose_protection=(0.3, 0.5, 0.7),
            positive_control_protection=0.5,
            primary_outcome="mwm.escape_latency_last_day_s",
            hypothesis="IMM-H004 improves spatial memory and CA1 survival after global ischemia",
            exclusion_criteria=("died before the outcome assessment", "seizures after 4VO"),
        ),
        DemoModel(
            "pmcao",
            "imm_h004",
            "IMM-H004 in rat permanent focal ischemia (pMCAO)",
            "permanent MCAO in male rats, IMM-H004 5/10/20 mg/kg 6 h after onset, outcomes at "
            "9 h: Longa score, TTC slices, IL-1β and TNF-α ELISA plates",
            dose_protection=(0.3, 0.5, 0.7),
            primary_outcome="ttc.infarct_volume_mm3",
            hypothesis="IMM-H004 given 6 h after permanent MCAO reduces infarct and inflammation",
        ),
        DemoModel(
            "ogd_r_pc12",
            "imm_h004",
            "IMM-H004 in PC12 cells after oxygen-glucose deprivation/reoxygenation (OGD/R)",
            "6 h OGD then 24 h reoxygenation of PC12 cultures, IMM-H004 (one concentration: the "
            "sources give none) in independent experiments read in technical triplicate: MTT "
            "viability, LDH release, DCF ROS, JC-1 red/green, ATP luminescence and caspase-3 "
            "(pNA) plates, Western blot (cytochrome c, Bax, Bcl-2)",
            dose_protection=(0.6,),
            labels=(("imm_h004", "OGD/R + IMM-H004"),),
            default_n=4,
            primary_outcome="viability.viability_pct",
            hypothesis="IMM-H004 protects PC12 cells against OGD/R injury",
            exclusion_criteria=("experiment with normoxic viability below 80 % of the plate mean",),
        ),
    )
}


def demo_model(model: str) -> DemoModel:
    """The demo of a protocol id or alias (``mcao_reperfusion`` and ``mcao_r_filament`` are
    the MCAO/R demo, which :func:`make_model_demo` does not write).

    Raises
    ------
    InputError
        When the model is no seed model with a demo.
    """
    pid = resolve_protocol(model)
    if pid not in DEMO_MODELS:
        known = ", ".join(["mcao_r_filament", *DEMO_MODELS])
        raise InputError(
            f"Expected one of the demo models {known}, but got {model!r}", field="model"
        )
    return DEMO_MODELS[pid]


def _protections(spec: DemoModel, groups: list[dict[str, Any]]) -> dict[str, float]:
    doses = sorted(
        (g for g in groups if g["role"] == "treatment"), key=lambda g: g.get("dose_mg_kg") or 0
    )
    if len(doses) > len(spec.dose_protection):
        raise ValueError(
            f"{spec.protocol}: {len(doses)} doses but {len(spec.dose_protection)} levels"
        )
    out = {g["id"]: p for g, p in zip(doses, spec.dose_protection, strict=False)}
    for g in groups:
        out.setdefault(
            g["id"],
            {"sham": 1.0, "vehicle": 0.0}.get(g["role"], spec.positive_control_protection),
        )
    return out


def _units(
    groups: list[dict[str, Any]], protection: dict[str, float], n: int, rng: np.random.Generator
) -> tuple[list[DemoUnit], pd.DataFrame]:
    """Randomised allocation of ``n`` male animals per group, each with its own protection
    (group level + between-animal spread; sham animals have no insult)."""
    ids = [g["id"] for g in groups]
    allocation = np.repeat(ids, n)
    rng.shuffle(allocation)
    width = max(2, len(str(len(allocation))))
    units, rows = [], []
    for i, gid in enumerate(allocation):
        uid = f"A{i + 1:0{width}d}"
        level = protection[str(gid)]
        spread = 0.0 if level >= 1.0 else float(rng.normal(0.0, 0.12))
        units.append(DemoUnit(uid, str(gid), float(np.clip(level + spread, -0.2, 1.0))))
        rows.append((uid, gid, "male", "", "false", ""))
    animals = pd.DataFrame(
        rows, columns=["animal_id", "group", "sex", "body_weight_g", "excluded", "exclusion_reason"]
    )
    return units, animals


def _cultures(
    groups: list[dict[str, Any]], protection: dict[str, float], n: int, rng: np.random.Generator
) -> tuple[list[DemoUnit], pd.DataFrame]:
    """One culture per group in each of ``n`` independent experiments (``E1-vehicle``...);
    the experiment's own response varies a little around the group level."""
    units, rows = [], []
    for e in range(1, n + 1):
        for g in groups:
            level = protection[g["id"]]
            spread = 0.0 if level >= 1.0 else float(rng.normal(0.0, 0.08))
            uid = f"E{e}-{g['id']}"
            units.append(DemoUnit(uid, g["id"], float(np.clip(level + spread, -0.2, 1.0))))
            rows.append((uid, g["id"], f"E{e}"))
    return units, pd.DataFrame(rows, columns=["animal_id", "group", "experiment"])


def _body_weights(animals: pd.DataFrame, species: str, rng: np.random.Generator) -> None:
    """Realistic body weights: gerbils 60-80 g, rats 250-300 g."""
    mean, sd = (70.0, 4.0) if "gerbil" in species.lower() else (275.0, 12.0)
    animals["body_weight_g"] = [f"{w:.1f}" for w in rng.normal(mean, sd, len(animals))]


def make_model_demo(
    model: str, out_dir: str | Path, *, seed: int = DEFAULT_SEED, n_per_group: int | None = None
) -> Path:
    """Write the simulated demo study of a seed model to ``out_dir``; return its manifest.

    Parameters
    ----------
    model
        Protocol id or alias of a model in :data:`DEMO_MODELS`.
    out_dir
        Folder to write into (created; existing demo files are overwritten).
    seed
        Seed of :func:`numpy.random.default_rng`: the same seed writes the same files.
    n_per_group
        Animals per group (at least 3; default: the model's ``default_n``).

    Returns
    -------
    pathlib.Path
        The ``study.yaml`` written, next to ``animals.csv``, the readouts' raw files and a
        README.md saying what is simulated.
    """
    spec = demo_model(model)
    n = spec.default_n if n_per_group is None else n_per_group
    if n < 3:
        raise InputError(f"Expected at least 3 animals per group, but got {n}", field="n")
    rng = np.random.default_rng(seed)
    study = draft_study(spec.compound, spec.protocol)
    labels = dict(spec.labels)
    for g in study["groups"]:
        g["planned_n"] = n
        g["label"] = labels.get(g["id"], g["label"])
    in_vitro = study.get("setting") == "in_vitro"
    levels = _protections(spec, study["groups"])
    if in_vitro:
        units, animals = _cultures(study["groups"], levels, n, rng)
        offsets = invitro.experiment_offsets(units, rng)
    else:
        units, animals = _units(study["groups"], levels, n, rng)
        _body_weights(animals, str(study.get("species", "")), rng)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    animals.to_csv(out / study["animals"], index=False, lineterminator="\n")
    by_type = {r["type"]: r for r in study["readouts"]}
    if "neuro_score" in by_type or "ttc_table" in by_type:
        tissue.write_neuro_ttc(out, by_type, units, rng)
    for entry in study["readouts"]:
        writer = WRITERS.get(entry["type"])
        if in_vitro and entry["type"] in invitro.INVITRO_WRITERS:
            invitro.INVITRO_WRITERS[entry["type"]](out, entry, units, rng, offsets)
        elif writer is not None:
            writer(out, entry, units, rng)
        elif entry["type"] not in ("neuro_score", "ttc_table"):
            raise ValueError(f"no demo writer for readout type {entry['type']!r}")
    _finish_manifest(study, spec, seed, n, in_vitro=in_vitro)
    header = (
        f"# SIMULATED demo study (neuroprotect demo --model {spec.protocol} --seed {seed}).\n"
        "# Drafted by `neuroprotect design new`, then filled with seeded synthetic data.\n"
    )
    manifest = out / "study.yaml"
    manifest.write_text(
        header + yaml.safe_dump(study, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
        newline="\n",
    )
    (out / "README.md").write_text(_readme(spec, study, seed, n), encoding="utf-8", newline="\n")
    return manifest


def _finish_manifest(
    study: dict[str, Any], spec: DemoModel, seed: int, n: int, *, in_vitro: bool
) -> None:
    study["study_id"] = f"{study['study_id']}-demo"
    study["title"] = f"{spec.title} - SIMULATED demo data"
    found = re.search(r"efficacy records: (.*?)\. Check", str(study["description"]))
    study["description"] = (
        f"Simulated data, not a real experiment: {spec.simulates}. Design drafted from the "
        f"knowledge base (efficacy records {found.group(1) if found else 'none'}); the effect "
        "sizes are plausible inventions (the seeds give directions only)."
    )
    study["simulated"] = True
    units = "independent experiments" if in_vitro else "animals"
    study["design"].update(
        {
            "randomisation": {
                "method": "group positions on each plate randomised (simulated)"
                if in_vitro
                else "simple randomisation of animals to groups (simulated)",
                "seed": seed,
                "before_procedure": True,
            },
            "blinding": {"allocation_concealed": True, "outcome_assessment_blinded": True},
            "primary_outcome": spec.primary_outcome,
            "hypothesis": spec.hypothesis,
            "exclusion_criteria": list(spec.exclusion_criteria),
            "sample_size": {
                "method": f"{n} {units} per group, chosen for a fast demo (not a power calculation)"
            },
        }
    )


def _readme(spec: DemoModel, study: dict[str, Any], seed: int, n: int) -> str:
    readouts = "\n".join(
        f"| {r['id']} | {r['type']} | {', '.join(r['files'])} |" for r in study["readouts"]
    )
    return f"""# {spec.title} (SIMULATED)

Synthetic data written by `neuroprotect demo --model {spec.protocol}` (seed {seed}, {n}
{"independent experiments" if study.get("setting") == "in_vitro" else "animals"} per group). Not a real experiment: {spec.simulates}. The groups, doses and readouts are the
draft of `neuroprotect design new --compound {spec.compound} --model {spec.protocol}`; the
effect sizes are inventions that follow the seed documents' directions.

| readout | type | raw files |
|---|---|---|
{readouts}

Run it again: `neuroprotect run study.yaml --out results`.
"""

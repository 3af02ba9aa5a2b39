"""`design new` for every seed protocol: the readouts the issue-13 table names, and each draft
passes `validate` once its files exist.

Reference: the outcome -> readout table of issue 13 (from the seed documents and the
knowledge base's protocols). The files written here are small valid inputs of each readout type
(formats as in the readout modules' docstrings); the parameters the draft leaves "to set" are
exactly the ones its comments list.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skimage.io
import yaml
from tests.assays._plates import replicate, write_plate
from tests.histology._images import disk_mask, grid, nissl_disks
from typer.testing import CliRunner

from neuroprotect.cli.main import app

#: Issue 13, part 1: the readout types each seed protocol's draft names.
EXPECTED = {
    "bccao_gerbil": ["nissl_images", "open_field", "nos_activity"],
    "scopolamine_amnesia": ["passive_avoidance", "water_maze", "y_maze"],
    "4vo_rat": ["water_maze", "nissl_images", "tunel_images", "western_blot"],
    "mcao_r_filament": ["neuro_score", "ttc_table", "brain_water", "evans_blue"],
    "pmcao": ["neuro_score", "ttc_table", "elisa", "elisa"],
    "ogd_r_pc12": [
        "cell_viability",
        "ldh_release",
        "ros_fluorescence",
        "mitochondrial_potential",
        "atp_luminescence",
        "caspase3_activity",
        "western_blot",
    ],
}
COMPOUND = {"bccao_gerbil": "igmesine", "scopolamine_amnesia": "igmesine"}

#: What the test sets for each "to set" comment (the lab's own values).
TO_SET = {
    "open_field": {"rectangle": [0, 0, 40, 40]},
    "western_blot": {"loading_control": "beta-actin"},
    "caspase3_activity": {"incubation_h": 2},
}


def _draft(tmp_path: Path, model: str) -> tuple[Path, str]:
    out = tmp_path / "study.yaml"
    args = ["design", "new", "--compound", COMPOUND.get(model, "imm_h004"), "--model", model]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, out.read_text(encoding="utf-8")


def _csv(path: Path, rows: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _plate(d: Path, plate: str, layout: str, wells: list[dict[str, Any]]) -> None:
    p, lay = write_plate(d, "tmp", wells)
    p.rename(d / plate)
    lay.rename(d / layout)


def _write_files(d: Path, r: dict[str, Any], groups: dict[str, str]) -> None:
    """Small valid raw files for readout ``r`` of a draft; ``groups``: unit id -> group."""
    ids, params, first = list(groups), r["params"], r["files"][0]
    kind = r["type"]
    if kind == "neuro_score":
        _csv(d / first, ["animal_id,score"] + [f"{a},{i % 4}" for i, a in enumerate(ids)])
    elif kind == "ttc_table":
        rows = ["animal_id,slice,ipsilateral_area_mm2,contralateral_area_mm2,infarct_area_mm2"]
        rows += [f"{a},{s},55,50,{10 + i + s}" for i, a in enumerate(ids) for s in (1, 2)]
        _csv(d / first, rows)
    elif kind == "brain_water":
        rows = ["animal_id,wet_weight_mg,dry_weight_mg"]
        _csv(d / first, rows + [f"{a},1000,{200 - i}" for i, a in enumerate(ids)])
    elif kind == "evans_blue":
        _csv(
            d / params["standards"],
            ["concentration_ug_ml,absorbance", "0,0.02", "2,0.12", "8,0.42"],
        )
        rows = ["animal_id,absorbance,tissue_weight_mg,extraction_volume_ml"]
        _csv(d / first, rows + [f"{a},{0.1 + 0.01 * i},500,2" for i, a in enumerate(ids)])
    elif kind in ("nissl_images", "tunel_images"):
        rows = ["animal_id,image,pixel_size_um"]
        folder = d / first.split("/")[0]
        folder.mkdir(exist_ok=True)
        for i, a in enumerate(ids):
            name = f"{a}.tif"
            if kind == "nissl_images":
                rgb, _ = nissl_disks((120, 200), grid(3, 2, step=50, start=30)[: 2 + i % 4], 12)
                skimage.io.imsave(folder / name, rgb, check_contrast=False)
            else:
                labels = disk_mask((120, 200), grid(3, 2, step=50, start=30), 9)
                nuc = 100 + 1000 * (labels > 0)
                mark = 80 + 600 * np.isin(labels, list(range(1, 2 + i % 3)))
                image = np.stack([nuc, mark], -1).astype(np.uint16)
                skimage.io.imsave(folder / name, image, check_contrast=False)
            rows.append(f"{a},{folder.name}/{name},0.5")
        _csv(d / params["sections"], rows)
    elif kind == "open_field":
        folder = d / first.rsplit("/", 1)[0]
        t = np.arange(0, 60.01, 0.5)
        for i, a in enumerate(ids):
            x = 20 + 15 * np.cos(t / (5 + i))
            y = 20 + 15 * np.sin(t / (5 + i))
            frame = pd.DataFrame({"time_s": t, "x": x, "y": y})
            folder.mkdir(parents=True, exist_ok=True)
            frame.to_csv(folder / f"{a}.csv", index=False)
    elif kind == "water_maze":
        folder = d / first.rsplit("/", 1)[0]
        folder.mkdir(parents=True, exist_ok=True)
        (d / params["arena"]).write_text(
            "type: water_maze\npool: {x: 0, y: 0, radius: 100}\ngoal: {x: 50, y: 0, radius: 10}\n"
        )
        rows = ["file,animal_id,day,trial,probe"]
        t = np.arange(0, 20.01, 0.5)
        for i, a in enumerate(ids):
            for day in (1, 2):
                x = np.minimum(-90 + (6 + i + 3 * day) * t, 50)
                name = f"{a}_d{day}.csv"
                pd.DataFrame({"time_s": t, "x": x, "y": 0.0}).to_csv(folder / name, index=False)
                rows.append(f"{name},{a},{day},1,false")
            probe = np.linspace(0, 60, 121)
            name = f"{a}_probe.csv"
            pd.DataFrame(
                {"time_s": probe, "x": 90 * np.cos(probe / 5), "y": 90 * np.sin(probe / 5)}
            ).to_csv(folder / name, index=False)
            rows.append(f"{name},{a},3,1,true")
        _csv(d / params["trials"], rows)
    elif kind == "nos_activity":
        rows = ["concentration,absorbance"] + [f"{c},{0.04 + 0.01 * c}" for c in (0, 10, 50, 100)]
        _csv(d / params["standards"], rows)
        rows = ["animal_id,absorbance_total"]
        _csv(d / first, rows + [f"{a},{0.2 + 0.02 * i}" for i, a in enumerate(ids)])
    elif kind == "western_blot":
        lanes, bands = ["lane,animal_id"], ["lane,target,volume"]
        for lane, a in enumerate(ids, start=1):
            lanes.append(f"{lane},{a}")
            bands += [f"{lane},{t},{1000 + 100 * lane}" for t in params["targets"]]
            bands.append(f"{lane},beta-actin,5000")
        _csv(d / params["layout"], lanes)
        _csv(d / first, bands)
    elif kind == "passive_avoidance":
        rows = ["animal_id,retention_latency_s,cutoff_s"]
        _csv(d / first, rows + [f"{a},{min(30 + 40 * i, 300)},300" for i, a in enumerate(ids)])
    elif kind == "y_maze":
        seqs = ("ABCABCABCA", "ABABCBACAB", "ACBACBABCA")
        _csv(d / first, ["animal_id,sequence"] + [f"{a},{seqs[i % 3]}" for i, a in enumerate(ids)])
    elif kind == "elisa":
        conc = [0, 3.125, 6.25, 12.5, 25, 50, 100, 200]

        def signal(c: float) -> float:
            return 2.5 + (0.05 - 2.5) / (1 + (c / 50) ** 1.2)

        wells = replicate(1, type="blank", value=0.05)
        wells += [{"type": "standard", "concentration": c, "value": signal(c)} for c in conc]
        wells += [
            {"type": "sample", "sample": a, "value": signal(10 + 5 * i)} for i, a in enumerate(ids)
        ]
        _plate(d, first, params["layout"], wells)
    elif kind == "cell_viability":
        rows = ["animal_id,well,absorbance"]
        _csv(d / first, rows + [f"{a},A{i + 1},{1.0 - 0.05 * i}" for i, a in enumerate(ids)])
    else:  # the in vitro plate readouts
        ctrl = params.get("control_group")
        samples = [
            {"type": "sample", "sample": a, "value": 1000.0 + (0 if g == ctrl else 300 + 10 * i)}
            for i, (a, g) in enumerate(groups.items())
        ]
        if kind in ("atp_luminescence", "caspase3_activity"):
            std = [
                {"type": "standard", "concentration": c, "value": 100 + 500 * c}
                for c in (0, 1, 2, 4)
            ]
            extra = {"protein_mg": 0.1} if kind == "caspase3_activity" else {}
            samples = std + [{**s, **extra} for s in samples]
        if kind == "ldh_release":
            samples += [
                {"type": "control", "sample": "spontaneous", "value": 900.0},
                {"type": "control", "sample": "maximum", "value": 3000.0},
            ]
        wells = [{"type": "blank", "value": 100.0}, *samples]
        _plate(d, first, params["layout"], wells)
        if kind == "mitochondrial_potential":
            green = [{**w, "value": 500.0} for w in wells]
            green[0]["value"] = 50.0
            _plate(d, params["green"], "green_layout_unused.csv", green)


@pytest.mark.parametrize("model", list(EXPECTED))
def test_draft_validates_once_its_files_exist(tmp_path: Path, model: str) -> None:
    manifest, text = _draft(tmp_path, model)
    doc = yaml.safe_load(text)
    assert [r["type"] for r in doc["readouts"]] == EXPECTED[model]
    in_vitro = model == "ogd_r_pc12"
    assert (doc.get("setting") == "in_vitro") is in_vitro
    if in_vitro:  # cultures have no sex, body weight or neurological score
        assert "sex" not in doc and doc["cell_line"] == "PC12"
        assert "neuro_score" not in EXPECTED[model]
    groups = {f"{g['id']}-0": g["id"] for g in doc["groups"]}  # one unit per group
    table = ["animal_id,experiment,group"] if in_vitro else ["animal_id,group,sex,body_weight_g"]
    for i, (a, g) in enumerate(groups.items()):
        table.append(f"{a},{i + 1},{g}" if in_vitro else f"{a},{g},male,{250 + i}")
    _csv(tmp_path / doc["animals"], table)
    for r in doc["readouts"]:
        _write_files(tmp_path, r, groups)
    # the parameters the draft leaves to the lab are exactly those its comments name
    commented = sorted(set(re.findall(r"# to set: params\.(\w+)", text)))
    expected_set = sorted({k for r in doc["readouts"] for k in TO_SET.get(r["type"], {})})
    assert commented == expected_set
    runner = CliRunner()
    if commented:
        result = runner.invoke(app, ["validate", str(manifest)])
        assert result.exit_code == 2 and f"params.{commented[0]}" in result.output
    for r in doc["readouts"]:
        r["params"].update(TO_SET.get(r["type"], {}))
    manifest.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    result = runner.invoke(app, ["validate", str(manifest)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"ok: {doc['study_id']}")


def test_unmapped_outcomes_are_comments_not_readouts(tmp_path: Path) -> None:
    """MCAO/R's 'biomarkers' and pMCAO's unnamed histology/molecular outcomes have no readout
    type: each draft lists them as a comment and adds no readout for them."""
    _, text = _draft(tmp_path, "mcao_r_filament")
    assert "# outcome measure without a readout type (add it by hand): biomarkers" in text
    (tmp_path / "study.yaml").unlink()
    _, text = _draft(tmp_path, "pmcao")
    assert re.search(r"# outcome measure without a readout type .*Nissl, IHC/IF, qPCR", text)
    doc = yaml.safe_load(text)
    assert {r["params"].get("analyte") for r in doc["readouts"] if r["type"] == "elisa"} == {
        "IL-1β",
        "TNF-α",
    }
    assert json.dumps(doc)  # plain data

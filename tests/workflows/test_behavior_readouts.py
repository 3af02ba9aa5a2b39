"""The water_maze readout: trial table -> per-animal tidy measurements (analytic tracks)."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from neuroprotect.errors import InputError, collect_input_warnings
from neuroprotect.io.animals import load_animals
from neuroprotect.schema.columns import MEASUREMENT_COLUMNS
from neuroprotect.schema.manifest import load_study
from neuroprotect.workflows.readouts import get_readout_type, readout_types

READOUT = """\
  - id: mwm
    type: water_maze
    files: [tracks/*.tab]
    params: {arena: arena.yaml, trials: trials.csv, trial_length_s: 60}
"""


def _swim(path: Path, speed: float) -> None:
    """Straight swim from (-90, 0) towards the goal at (50, 0) r 10: enters it at 130/speed s."""
    t = np.arange(0, 20.01, 0.5)
    x = np.minimum(-90 + speed * t, 50)
    lines = ["Time\tX\tY"] + [f"{a:.3f}\t{b:.4f}\t0" for a, b in zip(t, x, strict=True)]
    path.write_text("\n".join(lines) + "\n")


def _study(mini_study: Path) -> Path:
    d = mini_study.parent
    mini_study.write_text(mini_study.read_text() + READOUT)
    (d / "arena.yaml").write_text(
        "type: water_maze\npool: {x: 0, y: 0, radius: 100}\ngoal: {x: 50, y: 0, radius: 10}\n"
    )
    (d / "tracks").mkdir()
    rows = ["file,animal_id,day,trial,probe"]
    for animal, speeds in (("sham-0", (10, 13, 26)), ("vehicle-0", (5, 6.5, 13))):
        for k, speed in enumerate(speeds):
            name = f"{animal}_{k}.tab"
            _swim(d / "tracks" / name, speed)
            day = 1 if k == 0 else 2
            rows.append(f"{name},{animal},{day},{k + 1},false")
        circle = d / "tracks" / f"{animal}_probe.tab"
        t = np.linspace(0, 60, 241)
        circle.write_text(
            "Time\tX\tY\n"
            + "\n".join(
                f"{a}\t{90 * np.cos(a * np.pi / 15)}\t{90 * np.sin(a * np.pi / 15)}" for a in t
            )
            + "\n"
        )
        rows.append(f"tracks/{circle.name},{animal},3,1,true")
    (d / "trials.csv").write_text("\n".join(rows) + "\n")
    return mini_study


def test_water_maze_readout_analytic(mini_study):
    """Analytic: day-2 latencies 130/13 = 10 s and 130/26 = 5 s (sham-0, mean 7.5); 20 s and 10 s
    (vehicle-0, mean 15). Path to the goal edge: 130 cm + the part swum inside the goal up to x = 50."""
    study = load_study(_study(mini_study))
    readout = study.readouts[-1]
    assert "water_maze" in readout_types()
    rtype = get_readout_type(study, readout)
    data = rtype.load(study, readout, study.readout_files(readout), load_animals(study))
    m = data.measurements
    assert list(m.columns) == list(MEASUREMENT_COLUMNS)
    lat = m[m.variable == "escape_latency_last_day_s"].set_index("animal_id").value
    assert lat["sham-0"] == pytest.approx(7.5) and lat["vehicle-0"] == pytest.approx(15.0)
    path = m[m.variable == "path_length_last_day_cm"].set_index("animal_id").value
    assert path["sham-0"] == pytest.approx(140.0)
    quad = m[m.variable == "probe_target_quadrant_pct"].set_index("animal_id").value
    assert quad["sham-0"] == pytest.approx(25.0, abs=1.0)
    assert not m.censored.any()
    assert len(data.details["trials"]) == 8
    props = data.details["strategy_proportions"]
    assert set(props.columns) == {"group", "day", "strategy", "n", "proportion"}
    assert props.groupby(["group", "day"]).proportion.sum().round(12).eq(1).all()
    assert set(data.figures) == {
        "Search strategies by day and group",
        "Learning curves (escape latency, mean ± SEM)",
    }


def test_water_maze_readout_errors(mini_study):
    path = _study(mini_study)
    d = path.parent
    (d / "trials.csv").write_text("file,animal_id,day,trial\nnope.csv,sham-0,1,1\n")
    study = load_study(path)
    readout = study.readouts[-1]
    with pytest.raises(InputError, match="field .file.: Expected a track file listed"):
        get_readout_type(study, readout).load(
            study, readout, study.readout_files(readout), load_animals(study)
        )


def test_acquisition_repeated_measures_recovers_planted_effect(mini_study):
    """Seeded ground truth: latency = 60 - 8 day (+ 10 s for vehicle) + animal and trial noise;
    the mixed model's vehicle-vs-low term estimates -10 s and the RM ANOVA shows the day effect."""
    import numpy as np
    import pandas as pd

    from neuroprotect.stats.repeated import fit_mixed_model
    from neuroprotect.workflows.behavior_readouts import _acquisition_statistics

    rng = np.random.default_rng(7)
    rows = []
    for group, shift in (("vehicle", 10.0), ("low", 0.0)):
        for a in range(8):
            animal_effect = rng.normal(0, 3)
            for day in range(1, 5):
                for trial in range(4):
                    lat = 60 - 8 * day + shift + animal_effect + rng.normal(0, 4)
                    rows.append((f"{group}-{a}", group, day, trial, lat))
    acq = pd.DataFrame(rows, columns=["animal_id", "group", "day", "trial", "escape_latency_s"])
    details, notes = _acquisition_statistics(load_study(mini_study), acq)
    assert notes == []
    fe = details["acquisition_mixed_model"].set_index("term")
    per_day = acq.groupby(["animal_id", "group", "day"], as_index=False)["escape_latency_s"].mean()
    direct = fit_mixed_model(
        per_day,
        dv="escape_latency_s",
        subject="animal_id",
        within="day",
        between="group",
        control="vehicle",
    ).fixed_effects.set_index("term")
    pd.testing.assert_frame_equal(fe, direct)
    assert fe.loc["group[low]", "estimate"] == pytest.approx(-10, abs=3)
    assert fe.loc["day", "estimate"] == pytest.approx(-8, abs=1)
    anova = details["acquisition_rm_anova"].set_index("effect")
    assert anova.loc["day", "p_val"] < 1e-6


def test_water_maze_run_reports_probe_results_and_each_warning_once(mini_study, tmp_path):
    """A run with acquisition and probe trials: both probe variables reach the report, every
    warning carries its readout prefix once, is listed once, and the badge counts the list."""
    import html as html_lib
    import json
    import re

    from neuroprotect.workflows.run import run_study

    path = _study(mini_study)
    animals = path.parent / "animals.csv"
    animals.write_text(
        animals.read_text().replace("low-3,low,253,male", "low-3,low,253,male,true,died")
    )
    text = animals.read_text().splitlines()
    header, rows = text[0] + ",excluded,exclusion_reason", text[1:]
    rows = [r if r.endswith(",died") else r + ",false," for r in rows]
    animals.write_text("\n".join([header, *rows]) + "\n")
    _, files = run_study(path, out_dir=tmp_path / "out", store=False)
    data = json.loads(files.results.read_text())
    warnings = data["warnings"]
    assert warnings and len(warnings) == len(set(warnings))
    assert not [w for w in warnings if re.match(r"(\w+): \1:", w)]
    assert any(w.startswith("mwm: no data for") for w in warnings)
    assert sum("low-3" in w and "excluded" in w for w in warnings) == 1

    html = files.report.read_text()
    badge = int(re.search(r'Warnings <span class="count">(\d+)</span>', html)[1])
    section = html[html.index('<section id="warnings">') : html.index('<section id="provenance">')]
    listed = [
        html_lib.unescape(re.sub(r"<[^>]+>", " ", li))
        for li in re.findall(r"<li>.*?</li>", section)
    ]
    assert badge == len(listed) > 0
    assert not [w for w in listed if re.search(r"(\w[\w ]*): \1:", w)]
    texts = [re.sub(r"^\s*\S+\s+", "", w).strip() for w in listed]
    assert len(texts) == len(set(texts))
    assert sum("low-3" in w and "excluded" in w for w in listed) == 1
    for name in ("probe_target_quadrant_pct", "probe_mean_distance_to_goal_cm"):
        assert f'id="mwm-{name}"' in html


def test_water_maze_track_outside_the_pool_names_file_and_animal(mini_study):
    path = _study(mini_study)
    t = np.arange(0, 20.01, 0.5)
    far = path.parent / "tracks" / "vehicle-0_1.tab"  # day 2, trial 2, in cm x 10
    far.write_text("Time\tX\tY\n" + "\n".join(f"{a:.3f}\t{900 - 10 * a:.4f}\t0" for a in t) + "\n")
    study = load_study(path)
    readout = study.readouts[-1]
    files, animals = study.readout_files(readout), load_animals(study)
    with collect_input_warnings() as notes:  # by default the trial is skipped, the rest analysed
        data = get_readout_type(study, readout).load(study, readout, files, animals)
    (skipped,) = data.skipped
    assert skipped.file == "tracks/vehicle-0_1.tab"
    assert skipped.reason.startswith("Expected the track of animal vehicle-0, day 2, trial 2")
    assert notes == [skipped.one_line()]
    assert len(data.details["trials"]) == 7  # 8 trials in the table, one skipped
    strict = readout.model_copy(update={"strict": True})  # `strict: true` in the manifest
    with pytest.raises(InputError) as info:
        get_readout_type(study, strict).load(study, strict, files, animals)
    msg = str(info.value)
    assert msg.startswith("tracks/vehicle-0_1.tab: Expected the track of animal vehicle-0, day 2")
    assert "(trials.csv row 7)" in msg and "inside the pool" in msg


def test_study_run_skips_a_bad_track_and_lists_it_in_the_report_qc(mini_study, tmp_path):
    """`neuroprotect run`: one garbage track file among the trials is skipped with a warning,
    listed in results.json's "skipped" and in the readout's quality-control section of the
    report; `run --strict` refuses the run with one error line naming the file."""
    from typer.testing import CliRunner

    from neuroprotect.cli.main import app

    path = _study(mini_study)
    bad = path.parent / "tracks" / "sham-0_2.tab"  # day 2, trial 3
    bad.write_bytes(bytes(range(256)) * 4)
    runner = CliRunner()
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(path), "--out", str(out), "--no-store", "--quiet"])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "results.json").read_text())
    (skipped,) = data["skipped"]
    assert skipped["readout"] == "mwm" and skipped["file"] == "tracks/sham-0_2.tab"
    assert skipped["reason"] and "\n" not in skipped["reason"]
    assert f"mwm: tracks/sham-0_2.tab: skipped: {skipped['reason']}" in data["warnings"]
    html = (out / "report.html").read_text()
    qc = html[html.index('<summary>Quality control <span class="muted">· Morris water maze') :]
    qc = html_lib.unescape(qc[: qc.index("</details>")])
    assert "Files skipped" in qc and "Skipped: tracks/sham-0_2.tab" in qc
    assert skipped["reason"] in qc
    assert html.count("Skipped: tracks/sham-0_2.tab") == 1
    # the other 7 of the 8 trials are analysed (the report's per-trial details table)
    assert re.search(r"<summary>Trials <span class=\"muted\">· 7 rows", html), html[-3000:]
    strict = runner.invoke(
        app, ["run", str(path), "--out", str(tmp_path / "o2"), "--no-store", "--quiet", "--strict"]
    )
    assert strict.exit_code == 2
    (line,) = strict.stderr.strip().splitlines()
    assert line.startswith("error: ") and "tracks/sham-0_2.tab: Expected a track file" in line

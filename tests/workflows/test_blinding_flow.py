"""Blinded study: analyses and reports run on codes until `neuroprotect unblind` opens the key."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.design import blinding
from neuroprotect.design.blinding import PASSPHRASE_ENV, conceal_allocation
from neuroprotect.workflows.run import run_study

runner = CliRunner()
GROUPS = ["sham", "vehicle", "low"]


@pytest.fixture
def blinded_study(mini_study: Path) -> tuple[Path, Path]:
    folder = mini_study.parent
    mini_study.write_text(
        mini_study.read_text() + "design:\n  blinding: {allocation_concealed: true, "
        "outcome_assessment_blinded: true, analysis_blinded: true}\n"
    )
    animals = pd.read_csv(folder / "animals.csv")
    animals["blinded_code"] = [f"C{i:02d}" for i in range(len(animals))]
    concealed = conceal_allocation(animals, study_id="mini", groups=GROUPS, seed=5, passphrase="pw")
    # animal ids in the fixture contain group names: recode them too, as a real coded sheet would
    coded = concealed.coded_animals.copy()
    rename = dict(zip(coded["animal_id"], coded["blinded_code"], strict=True))
    coded["animal_id"] = coded["animal_id"].map(rename)
    coded.to_csv(folder / "animals.csv", index=False)
    water = pd.read_csv(folder / "water.csv")
    water["animal_id"] = water["animal_id"].map(rename)
    water.to_csv(folder / "water.csv", index=False)
    key = folder.parent / "allocation.key"
    key.write_text(concealed.sealed_key)
    return mini_study, key


def _db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


def _rows(url: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def test_blinded_run_never_opens_the_key(
    blinded_study: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest, _ = blinded_study

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the blinded path tried to open the allocation key")

    monkeypatch.setattr(blinding, "open_key", forbidden)
    monkeypatch.setattr(blinding, "_fernet", forbidden)
    outcome, files = run_study(manifest, out_dir=tmp_path / "out", db_url=_db(tmp_path))
    assert outcome.blinded
    results = files.results.read_text()
    data = json.loads(results)
    shown = {r["group"] for r in data["results"]} | {
        r["control"] for r in data["results"] if r["control"]
    }
    assert shown and not shown & set(GROUPS)
    for name in GROUPS:
        assert f'"{name}"' not in json.dumps(data["variables"])
        assert f'"group": "{name}"' not in results
    html = files.report.read_text()
    assert "BLINDED ANALYSIS" in html and "<title>BLINDED" in html
    comparison = data["variables"][0]["treatment_comparison"]
    assert comparison["method"] in {"tukey", "games-howell", "dunn-all"}
    assert len(comparison["contrasts"]) == 3  # all pairs of three coded groups
    listed = runner.invoke(app, ["runs", "list", "--db", _db(tmp_path), "--json"])
    assert [r["blinded"] for r in json.loads(listed.output)] == [True]


def test_unblind_refuses_wrong_passphrase_then_unblinds(
    blinded_study: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest, key = blinded_study
    url = _db(tmp_path)
    monkeypatch.setenv(PASSPHRASE_ENV, "wrong")
    refused = runner.invoke(app, ["unblind", str(manifest), "--key", str(key), "--db", url])
    assert refused.exit_code == 2 and "does not open it" in refused.output
    assert _rows(url, "SELECT COUNT(*) FROM unblindings") == [(0,)]
    assert _rows(url, "SELECT action FROM audit_log") == [("unblind refused",)]

    monkeypatch.setenv(PASSPHRASE_ENV, "pw")
    done = runner.invoke(app, ["unblind", str(manifest), "--key", str(key), "--db", url])
    assert done.exit_code == 0, done.output
    actions = [a for (a,) in _rows(url, "SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["unblind refused", "study unblinded"]
    actor = _rows(url, "SELECT actor FROM unblindings")[0][0]
    assert actor

    outcome, files = run_study(manifest, out_dir=tmp_path / "out", db_url=url)
    assert not outcome.blinded
    water = next(v for v in outcome.variables if v.spec.name == "brain_water_pct")
    assert water.comparison is not None and water.comparison.control == "vehicle"
    means = water.comparison.summary.set_index("group")["mean"]
    assert means["vehicle"] == pytest.approx(82.3) and means["low"] == pytest.approx(80.3)
    assert "Unblinded" in files.report.read_text()

    again = runner.invoke(app, ["unblind", str(manifest), "--key", str(key), "--db", url])
    assert again.exit_code == 2 and "already unblinded" in again.output


def test_unblind_open_study_refused(
    mini_study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, "pw")
    key = tmp_path / "k"
    key.write_text("{}")
    result = runner.invoke(
        app, ["unblind", str(mini_study), "--key", str(key), "--db", _db(tmp_path)]
    )
    assert result.exit_code == 2 and "not blinded" in result.output


#: Words that name a group's role; none may appear in a blinded report.
ROLE_WORDS = ("vehicle", "sham", "treatment", "treated", "positive control", "positive-control")


def test_blinded_report_names_no_role_and_no_real_group(
    blinded_study: tuple[Path, Path], tmp_path: Path
) -> None:
    """Every text of a blinded report (tables, captions, figure labels, methods, warnings) speaks
    of coded groups only: no role word, no real group name."""
    manifest, _ = blinded_study
    _, files = run_study(manifest, out_dir=tmp_path / "out", store=False)
    html = files.report.read_text()
    # the published records of the compound describe other studies (their confidence may be "low")
    published = html.index("Published efficacy records")
    html = html[:published] + html[html.index('<section id="methods"', published) :]
    text = re.sub(r"<style.*?</style>|<script.*?</script>", " ", html, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", text)).lower()
    words = [re.escape(w) for w in ROLE_WORDS] + [rf"\b{g}\b" for g in GROUPS]
    found = [m for w in words if (m := re.search(w, text))]
    assert not found, [re.sub(r"\s+", " ", text[m.start() - 80 : m.end() + 40]) for m in found]
    assert "all pairs of coded groups" in text
    assert "each group against" not in text  # no code is named as the control

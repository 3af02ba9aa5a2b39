"""Generic track CSV reader: layout, missing samples, one-line errors naming file/row/field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from neuroprotect.behavior.readers.generic import read_generic_csv
from neuroprotect.behavior.tracks import compute_path_length
from neuroprotect.errors import InputError


def _write(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n")
    return path


def test_one_file_one_trial_named_after_file(tmp_path):
    """Analytic: a 3-4-5 triangle walked once (12 cm); '-' and empty cells are missing samples."""
    f = _write(
        tmp_path / "rat_07.csv",
        "time_s,x,y\n0,0,0\n0.5,3,0\n1.0,-,-\n1.5,3,4\n2.0,,\n2.5,0,0",
    )
    tracks = read_generic_csv(f)
    assert tracks.columns.tolist() == ["trial_id", "time_s", "x_cm", "y_cm"]
    assert set(tracks["trial_id"]) == {"rat_07"}
    assert tracks["x_cm"].isna().sum() == 2
    out = compute_path_length(tracks).iloc[0]
    assert out["path_length_cm"] == pytest.approx(3.0)  # both later steps follow a gap
    assert out["n_gaps"] == 2
    bridged = compute_path_length(tracks, bridge_gaps=True).iloc[0]
    assert bridged["path_length_cm"] == pytest.approx(12.0)


def test_trial_column_units_and_likelihood(tmp_path):
    f = _write(
        tmp_path / "session.csv",
        "trial_id;time;x;y;likelihood\nA;0;0;0;0.9\nA;1;10;0;0.95\nB;0;0;0;1\nB;2;0;20;0.5",
    )
    tracks = read_generic_csv(f, cm_per_unit=0.1)
    assert tracks["trial_id"].tolist() == ["A", "A", "B", "B"]
    assert "likelihood" in tracks
    np.testing.assert_allclose(compute_path_length(tracks)["path_length_cm"], [1.0, 2.0])


@pytest.mark.parametrize(
    ("body", "row", "field", "words"),
    [
        ("time_s,x,y\n0,0,0\n0.1,abc,0", 3, "x", "number"),
        ("time_s,x,y\n0,0,0\n,1,0", 3, "time_s", "number"),
        ("time_s,x,y\n0,0,0\n0.1,1,-", 3, "y", "both x and y"),
        ("time_s,x,y\n0,0,0\n0.2,1,0\n0.1,2,0", 4, "time_s", "increase"),
        ("trial_id,time_s,x,y\na,0,0,0\nb,0,0,0\na,1,0,0", 4, "trial_id", "one block"),
    ],
)
def test_errors_name_file_row_field(tmp_path, body, row, field, words):
    f = _write(tmp_path / "bad.csv", body)
    with pytest.raises(InputError, match=words) as err:
        read_generic_csv(f)
    exc = err.value
    assert exc.file == str(f)
    assert exc.row == row
    assert exc.field == field
    assert "\n" not in str(exc)


def test_missing_column(tmp_path):
    f = _write(tmp_path / "bad.csv", "time_s,x\n0,0")
    with pytest.raises(InputError, match="'y'") as err:
        read_generic_csv(f)
    assert err.value.file == str(f)

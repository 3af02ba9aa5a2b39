"""Allocation concealment: the sealed key cannot be read without the passphrase."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.design.blinding import (
    PASSPHRASE_ENV,
    new_key,
    open_key,
    read_sealed_header,
    seal_key,
)
from neuroprotect.errors import InputError

GROUPS = ("sham", "vehicle", "low")


def _key() -> object:
    return new_key(
        "mini",
        group_codes={"sham": "KD", "vehicle": "QX", "low": "AB"},
        animal_codes={"a1": "K7QD"},
        seed=3,
    )


def test_round_trip_and_wrong_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "key.sealed"
    path.write_text(seal_key(_key(), "correct horse"))  # type: ignore[arg-type]
    text = path.read_text()
    for name in (*GROUPS, "a1"):
        assert f'"{name}"' not in text  # nothing readable in the file
    assert read_sealed_header(path)["study_id"] == "mini"
    key = open_key(path, "correct horse")
    assert key.group_codes == {"KD": "sham", "QX": "vehicle", "AB": "low"}
    with pytest.raises(InputError, match="does not open it"):
        open_key(path, "wrong")


def test_tampered_file_detected(tmp_path: Path) -> None:
    path = tmp_path / "key.sealed"
    data = json.loads(seal_key(_key(), "pw"))  # type: ignore[arg-type]
    token = data["token"]
    data["token"] = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    path.write_text(json.dumps(data))
    with pytest.raises(InputError):
        open_key(path, "pw")
    path.write_text("not a key")
    with pytest.raises(InputError, match="sealed allocation-key file"):
        open_key(path, "pw")


def test_cli_concealed_randomisation_shows_codes_only(
    mini_study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, "s3cret")
    animals = mini_study.parent / "animals.csv"
    key, coded = tmp_path / "key.sealed", tmp_path / "animals_coded.csv"
    base = [
        "design",
        "randomize",
        str(animals),
        "--study",
        str(mini_study),
        "--seed",
        "9",
        "--json",
    ]
    runner = CliRunner()
    result = runner.invoke(app, [*base, "--seal-key", str(key), "--coded-animals", str(coded)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    shown = {row["group"] for row in data["allocation"]} | {row["group"] for row in data["balance"]}
    assert not shown & set(GROUPS)
    table = pd.read_csv(coded)
    assert set(table["group"]) == shown
    assert '"group": "sham"' not in result.output  # (the fixture's animal ids contain group names)
    # the allocator opens the key and recovers exactly the open allocation of the same seed
    opened = open_key(key, "s3cret")
    open_run = json.loads(runner.invoke(app, base).output)
    truth = {r["animal_id"]: r["group"] for r in open_run["allocation"]}
    decoded = {row.animal_id: opened.group_codes[row.group] for row in table.itertuples()}
    assert decoded == truth
    # a key is never overwritten, and clear-text key output is refused with sealing
    again = runner.invoke(app, [*base, "--seal-key", str(key)])
    assert again.exit_code == 2 and "exists" in again.output
    clear = runner.invoke(
        app, [*base, "--seal-key", str(tmp_path / "k2"), "--key-out", str(tmp_path / "k.csv")]
    )
    assert clear.exit_code == 2


@pytest.mark.parametrize(("make", "got"), [("missing", "no such file"), ("folder", "a folder"),
                                           ("other", "another file")])  # fmt: skip
def test_key_path_that_is_not_a_key_says_what_it_is(tmp_path: Path, make: str, got: str) -> None:
    path = tmp_path / "key.txt"
    if make == "folder":
        path.mkdir()
    elif make == "other":
        path.write_text("not a key")
    with pytest.raises(InputError, match=f"written by neuroprotect, but got {got}$"):
        read_sealed_header(path)

"""Manifests that try to leave their folder, blow up the YAML parser, or run code; raw files that
change while a run reads them (issue 16, part 7). Analytic: each case has a known right answer."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.errors import InputError
from neuroprotect.io.hashing import sha256_file
from neuroprotect.schema.manifest import ALLOW_OUTSIDE_ENV, load_study
from neuroprotect.workflows.analyse import check_unchanged
from neuroprotect.workflows.outcome import RawFile


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture
def outside_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file in another folder than the study's (mini_study lives in tmp_path)."""
    secret = tmp_path_factory.mktemp("elsewhere") / "secret.csv"
    secret.write_text("animal_id,value\nx,1\n")
    return secret


@pytest.mark.parametrize("kind", ["relative", "absolute"])
def test_a_readout_file_outside_the_study_folder_is_refused(
    mini_study: Path, outside_file: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_OUTSIDE_ENV, raising=False)
    name = os.path.relpath(outside_file, mini_study.parent) if kind == "relative" else outside_file
    _rewrite(mini_study, "files: [water.csv]", f"files: ['{name}']")
    with pytest.raises(InputError) as info:
        load_study(mini_study)
    message = info.value.one_line()
    assert "Expected a path inside the study folder" in message
    assert "readouts.water.files[0]" in message and str(mini_study) in message
    assert "--allow-outside-paths" in message and "\n" not in message
    # the user can allow it explicitly, by argument or environment
    study = load_study(mini_study, allow_outside_paths=True)
    assert [p.resolve() for p in study.readout_files(study.readouts[0])] == [outside_file]
    monkeypatch.setenv(ALLOW_OUTSIDE_ENV, "1")
    assert load_study(mini_study).readout_files(study.readouts[0])[0].resolve() == outside_file


def test_the_animals_table_outside_is_refused_even_for_design_steps(
    mini_study: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_OUTSIDE_ENV, raising=False)
    _rewrite(mini_study, "animals: animals.csv", "animals: ../../../../etc/passwd")
    with pytest.raises(InputError, match="field 'animals'.*inside the study folder"):
        load_study(mini_study, check_files=False)


def test_symlinks_out_of_the_folder_are_refused(
    mini_study: Path, outside_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_OUTSIDE_ENV, raising=False)
    (mini_study.parent / "link.csv").symlink_to(outside_file)
    _rewrite(mini_study, "files: [water.csv]", "files: [link.csv]")
    with pytest.raises(InputError, match="'link.csv' leads to"):
        load_study(mini_study)
    # a glob that matches the link is refused too, not silently read
    _rewrite(mini_study, "files: [link.csv]", "files: ['*.csv']")
    with pytest.raises(InputError, match="inside the study folder"):
        load_study(mini_study)


def test_a_symlink_inside_the_folder_is_fine(mini_study: Path) -> None:
    (mini_study.parent / "sub").mkdir()
    (mini_study.parent / "sub" / "alias.csv").symlink_to(mini_study.parent / "water.csv")
    _rewrite(mini_study, "files: [water.csv]", "files: [sub/alias.csv]")
    study = load_study(mini_study)
    assert study.readout_files(study.readouts[0])[0].name == "alias.csv"


def test_billion_laughs_is_refused_quickly(mini_study: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    mini_study.write_text("\n".join(lines) + "\n")  # 10^9 nodes once expanded
    start = time.perf_counter()
    with pytest.raises(InputError, match="anchors and aliases expand to more") as info:
        load_study(mini_study)
    assert time.perf_counter() - start < 30  # a safety net against a hang, not a speed test
    assert str(mini_study) in info.value.one_line()


def test_small_anchors_and_merge_keys_still_work(mini_study: Path) -> None:
    text = mini_study.read_text()
    assert "params: {" not in text
    mini_study.write_text("x-defaults: &route {route: ip}\n" + text)
    with pytest.raises(InputError, match="x-defaults"):  # unknown key, not an alias problem
        load_study(mini_study)


@pytest.mark.parametrize(
    "tag",
    ["!!python/object/apply:os.system ['echo hacked']", "!include /etc/passwd", "!env HOME"],
)
def test_non_standard_tags_are_refused(mini_study: Path, tag: str) -> None:
    _rewrite(mini_study, "title: Minimal study", f"title: {tag}")
    with pytest.raises(InputError) as info:
        load_study(mini_study)
    message = info.value.one_line()
    assert str(mini_study) in message and "\n" not in message


def test_a_file_that_changes_during_the_run_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("a,b\n1,2\n")
    st = path.stat()
    raw = [RawFile(path=path, sha256=sha256_file(path), size=st.st_size, role="r")]
    states = {path: (st.st_size, st.st_mtime_ns)}
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # touched, same bytes: fine
    check_unchanged(raw, states)
    path.write_text("a,b\n1,2\n3,4\n")  # an instrument still appending
    with pytest.raises(InputError, match="content changed after it was hashed") as info:
        check_unchanged(raw, states)
    assert "export.csv" in info.value.one_line()
    path.unlink()
    with pytest.raises(InputError, match="disappeared"):
        check_unchanged(raw, states)


def test_cli_refuses_and_allows(
    mini_study: Path, outside_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_OUTSIDE_ENV, raising=False)
    target = outside_file.with_name("water.csv")
    target.write_text((mini_study.parent / "water.csv").read_text())
    _rewrite(mini_study, "files: [water.csv]", f"files: ['{target}']")
    runner = CliRunner()
    refused = runner.invoke(app, ["validate", str(mini_study)])
    assert refused.exit_code == 2
    assert "inside the study folder" in refused.output
    allowed = runner.invoke(app, ["validate", str(mini_study), "--allow-outside-paths"])
    assert allowed.exit_code == 0, allowed.output

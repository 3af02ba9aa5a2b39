"""``neuroprotect.io.batch``: one bad file is skipped with its reason, strict mode refuses.

Expected values are analytic: which items fail is fixed by construction.
"""

from __future__ import annotations

import warnings

import pytest

from neuroprotect.errors import InputError, InputWarning, collect_input_warnings
from neuroprotect.io.batch import Batch, NothingAnalysed, Skipped


def _run(batch: Batch, items: dict[str, Exception | None]) -> list[str]:
    done = []
    for name, error in items.items():
        with batch.item(name):
            if error is not None:
                raise error
            done.append(name)
    return done


def test_bad_item_is_skipped_with_one_warning_and_its_reason() -> None:
    batch = Batch()
    with collect_input_warnings() as notes:
        done = _run(
            batch,
            {
                "a.csv": None,
                "b.csv": InputError("Expected a number, but got 'x'", file="b.csv", row=3),
                "c.png": OSError(5, "Input/output error"),
                "d.csv": None,
            },
        )
        assert notes == []  # the warnings come when the batch is finished
        batch.finish()  # something was analysed: no error
        batch.finish()  # finishing twice does not repeat them
    assert done == ["a.csv", "d.csv"]
    assert batch.analysed == 2
    assert batch.records() == [
        {"file": "b.csv", "reason": "row 3: Expected a number, but got 'x'"},
        {
            "file": "c.png",
            "reason": "Expected a readable file, but reading it failed (Input/output error)",
        },
    ]
    assert notes == [
        "b.csv: skipped: row 3: Expected a number, but got 'x'",
        "c.png: skipped: Expected a readable file, but reading it failed (Input/output error)",
    ]


def test_strict_refuses_at_the_first_bad_item_naming_the_file() -> None:
    batch = Batch(strict=True)
    with pytest.raises(InputError) as err:
        _run(batch, {"a.csv": None, "b.csv": ValueError("truncated"), "c.csv": None})
    assert str(err.value) == (
        "b.csv: Expected a file the analysis can use, but it failed (ValueError: truncated)"
    )
    assert batch.skipped == []


def test_all_skipped_is_nothing_analysed() -> None:
    batch = Batch()
    with collect_input_warnings() as notes:
        _run(batch, {"a.csv": ValueError("bad"), "b.csv": ValueError("worse")})
        with pytest.raises(NothingAnalysed, match=r"all were skipped \(first: a.csv"):
            batch.finish()
    assert len(notes) == 2


def test_a_single_skipped_item_gives_its_own_error_only() -> None:
    batch = Batch()
    with collect_input_warnings() as notes:
        _run(batch, {"a.csv": InputError("Expected a header", file="a.csv")})
        with pytest.raises(InputError) as err:
            batch.finish()
    assert str(err.value) == "a.csv: Expected a header" and notes == []


def test_option_errors_and_bugs_stop_the_batch() -> None:
    batch = Batch(global_fields=("centre_fraction",))
    with pytest.raises(InputError, match="centre"):
        _run(batch, {"a.csv": InputError("Expected 0-1", field="centre_fraction")})
    with pytest.raises(InputError, match="--bounds"):
        _run(batch, {"a.csv": InputError("Expected 4 numbers", field="--bounds")})
    with pytest.raises(KeyError):  # not a per-file data error: a bug, never swallowed
        _run(batch, {"a.csv": KeyError("x")})
    assert batch.skipped == []


def test_a_skipped_files_own_warnings_go_with_it() -> None:
    """A file read with an encoding warning and then skipped gives one warning line, not two;
    a file analysed keeps its warnings."""
    batch = Batch()
    with collect_input_warnings() as notes:
        for name, fail in (("bad.csv", True), ("good.csv", False)):
            with batch.item(name):
                warnings.warn(f"{name}: not UTF-8", InputWarning, stacklevel=1)
                if fail:
                    raise InputError("Expected a header", file=name)
        batch.finish()
    assert notes == ["good.csv: not UTF-8", "bad.csv: skipped: Expected a header"]


def test_skipped_record() -> None:
    s = Skipped("x.tif", "Expected an image")
    assert s.to_dict() == {"file": "x.tif", "reason": "Expected an image"}
    assert s.one_line() == "x.tif: skipped: Expected an image"

"""metafor 4.6 on pymare's reference grid: 4 designs x 3 models x 5 estimators x 3 tests = 180 fits.

Reference: ../shared/data/stats/pymare-metafor-reference (MIT; PROVENANCE.md there), produced
by pymare's authors with R 4.4.1 and metafor 4.6.0::

    rma.uni(y, v, mods = <model>, data = <design>, method = <method>, test = <test>)
    confint(<fit>, control = list(tol = 1e-12, maxiter = 1000))$random["tau^2", ]

with models ``~ 1``, ``~ mod1`` and ``~ mod1 + mod2``, methods FE, DL, HE, ML, REML and tests z,
knha, adhoc. FE, DL and HE are closed forms: they must agree to 1e-6 (relative). ML and REML are
iterative (metafor stops when tau^2 changes by < 1e-5): 1e-4.

One cell differs on purpose: ``extreme_k10``, ``~ mod1``, ML. metafor starts Fisher scoring at
the HE estimate, which is 0 there; the ML score at 0 is negative, so it stays at the boundary,
a local maximum (log-likelihood -6.3034). The global maximum is tau^2 = 0.011442 (log-likelihood
-6.0189, checked by direct evaluation of sum(dnorm(y, Xb, sqrt(v + tau2), log = TRUE)) in the
test). We report the global one with a warning naming metafor's; at metafor's tau^2 every
other number matches to 1e-6.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import typer.testing
from scipy import stats
from tests.conftest import shared_data
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.meta import RandomEffectsMeta, meta_regression

DESIGNS = ("equal_k5", "unequal_k5", "extreme_k10", "moderate_k20")
MODELS = {"intercept": [], "one": ["mod1"], "two": ["mod1", "mod2"]}
METHODS = ("FE", "DL", "HE", "ML", "REML")
TESTS = ("z", "knha", "adhoc")
GRID = [(d, m, e, t) for d in DESIGNS for m in MODELS for e in METHODS for t in TESTS]
#: The cell where metafor stops at a local maximum (see the module docstring).
LOCAL_IN_METAFOR = ("extreme_k10", "one", "ML")


@functools.cache
def _reference() -> tuple[dict[tuple[str, str, str, str], dict[str, Any]], pd.DataFrame]:
    folder = shared_data("stats", "pymare-metafor-reference")
    cases = json.loads((folder / "metafor_reference.json").read_text())["cases"]
    by_key = {(c["design"], c["model"], c["method"], c["test"]): c for c in cases}
    return by_key, pd.read_csv(folder / "metafor_small_sample.csv")


def _case(key: tuple[str, str, str, str]) -> tuple[dict[str, Any], pd.DataFrame]:
    ref, data = _reference()
    return ref[key], data[data["case"] == key[0]].reset_index(drop=True)


def _tolerance(method: str) -> dict[str, float]:
    return (
        {"rtol": 1e-6, "atol": 1e-10}
        if method in ("FE", "DL", "HE")
        else {"rtol": 1e-4, "atol": 1e-6}
    )


def _fit(design: pd.DataFrame, model: str, method: str, test: str, tau2: float | None = None):
    """(beta, se, ci_lb, ci_ub, pval, tau2, QE, QEp, I2, H2, tau2 CI, warnings) by the Python API."""
    y, v = design["y"], design["v"]
    if model == "intercept" and tau2 is None:
        f = RandomEffectsMeta(method, test=test).fit(y, v)
        return {
            "beta": [f.estimate_], "se": [f.se_], "ci_lb": [f.ci_[0]], "ci_ub": [f.ci_[1]],
            "pval": [f.p_val_], "tau2": f.tau2_, "QE": f.q_, "QEp": f.q_p_val_, "I2": f.i2_,
            "H2": f.h2_, "tau2_ci": f.tau2_ci_, "warnings": f.warnings_,
        }  # fmt: skip
    mods = design[MODELS[model]] if MODELS[model] else design[[]]
    r = meta_regression(y, v, mods, method=method, test=test, tau2=tau2)
    c = r.coefficients
    return {
        "beta": c["estimate"], "se": c["se"], "ci_lb": c["ci_low"], "ci_ub": c["ci_high"],
        "pval": c["p_val"], "tau2": r.tau2, "QE": r.qe, "QEp": r.qe_p_val, "I2": r.i2,
        "H2": r.h2, "tau2_ci": None, "warnings": r.warnings,
    }  # fmt: skip


FIELDS = ("beta", "se", "ci_lb", "ci_ub", "pval", "tau2", "QE", "QEp", "I2", "H2")


def _assert_matches(got: dict[str, Any], ref: dict[str, Any], tol: dict[str, float]) -> None:
    for name in FIELDS:
        field_tol = dict(tol)
        if name == "I2":  # percent: metafor's tau^2 1.3e-7 short of the boundary = I2 1.2e-5 %
            field_tol["atol"] = max(tol["atol"], 100 * tol["atol"])
        np.testing.assert_allclose(
            np.asarray(got[name], float), np.asarray(ref[name], float), err_msg=name, **field_tol
        )


@pytest.mark.parametrize(
    ("design", "model", "method", "test"), GRID, ids=["-".join(g) for g in GRID]
)
def test_python_api_matches_metafor(design: str, model: str, method: str, test: str) -> None:
    ref, data = _case((design, model, method, test))
    got = _fit(data, model, method, test)
    if (design, model, method) == LOCAL_IN_METAFOR:
        _check_metafor_local_maximum(data, ref, got, test)
        return
    _assert_matches(got, ref, _tolerance(method))
    if got["tau2_ci"] is not None and method != "FE":  # Q-profile CI, solved to 1e-14 both
        np.testing.assert_allclose(got["tau2_ci"], (ref["tau2_ci_lb"], ref["tau2_ci_ub"]), 1e-6)


def _check_metafor_local_maximum(
    data: pd.DataFrame, ref: dict[str, Any], got: dict[str, Any], test: str
) -> None:
    x = np.column_stack([np.ones(len(data)), data["mod1"]])
    y, v = data["y"].to_numpy(), data["v"].to_numpy()

    def ml_loglik(tau2: float) -> float:  # the ML log-likelihood straight from its definition
        w = 1 / (v + tau2)
        b = np.linalg.solve(x.T @ (x * w[:, None]), x.T @ (w * y))
        return float(stats.norm.logpdf(y, x @ b, np.sqrt(v + tau2)).sum())

    assert ref["tau2"] == 0.0
    assert got["tau2"] == pytest.approx(0.011441575, rel=1e-6)
    assert ml_loglik(got["tau2"]) - ml_loglik(ref["tau2"]) == pytest.approx(0.28454, abs=1e-4)
    (warning,) = got["warnings"]
    assert "2 local maxima" in warning and "tau^2 = 0 (log-likelihood -6.3034)" in warning
    _assert_matches(_fit(data, "one", "ML", test, tau2=ref["tau2"]), ref, _tolerance("FE"))


def test_reml_unequal_k5_is_the_global_maximum_with_a_warning() -> None:
    """The case of issue 17: a single Fisher start from DL stops at tau^2 0.195 (beta -0.294)."""
    ref, data = _case(("unequal_k5", "intercept", "REML", "z"))
    f = RandomEffectsMeta("REML").fit(data["y"], data["v"])
    assert (f.tau2_, f.estimate_) == pytest.approx((ref["tau2"], ref["beta"][0]), rel=1e-4)
    assert f.ci_ == pytest.approx((ref["ci_lb"][0], ref["ci_ub"][0]), rel=1e-4)
    (warning,) = f.warnings_
    assert warning.startswith("REML: the restricted likelihood has 2 local maxima")
    assert "tau^2 = 0.1947" in warning


runner = CliRunner()


@functools.cache
def _command():  # type: ignore[no-untyped-def]
    """The click command of the app, built once (typer rebuilds it on every invoke: 150 ms)."""
    return typer.testing._get_command(app)


@functools.cache
def _csv(design: str, folder: str) -> Path:
    _, data = _reference()
    path = Path(folder) / f"{design}.csv"
    d = data[data["case"] == design]
    d.assign(study=[f"s{i + 1}" for i in range(len(d))]).rename(columns={"y": "yi", "v": "vi"})[
        ["study", "yi", "vi", "mod1", "mod2"]
    ].to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("design", "model"), [(d, m) for d in DESIGNS for m in MODELS])
def test_cli_matches_metafor(design: str, model: str, tmp_path_factory, monkeypatch) -> None:
    """``neuroprotect meta --measure given [--mods ...] --method M --test T --json``: 15 fits each."""
    _command()
    monkeypatch.setattr(typer.testing, "_get_command", lambda _app: _command())
    path = _csv(design, str(tmp_path_factory.getbasetemp()))
    mods = ["--mods", ",".join(MODELS[model])] if MODELS[model] else []
    for method in METHODS:
        for test in TESTS:
            ref, data = _case((design, model, method, test))
            args = ["meta", str(path), "--measure", "given", "--method", method.lower()]
            res = runner.invoke(app, [*args, "--test", test, *mods, "--json"])
            assert res.exit_code == 0, res.stderr
            r = json.loads(res.stdout)
            assert (r["method"], r["test"]) == (method, test)
            if model == "intercept":
                got = {
                    "beta": r["estimate"], "se": r["se"], "ci_lb": r["ci_low"],
                    "ci_ub": r["ci_high"], "pval": r["p_val"], "tau2": r["tau2"], "QE": r["q"],
                    "QEp": r["q_p_val"], "I2": r["i2"], "H2": r["h2"],
                }  # fmt: skip
            else:
                reg = r["regressions"][0]
                assert reg["moderator"] == " + ".join(MODELS[model])
                assert [c["term"] for c in reg["coefficients"]] == ["intercept", *MODELS[model]]
                assert reg["test"] == test
                c = pd.DataFrame(reg["coefficients"])
                got = {
                    "beta": c["estimate"], "se": c["se"], "ci_lb": c["ci_low"],
                    "ci_ub": c["ci_high"], "pval": c["p_val"], "tau2": reg["tau2"],
                    "QE": reg["qe"], "QEp": reg["qe_p_val"], "I2": reg["i2"], "H2": reg["h2"],
                }  # fmt: skip
            if (design, model, method) == LOCAL_IN_METAFOR:
                assert got["tau2"] == pytest.approx(0.011441575, rel=1e-6)
                assert any("2 local maxima" in w for w in r["warnings"])
                continue
            _assert_matches(got, ref, _tolerance(method))

"""Train the Gehring-2015 segment classifier and write ``data/gehring2015_model.json``.

Usage (needs the Gehring data set, MIT, from mwm-ml-gen; see PROVENANCE in the shared data)::

    python -m neuroprotect.behavior.strategies.train_gehring DATA_DIR [--out MODEL.json]

``DATA_DIR`` holds ``set1/``, ``set2/`` and ``segment_labels_250c.csv`` (rows ``set, day, track,
offset_cm, length_cm, tag[, tag...]``; track TTTT is the file ``setS/dayD_TTTT_00.csv``).

Steps: read the 444 set 1-2 tracks (EthoVision 3), cut them into 250-cm segments with 90 %
overlap (:func:`~neuroprotect.behavior.strategies.gehring2015.compute_segment_features`, in the
rig-independent pool frame), match each labelled segment to ours by its offset along the path
(nearest, within 30 cm; our offsets are in cm of the pool radius, the labels' in calibrated cm;
each set is one batch for the pool frame),
and fit a multinomial logistic regression (softmax, L2 penalty ``lam`` = 0.01 fixed in advance, on
standardised features clipped to +-4 and their squares). A segment with several tags contributes
one example per tag with weight 1/k; a prediction counts as correct when it is among the
segment's tags. Deterministic: L-BFGS from zeros, fold assignment seeded (``SEED``).

Accuracy is estimated by 5-fold cross-validation grouped by animal (``set`` + rat id from the
file header): all segments of one rat, hence of one track, are in the same fold, so segments of a
track never leak between training and test folds. Across cohorts: trained on set 1, tested on
set 2, and the reverse, also on set 2 (set 1) tracks transformed as other rigs record them
(:mod:`~neuroprotect.behavior.strategies.gehring_validation`). Every figure is given over all
segments and over those called with probability >= ``MIN_CONFIDENCE`` (with the coverage). The
model file stores them all; the script prints them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from neuroprotect.behavior.arena import ArenaWaterMaze
from neuroprotect.behavior.strategies.gehring2015 import (
    SEGMENT_FEATURES,
    compute_segment_features,
    expand_features,
    predict_proba,
)
from neuroprotect.behavior.strategies.gehring_validation import (
    RIGS,
    LabelledTracks,
    agreement,
    load_labelled_tracks,
    match_labels,
    rig_transform,
)

LAMBDA = 0.01
N_FOLDS = 5
SEED = 20151014
MIN_CONFIDENCE = 0.4  # below: "unclassified" (fixed in advance, not tuned on the test cohorts)


def fit_softmax(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, n_classes: int, lam: float
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted multinomial logistic regression with an L2 penalty on the coefficients."""
    n, k = x.shape
    onehot = np.zeros((n, n_classes))
    onehot[np.arange(n), y] = 1.0
    wsum = w.sum()

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        coef = theta[: n_classes * k].reshape(n_classes, k)
        b = theta[n_classes * k :]
        z = x @ coef.T + b
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        f = -(w * (onehot * logp).sum(axis=1)).sum() / wsum + 0.5 * lam * (coef**2).sum()
        resid = (np.exp(logp) - onehot) * w[:, None] / wsum
        g_coef = resid.T @ x + lam * coef
        return f, np.concatenate([g_coef.ravel(), resid.sum(axis=0)])

    res = minimize(
        loss, np.zeros(n_classes * (k + 1)), jac=True, method="L-BFGS-B", options={"maxiter": 2000}
    )
    return res.x[: n_classes * k].reshape(n_classes, k), res.x[n_classes * k :]


def _examples(
    idx: np.ndarray, tags: list[list[str]], classes: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, ys, ws = [], [], []
    for i in idx:
        for t in tags[i]:
            rows.append(i)
            ys.append(classes.index(t))
            ws.append(1.0 / len(tags[i]))
    return np.array(rows), np.array(ys), np.array(ws)


def fit_model(x: np.ndarray, tags: list[list[str]], classes: list[str]) -> dict[str, Any]:
    """Standardisation and softmax coefficients fitted to the feature rows ``x``."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    rows, ys, ws = _examples(np.arange(len(x)), tags, classes)
    coef, b = fit_softmax(expand_features((x - mean) / scale)[rows], ys, ws, len(classes), LAMBDA)
    return {
        "classes": classes,
        "features": list(SEGMENT_FEATURES),
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": coef.round(8).tolist(),
        "intercept": b.round(8).tolist(),
    }


def _x(feats: pd.DataFrame) -> np.ndarray:
    return feats[list(SEGMENT_FEATURES)].to_numpy(float)


def _features(
    tracks: pd.DataFrame, data: LabelledTracks, arena: ArenaWaterMaze | None = None
) -> pd.DataFrame:
    return compute_segment_features(
        tracks,
        arena=arena or data.arena,
        segment_length_cm=250,
        overlap=0.9,
        check_arena=False,
    )


def cohort_features(data: LabelledTracks) -> tuple[pd.DataFrame, list[list[str]]]:
    """Features of the labelled segments, each set classified as its own batch (a rig's trials
    together, as a lab runs them: the pool frame of one set never sees the other's tracks)."""
    parts = []
    for s in sorted({lab[0] for lab in data.labels}):
        tracks = data.tracks[data.tracks.trial_id.str.startswith(f"{s}/")]
        parts.append(_features(tracks, data))
    return match_labels(pd.concat(parts, ignore_index=True), data)


def cross_validate(feats: pd.DataFrame, tags: list[list[str]], classes: list[str]) -> dict:
    """Grouped-by-rat K-fold CV (seeded fold assignment)."""
    groups = feats["group"].to_numpy()
    uniq = np.array(sorted(set(groups)))
    rng = np.random.default_rng(SEED)
    fold_of_group = dict(zip(rng.permutation(uniq), np.arange(uniq.size) % N_FOLDS, strict=True))
    fold = np.array([fold_of_group[g] for g in groups])
    x = _x(feats)
    proba = np.zeros((len(feats), len(classes)))
    for f in range(N_FOLDS):
        tr, te = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        m = fit_model(x[tr], [tags[i] for i in tr], classes)
        proba[te] = predict_proba(x[te], m)
    per_fold = [
        agreement(
            proba[fold == f], [t for t, k in zip(tags, fold == f, strict=True) if k], classes, 0
        )
        for f in range(N_FOLDS)
    ]
    return agreement(proba, tags, classes, MIN_CONFIDENCE) | {
        "scheme": f"{N_FOLDS}-fold cross-validation grouped by rat (seed {SEED})",
        "agreement_per_fold": [r["agreement_all"] for r in per_fold],
    }


def cross_cohort(
    data: LabelledTracks, feats: pd.DataFrame, tags: list[list[str]], classes: list[str]
) -> dict[str, Any]:
    """Train on one set, test on the other (and on its tracks as other rigs record them)."""
    out: dict[str, Any] = {}
    for train_set, test_set in ((1, 2), (2, 1)):
        tr = feats["set"].to_numpy() == train_set
        model = fit_model(_x(feats)[tr], [t for t, k in zip(tags, tr, strict=True) if k], classes)
        te = ~tr
        test_tags = [t for t, k in zip(tags, te, strict=True) if k]
        p_orig = predict_proba(_x(feats)[te], model)
        name = f"set{train_set}->set{test_set}"
        out[name] = agreement(p_orig, test_tags, classes, MIN_CONFIDENCE) | {"rigs": {}}
        orig_call = pd.Series(p_orig.argmax(axis=1), index=feats["label"].to_numpy()[te])
        test_tracks = data.tracks[data.tracks.trial_id.str.startswith(f"{test_set}/")]
        for rig, params in RIGS.items():
            moved, arena = rig_transform(test_tracks, data.arena, **params)
            f2, t2 = match_labels(_features(moved, data, arena), data)
            p2 = predict_proba(_x(f2), model)
            call = pd.Series(p2.argmax(axis=1), index=f2["label"].to_numpy())
            common = orig_call.index.intersection(call.index)
            out[name]["rigs"][rig] = agreement(p2, t2, classes, MIN_CONFIDENCE) | {
                "same_call_as_original": float((orig_call[common] == call[common]).mean())
            }
    return out


def train(data_dir: Path) -> dict:
    data = load_labelled_tracks(data_dir)
    feats, tags = cohort_features(data)
    classes = sorted({t for ts in tags for t in ts})
    cv = cross_validate(feats, tags, classes)
    majority = max(classes, key=lambda c: sum(c in t for t in tags))
    model = fit_model(_x(feats), tags, classes)
    return {
        "name": "gehring2015 segment classifier",
        "model": "multinomial logistic regression on standardised features (clipped to +-4) "
        "and their squares, in the pool frame (wall-envelope corrected)",
        "segment_length_cm": 250.0,
        "overlap": 0.9,
        **model,
        "l2_penalty": LAMBDA,
        "min_confidence": MIN_CONFIDENCE,
        "trained_on": "Gehring et al. 2015 sets 1-2, segment_labels_250c.csv "
        f"({len(feats)} labelled segments, {len(set(feats.group))} rats)",
        "cv": cv
        | {
            "majority_class": majority,
            "majority_class_agreement": float(np.mean([majority in t for t in tags])),
            "correct_if": "predicted code among the segment's expert tags",
        },
        "cross_cohort": cross_cohort(data, feats, tags, classes),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "data" / "gehring2015_model.json"
    )
    args = parser.parse_args(argv)
    model = train(args.data_dir)
    args.out.write_text(json.dumps(model, indent=1) + "\n")
    print(json.dumps({k: model[k] for k in ("cv", "cross_cohort")}, indent=1))


if __name__ == "__main__":
    main()

"""Train the Gehring-2015 segment classifier and write ``data/gehring2015_model.json``.

Usage (needs the Gehring data set, MIT, from mwm-ml-gen; see PROVENANCE in the shared data)::

    python -m neuroprotect.behavior.strategies.train_gehring DATA_DIR [--out MODEL.json]

``DATA_DIR`` holds ``set1/``, ``set2/`` and ``segment_labels_250c.csv`` (rows ``set, day, track,
offset_cm, length_cm, tag[, tag...]``; track TTTT is the file ``setS/dayD_TTTT_00.csv``).

Steps: read the 444 set 1-2 tracks (EthoVision 3), cut them into 250-cm segments with 90 %
overlap (:func:`~neuroprotect.behavior.strategies.gehring2015.compute_segment_features`), match
each labelled segment to ours by its offset along the path (nearest, within 30 cm; our offsets
are in cm of the raw coordinates x ``cm_per_unit``, the labels' in calibrated cm), and fit a
multinomial logistic regression (softmax, L2 penalty ``lam`` = 0.01 fixed in advance, on
standardised features and their squares). A segment with several tags contributes one example
per tag with weight 1/k; a prediction counts as correct when it is among the segment's tags.

Accuracy is estimated by 5-fold cross-validation grouped by animal (``set`` + rat id from the
file header): all segments of one rat, hence of one track, are in the same fold, so segments of a
track never leak between training and test folds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from neuroprotect.behavior.arena import ArenaWaterMaze, load_arena
from neuroprotect.behavior.readers import read_tracks
from neuroprotect.behavior.strategies.gehring2015 import (
    SEGMENT_FEATURES,
    compute_segment_features,
    expand_features,
)

ARENA = Path(__file__).parent / "data" / "gehring2015_set12.yaml"
LAMBDA = 0.01
N_FOLDS = 5
SEED = 20151014


def load_labelled_segments(data_dir: Path) -> tuple[pd.DataFrame, list[list[str]]]:
    """Features of every labelled segment with its tags and animal group."""
    labels = []
    for line in (data_dir / "segment_labels_250c.csv").read_text().splitlines():
        cells = [c.strip() for c in line.split(",") if c.strip()]
        if len(cells) < 6:
            continue
        s, d, tr = (int(float(c)) for c in cells[:3])
        labels.append((s, d, tr, float(cells[3]), float(cells[4]), cells[5:]))
    arena = load_arena(ARENA)
    assert isinstance(arena, ArenaWaterMaze)
    files = sorted({(s, d, tr) for s, d, tr, *_ in labels})
    parts, metas = [], []
    for s, d, tr in files:
        path = data_dir / f"set{s}" / f"day{d}_{tr:04d}_00.csv"
        t, m = read_tracks(path, format="ethovision3", trial_id=f"{s}/{d}/{tr}")
        parts.append(t)
        metas.append(m.assign(group=f"{s}/{m.animal_id.iloc[0]}"))
    tracks = pd.concat(parts, ignore_index=True)
    meta = pd.concat(metas, ignore_index=True).set_index("trial_id")
    feats = compute_segment_features(tracks, arena=arena, segment_length_cm=250, overlap=0.9)
    by_trial = dict(tuple(feats.groupby("trial_id", sort=False)))
    rows, tags = [], []
    for s, d, tr, off, _length, tag in labels:
        seg = by_trial[f"{s}/{d}/{tr}"]
        j = int(np.argmin(np.abs(seg.offset_cm.to_numpy() - off)))
        if abs(seg.offset_cm.iloc[j] - off) > 30:
            continue
        rows.append(seg.iloc[j].to_dict() | {"group": meta.loc[f"{s}/{d}/{tr}", "group"]})
        tags.append(tag)
    return pd.DataFrame(rows), tags


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


def _design(feats: pd.DataFrame, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return expand_features((feats[list(SEGMENT_FEATURES)].to_numpy(float) - mean) / scale)


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


def train(data_dir: Path) -> dict:
    feats, tags = load_labelled_segments(data_dir)
    classes = sorted({t for ts in tags for t in ts})
    groups = feats["group"].to_numpy()
    uniq = np.array(sorted(set(groups)))
    rng = np.random.default_rng(SEED)
    fold_of_group = dict(zip(rng.permutation(uniq), np.arange(uniq.size) % N_FOLDS, strict=True))
    fold = np.array([fold_of_group[g] for g in groups])
    correct = np.zeros(len(feats), dtype=bool)
    for f in range(N_FOLDS):
        tr, te = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        x_tr = feats.iloc[tr][list(SEGMENT_FEATURES)].to_numpy(float)
        mean, scale = x_tr.mean(axis=0), x_tr.std(axis=0) + 1e-9
        rows, ys, ws = _examples(tr, tags, classes)
        design = _design(feats, mean, scale)
        coef, b = fit_softmax(design[rows], ys, ws, len(classes), LAMBDA)
        pred = (design[te] @ coef.T + b).argmax(axis=1)
        correct[te] = [classes[p] in tags[i] for p, i in zip(pred, te, strict=True)]
    majority = max(classes, key=lambda c: sum(c in t for t in tags))
    x_all = feats[list(SEGMENT_FEATURES)].to_numpy(float)
    mean, scale = x_all.mean(axis=0), x_all.std(axis=0) + 1e-9
    rows, ys, ws = _examples(np.arange(len(feats)), tags, classes)
    coef, b = fit_softmax(_design(feats, mean, scale)[rows], ys, ws, len(classes), LAMBDA)
    per_fold = [float(correct[fold == f].mean()) for f in range(N_FOLDS)]
    return {
        "name": "gehring2015 segment classifier",
        "model": "multinomial logistic regression on standardised features and their squares",
        "segment_length_cm": 250.0,
        "overlap": 0.9,
        "classes": classes,
        "features": list(SEGMENT_FEATURES),
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": coef.round(8).tolist(),
        "intercept": b.round(8).tolist(),
        "l2_penalty": LAMBDA,
        "trained_on": "Gehring et al. 2015 sets 1-2, segment_labels_250c.csv "
        f"({len(feats)} labelled segments, {uniq.size} rats)",
        "cv": {
            "scheme": f"{N_FOLDS}-fold cross-validation grouped by rat (seed {SEED})",
            "accuracy": float(correct.mean()),
            "accuracy_per_fold": per_fold,
            "majority_class": majority,
            "majority_class_accuracy": float(np.mean([majority in t for t in tags])),
            "correct_if": "predicted code among the segment's expert tags",
        },
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
    print(json.dumps(model["cv"], indent=1))


if __name__ == "__main__":
    main()

"""Write one known track in every supported file format (test helper, no tests here).

Each writer takes sample times (s) and positions (NaN = missing sample) and writes the layout
the real software exports, so a test can check that every reader gives back the same track.
Pose writers place keypoints around the body centre: nose and ears ahead, tail base behind,
along the direction of motion, so the default body centre (midpoint of the ears' midpoint and
the tail base) is exactly the written position; optional seeded keypoint noise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: Every format a test writes: (name, registered format name, file suffix).
FORMATS = [
    ("ethovision_xt", "ethovision_xt", ".csv"),
    ("ethovision3", "ethovision3", ".csv"),
    ("anymaze", "anymaze", ".csv"),
    ("rtrack_raw", "rtrack_raw", ".tab"),
    ("generic", "generic", ".csv"),
    ("deeplabcut_csv", "deeplabcut", ".csv"),
    ("deeplabcut_h5", "deeplabcut", ".h5"),
    ("sleap_h5", "sleap", ".h5"),
]
POSE = {"deeplabcut_csv", "deeplabcut_h5", "sleap_h5"}
KEYPOINTS = ("nose", "leftear", "rightear", "tailbase")


def _cell(v: float, missing: str = "-") -> str:
    return missing if not np.isfinite(v) else f"{v:.6f}"


def keypoints_around(
    x: np.ndarray, y: np.ndarray, *, noise_px: float = 0.0, seed: int = 0
) -> np.ndarray:
    """n x 4 x 2 keypoints (nose, leftear, rightear, tailbase) around a body-centre path."""
    xy = np.column_stack([x, y]).astype(float)
    filled = pd.DataFrame(xy).ffill().bfill().to_numpy()
    d = np.gradient(filled, axis=0)
    d[~np.isfinite(d).all(axis=1) | (np.hypot(*d.T) == 0)] = (1.0, 0.0)
    u = d / np.hypot(*d.T)[:, None]
    p = np.column_stack([-u[:, 1], u[:, 0]])
    kp = np.stack(
        [xy + 5 * u, xy + 2 * u + 1.5 * p, xy + 2 * u - 1.5 * p, xy - 2 * u], axis=1
    )  # ears' midpoint = c + 2u, tail base = c - 2u -> body centre = c
    if noise_px:
        kp = kp + np.random.default_rng(seed).normal(0.0, noise_px, kp.shape)
    return kp


def dlc_frame(kp: np.ndarray, likelihood: np.ndarray, *, names=KEYPOINTS) -> pd.DataFrame:
    """DeepLabCut's table: columns (scorer, bodyparts, coords), one row per frame."""
    cols, data = [], []
    for k, name in enumerate(names):
        for j, coord in enumerate(("x", "y", "likelihood")):
            cols.append(("DLC_resnet50", name, coord))
            data.append(kp[:, k, j] if coord != "likelihood" else likelihood[:, k])
    index = pd.MultiIndex.from_tuples(cols, names=["scorer", "bodyparts", "coords"])
    return pd.DataFrame(np.column_stack(data), columns=index)


def write_dlc_csv(path: Path, kp: np.ndarray, likelihood: np.ndarray, names=KEYPOINTS) -> Path:
    dlc_frame(kp, likelihood, names=names).to_csv(path)
    return path


def write_dlc_h5(path: Path, kp: np.ndarray, likelihood: np.ndarray, names=KEYPOINTS) -> Path:
    dlc_frame(kp, likelihood, names=names).to_hdf(
        path, key="df_with_missing", format="table", mode="w"
    )
    return path


def write_sleap_h5(path: Path, kp: np.ndarray, scores: np.ndarray, names=KEYPOINTS) -> Path:
    """SLEAP analysis file, classic layout: tracks (1, 2, nodes, frames), point_scores."""
    import h5py

    with h5py.File(path, "w") as f:
        f["tracks"] = np.transpose(kp, (2, 1, 0))[
            None
        ]  # frames x nodes x 2 -> 1 x 2 x nodes x frames
        f["point_scores"] = scores.T[None]
        f["node_names"] = np.array([n.encode() for n in names])
        f["track_names"] = np.array([b"track_0"])
    return path


def write_track(fmt: str, path: Path, t: np.ndarray, x: np.ndarray, y: np.ndarray) -> Path:
    """Write the track (t, x, y) as ``fmt`` (a name of :data:`FORMATS`) to ``path``."""
    t, x, y = (np.asarray(v, dtype=float) for v in (t, x, y))
    if fmt == "generic":
        rows = [
            "time_s,x,y",
            *(f"{a:.6f},{_cell(b)},{_cell(c)}" for a, b, c in zip(t, x, y, strict=True)),
        ]
    elif fmt == "ethovision_xt":
        rows = [
            '"Number of header lines:","5"',
            '"Animal ID","r1"',
            '"Trial name","Trial 1"',
            '"Trial time","Recording time","X center","Y center"',
            '"s","s","cm","cm"',
            *(
                f'"{a:.3f}","{a:.3f}","{_cell(b)}","{_cell(c)}"'
                for a, b, c in zip(t, x, y, strict=True)
            ),
        ]
    elif fmt == "ethovision3":
        rows = [
            "Track file,synthetic",
            "Animal ID,9",
            "",
            "Sample no.,Time,X,Y",
            *(
                f"{i + 1},{a:.3f},{_cell(b)},{_cell(c)}"
                for i, (a, b, c) in enumerate(zip(t, x, y, strict=True))
            ),
        ]
    elif fmt == "anymaze":
        rows = [
            "Time,Centre position X,Centre position Y",
            *(
                f"{int(a // 60)}:{a % 60:06.3f},{_cell(b)},{_cell(c)}"
                for a, b, c in zip(t, x, y, strict=True)
            ),
        ]
    elif fmt == "rtrack_raw":
        rows = [
            "Time\tX\tY",
            *(
                f"{a:.6f}\t{_cell(b, 'NA')}\t{_cell(c, 'NA')}"
                for a, b, c in zip(t, x, y, strict=True)
            ),
        ]
    elif fmt in POSE:
        kp = keypoints_around(x, y)
        ok = np.isfinite(x) & np.isfinite(y)
        lik = np.where(ok, 0.99, 0.05)[:, None].repeat(len(KEYPOINTS), axis=1)
        if fmt == "sleap_h5":
            return write_sleap_h5(path, kp, lik)
        kp = np.where(np.isfinite(kp), kp, 0.0)  # DeepLabCut always writes a guess
        writer = write_dlc_csv if fmt == "deeplabcut_csv" else write_dlc_h5
        return writer(path, kp, lik)
    else:
        raise ValueError(fmt)
    path.write_text("\n".join(rows) + "\n")
    return path

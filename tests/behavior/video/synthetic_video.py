"""Seeded synthetic water-maze videos with exactly known paths, encoded with PyAV (H.264).

The animal is an ellipse (plus a thin tail) drawn with anti-aliased edges at a known centre;
that centre is the ground truth. Options add what makes real videos hard: moving ripples,
wobbling reflections brighter than the animal, the experimenter's hand at release, a lighting
drift, and H.264 compression.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

WIDTH, HEIGHT = 320, 240
POOL = (160.0, 120.0, 110.0)  # x, y, radius (px)
CM_PER_PX = 150.0 / (2 * POOL[2])  # a 150 cm pool


@dataclass(frozen=True)
class Scene:
    albino: bool = False  # light animal on dark water (else dark on light)
    ripples: bool = True
    reflections: bool = True
    hand: bool = True
    drift: bool = True
    frames: int = 200
    fps: float = 25.0
    seed: int = 0


def path(scene: Scene) -> np.ndarray:
    """The animal's centre (x, y px) in each frame: a smooth seeded swim inside the pool."""
    rng = np.random.default_rng(scene.seed)
    cx, cy, r = POOL
    pos = np.array([cx + 0.6 * r, cy])  # released at the east wall
    heading = np.pi
    speed = 20.0 / CM_PER_PX / scene.fps  # 20 cm/s
    out = np.empty((scene.frames, 2))
    for i in range(scene.frames):
        out[i] = pos
        heading += rng.normal(0, 0.12)
        step = pos + speed * np.array([np.cos(heading), np.sin(heading)])
        if np.hypot(*(step - (cx, cy))) > 0.8 * r:  # turn away from the wall
            heading = np.arctan2(cy - pos[1], cx - pos[0]) + rng.normal(0, 0.5)
            step = pos + speed * np.array([np.cos(heading), np.sin(heading)])
        pos = step
    return out


def _ellipse(xx, yy, x, y, a, b, angle) -> np.ndarray:
    dx, dy = xx - x, yy - y
    u = dx * np.cos(angle) + dy * np.sin(angle)
    v = -dx * np.sin(angle) + dy * np.cos(angle)
    rho = np.sqrt((u / a) ** 2 + (v / b) ** 2)
    return np.clip((1.0 - rho) * b + 0.5, 0.0, 1.0)  # ~1 px anti-aliased edge


def frames(scene: Scene):
    """Yield (grey frame uint8, true centre) for each frame of the scene."""
    rng = np.random.default_rng(scene.seed + 1)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    cx, cy, r = POOL
    water, animal = (45.0, 205.0) if scene.albino else (185.0, 40.0)
    inside = np.hypot(xx - cx, yy - cy) <= r
    base = np.where(inside, water, 110.0)
    truth = path(scene)
    for i, (x, y) in enumerate(truth):
        img = base.copy()
        if scene.ripples:
            img += (
                inside * 6.0 * np.sin(0.21 * xx + 0.17 * yy + 0.9 * i) * np.sin(0.13 * yy - 0.5 * i)
            )
        if scene.reflections:  # wobbling light reflections, brighter than the animal
            for rx, ry in ((110.0, 80.0), (200.0, 160.0)):
                wob = 4.0 * np.sin(0.7 * i + rx)
                img = np.maximum(img, 250.0 * _ellipse(xx, yy, rx + wob, ry, 9, 4, 0.3 * i))
        prev = truth[max(i - 1, 0)]
        angle = np.arctan2(y - prev[1], x - prev[0]) if i else np.pi
        body = _ellipse(xx, yy, x, y, 12.0, 6.0, angle)
        tail = _ellipse(xx, yy, x - 18 * np.cos(angle), y - 18 * np.sin(angle), 8.0, 0.8, angle)
        cover = np.maximum(body, 0.7 * tail)
        img = img * (1 - cover) + animal * cover
        if scene.hand and i < 12:  # the hand lowers the animal, then leaves towards the east
            hx = x + 6 + 9.0 * max(0, i - 4)
            hand = _ellipse(xx, yy, hx, y - 4, 30.0, 16.0, 0.2)
            img = img * (1 - hand) + (150.0 if scene.albino else 70.0) * hand
        if scene.drift:
            img *= 1.0 - 0.25 * i / scene.frames
        img += rng.normal(0, 2.0, img.shape)
        yield np.clip(img, 0, 255).astype(np.uint8), (x, y)


def write(scene: Scene, out: Path) -> np.ndarray:
    """Encode the scene as H.264 (yuv420p, crf 23) to ``out``; return the true centres."""
    import av

    truth = []
    with av.open(str(out), "w") as container:
        stream = container.add_stream("libx264", rate=int(scene.fps))
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"crf": "23", "g": "10"}
        for grey, centre in frames(scene):
            frame = av.VideoFrame.from_ndarray(grey, format="gray").reformat(format="yuv420p")
            container.mux(stream.encode(frame))
            truth.append(centre)
        container.mux(stream.encode(None))
    return np.array(truth)

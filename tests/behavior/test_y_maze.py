"""Y-maze: alternation scoring (analytic and published sequences) and arm entries from tracks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from neuroprotect.behavior.y_maze import (
    compute_y_maze,
    detect_arm_entries,
    make_y_maze_arms,
    parse_arm_sequence,
    score_alternation,
)
from neuroprotect.datasets.behavior_synthetic import make_y_maze_track
from neuroprotect.errors import InputError


@pytest.mark.parametrize(
    ("sequence", "entries", "alternations", "pct"),
    [
        # analytic: every window of ABCABC alternates -> 4 / (6 - 2)
        ("ABCABC", 6, 4, 100.0),
        # analytic: ABAB never alternates
        ("ABABAB", 6, 0, 0.0),
        # sn-lab Deeplabcut_Analysis Y-maze example result (behavior.md §2): 15 entries,
        # 8 alternations, 61.54 %
        ("3 2 3 1 3 2 3 1 3 1 2 3 1 2 3", 15, 8, 800 / 13),
        # ryanbrowne2020/ymaze README (citing Galeano et al. 2014): 12132121231 has 5 triads
        ("12132121231", 11, 5, 500 / 9),
        # analytic, comma-separated input: windows ABC (yes), BCB (no)
        ("A,B,C,B", 4, 1, 50.0),
    ],
)
def test_score_alternation_reference_sequences(sequence, entries, alternations, pct):
    out = score_alternation(sequence)
    assert out["entries"] == entries
    assert out["alternations"] == alternations
    assert out["spontaneous_alternation_pct"] == pytest.approx(pct, rel=1e-12)


def test_returns_and_collapse():
    """Analytic: AABCBAB has windows AAB ABC BCB CBA BAB: alternations ABC and CBA (2 / 5),
    alternate-arm returns BCB and BAB, one same-arm return (AA)."""
    out = score_alternation("AABCBAB")
    assert out["same_arm_returns"] == 1
    assert out["alternations"] == 2
    assert out["alternate_arm_returns"] == 2
    assert out["spontaneous_alternation_pct"] == pytest.approx(40.0)
    collapsed = score_alternation("AABCBAB", collapse_repeats=True)
    assert collapsed["sequence"] == "ABCBAB"
    assert collapsed["spontaneous_alternation_pct"] == pytest.approx(50.0)


def test_short_sequences_have_no_percentage():
    assert math.isnan(score_alternation("AB")["spontaneous_alternation_pct"])


@pytest.mark.parametrize("empty", ["", " - ", []])
def test_empty_sequence_is_an_error_not_zero_alternations(empty):
    with pytest.raises(InputError, match="at least one arm entry, but the sequence is empty"):
        score_alternation(empty)


def test_sequence_errors():
    with pytest.raises(InputError, match="at most three"):
        parse_arm_sequence("ABCD")
    with pytest.raises(InputError, match="entry 3"):
        parse_arm_sequence("ABX", arms="ABC")
    with pytest.raises(InputError, match="one character"):
        parse_arm_sequence(["A", "BC"])


def test_arm_geometry():
    """Analytic: the centre triangle of a 6-cm-wide maze has side 6 cm; arms are 6 x 30 cm."""
    arms, centre = make_y_maze_arms(arm_length_cm=30, arm_width_cm=6)
    c = np.asarray(centre)
    sides = np.hypot(*(c - np.roll(c, -1, axis=0)).T)
    np.testing.assert_allclose(sides, 6.0)
    for poly in arms.values():
        p = np.asarray(poly)
        edges = np.hypot(*(p - np.roll(p, -1, axis=0)).T)
        np.testing.assert_allclose(sorted(edges), [6, 6, 30, 30])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_track_with_centre_jitter_gives_the_true_sequence(seed):
    """Seeded synthetic ground truth: the track enters the arms in a known order and makes three
    shallow forays (< 60 % of the entry depth) past random entrances before each entry; 5 %
    of samples are missing."""
    truth_seq = "ABCACBBAC"
    tracks, truth = make_y_maze_track(truth_seq, seed=seed, missing_fraction=0.05)
    out = compute_y_maze(tracks, arms=truth["arms"], entry_depth_cm=5.0)
    assert out["sequence"].iloc[0] == truth_seq
    expected = score_alternation(truth_seq)
    assert out["alternations"].iloc[0] == expected["alternations"]
    assert out["spontaneous_alternation_pct"].iloc[0] == pytest.approx(
        expected["spontaneous_alternation_pct"]
    )
    # same result with the centre zone given explicitly
    given = compute_y_maze(
        tracks, arms=truth["arms"], centre_zone=truth["centre_zone"], entry_depth_cm=5.0
    )
    assert given["sequence"].iloc[0] == truth_seq
    # without hysteresis the jitter makes spurious entries: the rule matters
    naive = detect_arm_entries(tracks, arms=truth["arms"], entry_depth_cm=0.0)
    assert len(naive) > len(truth_seq)


def test_start_arm_and_multiple_trials():
    a, _ = make_y_maze_track("ABC", seed=4, trial_id="s1")
    b, truth = make_y_maze_track("CBA", seed=5, trial_id="s2")
    tracks = pd.concat([a, b], ignore_index=True)
    entries = detect_arm_entries(tracks, arms=truth["arms"])
    assert entries.groupby("trial_id")["arm"].agg("".join).to_dict() == {"s1": "ABC", "s2": "CBA"}
    assert entries["entry"].tolist() == [1, 2, 3, 1, 2, 3]
    later = detect_arm_entries(tracks, arms=truth["arms"], count_start_arm=False)
    assert later.groupby("trial_id")["arm"].agg("".join).to_dict() == {"s1": "BC", "s2": "BA"}


def test_hand_made_track_hysteresis():
    """Analytic: a point on the axis of arm A (+y) of a 6-cm maze (entrance at y = 1.732):
    centre -> 3 cm deep (inside arm, shallower than 5 cm: no entry) -> 8 cm deep (entry) ->
    back to 4 cm deep (still in A) -> 8 cm (no new entry) -> centre -> 8 cm (same-arm return)."""
    arms, _ = make_y_maze_arms(arm_length_cm=30, arm_width_cm=6)
    e = 6 / (2 * np.sqrt(3))
    y = [0, e + 3, e + 8, e + 4, e + 8, 0, e + 8]
    tracks = pd.DataFrame({"trial_id": "h", "time_s": np.arange(7.0), "x_cm": 0.0, "y_cm": y})
    entries = detect_arm_entries(tracks, arms=arms, entry_depth_cm=5.0)
    assert entries["arm"].tolist() == ["A", "A"]
    assert entries["time_s"].tolist() == [2.0, 6.0]


def test_bad_arms():
    tracks = pd.DataFrame({"trial_id": "h", "time_s": [0.0], "x_cm": 0.0, "y_cm": 0.0})
    with pytest.raises(InputError, match="polygon"):
        detect_arm_entries(tracks, arms={"A": [(0, 0), (1, 1)], "B": [(0, 0), (1, 0), (0, 1)]})
    with pytest.raises(InputError, match="one-character"):
        detect_arm_entries(
            tracks, arms={"AB": [(0, 0), (1, 0), (0, 1)], "C": [(0, 0), (1, 0), (0, 1)]}
        )

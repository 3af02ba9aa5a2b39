"""Hypothesis strategies that damage a valid input file the ways real files get damaged.

Each case starts from the bytes of a valid file and applies a few mutations: truncation, dropped or
duplicated lines, a damaged or duplicated header name, another delimiter or encoding, a BOM, binary
garbage, huge/tiny/NaN/inf numbers, an empty file. The property every reader must keep: the command
ends in a result, or in one-line errors (``error: ...``, exit code 2) — never a traceback or a hang.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

#: ``NEUROPROTECT_FUZZ=long`` runs the long profile (>= 1,000 cases per reader).
settings.register_profile(
    "ci",
    max_examples=150,
    derandomize=True,  # seeded: CI sees the same cases every time
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
settings.register_profile(
    "long",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
PROFILE = "long" if os.environ.get("NEUROPROTECT_FUZZ") == "long" else "ci"

NUMBERS = [b"1e308", b"-1e308", b"1e-320", b"nan", b"NaN", b"inf", b"-inf", b"0", b"-0",
           b"99999999999999999999999", b"", b" ", b"1,5", b"abc", b"\xff\xfe", b"1e999"]  # fmt: skip


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@st.composite
def mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """One damage to ``data``."""
    kind = draw(
        st.sampled_from(
            [
                "truncate", "drop_line", "dup_line", "header", "dup_header", "delimiter",
                "encoding", "bom", "garbage", "number", "empty", "binary", "crlf", "swap_lines",
            ]
        )
    )  # fmt: skip
    lines = _lines(data)
    if kind == "truncate":
        return data[: draw(st.integers(0, max(len(data) - 1, 0)))]
    if kind == "drop_line" and len(lines) > 1:
        i = draw(st.integers(0, len(lines) - 1))
        return b"\n".join(lines[:i] + lines[i + 1 :])
    if kind == "dup_line" and lines:
        i = draw(st.integers(0, len(lines) - 1))
        return b"\n".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :])
    if kind == "swap_lines" and len(lines) > 2:
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines)
    if kind in {"header", "dup_header"} and lines:
        for sep in (b",", b"\t", b";"):
            cells = lines[0].split(sep)
            if len(cells) > 1:
                break
        i = draw(st.integers(0, len(cells) - 1))
        if kind == "header":
            cells[i] = draw(st.sampled_from([b"", b"?", b"x" * 300, b"\xc3\x28", cells[i].upper()]))
        else:
            cells.append(cells[i])
        lines[0] = sep.join(cells)
        return b"\n".join(lines)
    if kind == "delimiter":
        old, new = draw(st.sampled_from([(b",", b";"), (b",", b"\t"), (b",", b" "), (b"\t", b",")]))
        return data.replace(old, new)
    if kind == "encoding":
        text = data.decode("utf-8", errors="replace")
        enc = draw(st.sampled_from(["utf-16", "utf-16-le", "latin-1", "cp1252", "utf-32"]))
        return text.encode(enc, errors="replace")
    if kind == "bom":
        return draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])) + data
    if kind == "garbage":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    if kind == "number" and len(lines) > 1:
        i = draw(st.integers(1, len(lines) - 1))
        for sep in (b",", b"\t", b";"):
            cells = lines[i].split(sep)
            if len(cells) > 1:
                break
        j = draw(st.integers(0, len(cells) - 1))
        cells[j] = draw(st.sampled_from(NUMBERS))
        lines[i] = sep.join(cells)
        return b"\n".join(lines)
    if kind == "empty":
        return draw(st.sampled_from([b"", b"\n", b"\n\n\n", lines[0] if lines else b""]))
    if kind == "binary":
        return draw(st.binary(min_size=0, max_size=512))
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    return data


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` after one to three damages."""
    out = data
    for _ in range(draw(st.integers(1, 3))):
        out = draw(mutation(out))
    return out

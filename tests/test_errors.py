"""``neuroprotect.errors``: collecting input warnings."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import resource, warnings
    resource.setrlimit(resource.RLIMIT_AS, (2_000_000_000, 2_000_000_000))
    from neuroprotect.errors import InputWarning, collect_input_warnings

    with warnings.catch_warnings(record=True) as outer:
        warnings.simplefilter("always")
        with collect_input_warnings() as notes:
            warnings.warn("odd encoding", InputWarning)
            warnings.warn("pandas will change", FutureWarning)
    print(notes, [str(w.message) for w in outer])
    """
)


def test_other_warnings_pass_through_once() -> None:
    """A warning that is not an InputWarning is shown once, outside; it used to loop endlessly
    (re-shown into the very list being read) until the memory ran out."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "['odd encoding'] ['pandas will change']"

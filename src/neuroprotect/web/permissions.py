"""What each role may do. Every route asks for one right; the tests check every route per role.

=========================  =====  ==  =======  ======
right                      admin  pi  analyst  scorer
=========================  =====  ==  =======  ======
``studies.read``           yes    yes yes      yes
``studies.upload``         yes    yes yes      yes
``runs.start``             yes    yes yes      no
``results.unblinded``      yes    yes yes      no
``results.blinded``        yes    yes yes      yes
``allocation.view``        yes    yes no       no
``randomise``              yes    yes yes      no
``audit.read``             yes    yes no       no
``runs.sign``              yes    yes no       no
``study.unblind``          yes    yes no       no
``users.manage``           yes    no  no       no
=========================  =====  ==  =======  ======

A scorer is blinded: it scores and uploads readouts, and sees only runs analysed on group codes
(``results.blinded``); it never sees the allocation, a run with group names, or the audit log.
"Randomise" and "view allocation" are separate rights (an analyst may randomise, and the sealed
key stays sealed). A PI's allocation, unblinding and signing rights cover the PI's own studies; an admin's
cover all.
"""

from __future__ import annotations

RIGHTS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {
            "studies.read",
            "studies.upload",
            "runs.start",
            "results.unblinded",
            "results.blinded",
            "allocation.view",
            "randomise",
            "audit.read",
            "runs.sign",
            "study.unblind",
            "users.manage",
        }
    ),
    "pi": frozenset(
        {
            "studies.read",
            "studies.upload",
            "runs.start",
            "results.unblinded",
            "results.blinded",
            "allocation.view",
            "randomise",
            "audit.read",
            "runs.sign",
            "study.unblind",
        }
    ),
    "analyst": frozenset(
        {
            "studies.read",
            "studies.upload",
            "runs.start",
            "results.unblinded",
            "results.blinded",
            "randomise",
        }
    ),
    "scorer": frozenset({"studies.read", "studies.upload", "results.blinded"}),
}


def has_right(role: str, right: str) -> bool:
    return right in RIGHTS.get(role, frozenset())


def may_see_run(role: str, *, blinded_run: bool) -> bool:
    """A run analysed on group codes needs ``results.blinded``; one with group names the other."""
    return has_right(role, "results.blinded" if blinded_run else "results.unblinded")

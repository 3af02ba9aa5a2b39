"""Readers and writers: validated tables, file hashing."""

from typing import TYPE_CHECKING

from neuroprotect._lazy import lazy_exports

if TYPE_CHECKING:
    from neuroprotect.io.hashing import sha256_file
    from neuroprotect.io.tables import Column, read_table

#: Public name -> submodule, imported on first use (keeps pandas/scipy out of start-up).
_EXPORTS = {
    "sha256_file": "neuroprotect.io.hashing",
    "Column": "neuroprotect.io.tables",
    "read_table": "neuroprotect.io.tables",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

__all__ = ["Column", "read_table", "sha256_file"]

"""Readers and writers: validated tables, file hashing."""

from neuroprotect.io.hashing import sha256_file
from neuroprotect.io.tables import Column, read_table

__all__ = ["Column", "read_table", "sha256_file"]

"""histology layer."""

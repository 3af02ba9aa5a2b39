"""assays layer."""
